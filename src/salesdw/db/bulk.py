"""Bulk loading the way PostgreSQL loads fastest, inside the caller's transaction.

Keys, indexes and foreign keys are dropped before the load and rebuilt after it from the
definitions the database itself reports (so they come back exactly as the migrations made
them); tables are truncated in the same transaction, which with `wal_level = minimal` lets COPY
skip the WAL; rows arrive as CSV written by Arrow's C++ writer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, batch_size=65_536)


@dataclass(frozen=True)
class SavedDefinition:
    table: str
    name: str
    sql: str  # the statement that recreates it
    kind: str  # "key" (primary/unique), "index", "foreign_key"


def save_and_drop_keys(conn: psycopg.Connection, tables: list[str]) -> list[SavedDefinition]:
    """Drop primary keys, unique constraints, indexes and foreign keys of `tables` (and foreign
    keys pointing at them); return what recreates them, in a valid order."""
    rows = conn.execute(
        """
        select con.conrelid::regclass::text, con.conname, con.contype,
               pg_get_constraintdef(con.oid)
        from pg_constraint con
        where con.contype in ('p', 'u', 'f')
          and (con.conrelid = any(%(t)s::regclass[])
               or (con.contype = 'f' and con.confrelid = any(%(t)s::regclass[])))
        order by con.conrelid::regclass::text, con.conname
        """,
        {"t": tables},
    ).fetchall()
    saved: list[SavedDefinition] = []
    constraint_names = {name for _, name, _, _ in rows}
    for table, name, kind, definition in rows:
        saved.append(
            SavedDefinition(
                table, name, f'alter table {table} add constraint "{name}" {definition}',
                "foreign_key" if kind == "f" else "key",
            )
        )  # fmt: skip
    indexes = conn.execute(
        """
        select i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
        from pg_index i
        inner join pg_class c on c.oid = i.indexrelid
        where i.indrelid = any(%(t)s::regclass[])
        order by 1, 2
        """,
        {"t": tables},
    ).fetchall()
    for table, name, definition in indexes:
        if name not in constraint_names:
            saved.append(SavedDefinition(table, name, definition, "index"))
    for item in saved:
        if item.kind == "foreign_key":
            conn.execute(f'alter table {item.table} drop constraint "{item.name}"')
    for item in saved:
        if item.kind == "key":
            conn.execute(f'alter table {item.table} drop constraint "{item.name}"')
        elif item.kind == "index":
            schema = item.table.split(".")[0]
            conn.execute(f'drop index {schema}."{item.name}"')
    rank = {"key": 0, "index": 1, "foreign_key": 2}
    return sorted(saved, key=lambda item: rank[item.kind])


def save_and_drop_foreign_keys(
    conn: psycopg.Connection, tables: list[str]
) -> list[SavedDefinition]:
    """Drop the foreign keys of `tables` (not those pointing at them), which an insert checks
    row by row; keys and indexes stay, so ON CONFLICT still finds its arbiter. Return what
    recreates them: adding a foreign key back checks every row in one join."""
    rows = conn.execute(
        """
        select con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid)
        from pg_constraint con
        where con.contype = 'f' and con.conrelid = any(%(t)s::regclass[])
        order by 1, 2
        """,
        {"t": tables},
    ).fetchall()
    saved = [
        SavedDefinition(
            table, name, f'alter table {table} add constraint "{name}" {definition}',
            "foreign_key",
        )
        for table, name, definition in rows
    ]  # fmt: skip
    for item in saved:
        conn.execute(f'alter table {item.table} drop constraint "{item.name}"')
    return saved


def restore_keys(conn: psycopg.Connection, saved: list[SavedDefinition]) -> None:
    for item in saved:
        conn.execute(item.sql)


def copy_table(conn: psycopg.Connection, table: str, data: pa.Table, *,
               freeze: bool = False) -> int:  # fmt: skip
    """COPY an Arrow table into `table` (columns by name); returns the rows written. `freeze`
    writes the rows frozen (only into a table created or truncated in this transaction): the
    scans that follow skip checking each row's visibility."""
    if data.num_rows == 0:
        return 0
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, _CSV_OPTIONS)
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    options = "format csv, freeze" if freeze else "format csv"
    with conn.cursor() as cur, cur.copy(f"copy {table} ({columns}) from stdin ({options})") as cp:
        cp.write(buffer.getbuffer())
    return data.num_rows


def reset_identities(conn: psycopg.Connection, tables: list[str]) -> None:
    """Point identity sequences past the highest key, after COPY wrote keys explicitly."""
    rows = conn.execute(
        """
        select a.attrelid::regclass::text, a.attname
        from pg_attribute a
        where a.attrelid = any(%(t)s::regclass[]) and a.attidentity <> '' and not a.attisdropped
        """,
        {"t": tables},
    ).fetchall()
    for table, column in rows:
        conn.execute(
            f"""select setval(pg_get_serial_sequence('{table}', '{column}'),
                       coalesce((select max("{column}") from {table}), 0) + 1, false)"""
        )
