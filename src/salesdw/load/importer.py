"""`salesdw import`: one file of order lines into core, in one transaction.

plan() tells the format and the column mapping (what the CLI and the dashboard show before
loading); run() reads the file a chunk at a time, checks each chunk, COPYs the good rows into
staging.import_rows and the bad ones into staging.rejected_rows, upserts staging into core and
records the counts in ops.load_runs. A failure anywhere rolls everything back and marks the run
failed; a dry run does the same work and rolls back on purpose. accepted + rejected = rows read,
checked before commit.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import psycopg
import pyarrow as pa
from sqlalchemy.engine import make_url

from salesdw import __version__
from salesdw.db import bulk, load_runs
from salesdw.db.connect import describe_connection_error
from salesdw.errors import DatabaseUnreachable
from salesdw.load import parse, readers
from salesdw.load.countries import CountryResolver
from salesdw.load.errors import ImportFileError, ImportRefused, MappingError
from salesdw.load.formats import FileFormat, sniff, with_overrides
from salesdw.load.mapping import KNOWN_NAMES, Mapping, MappingFile, detect, read_mapping_file
from salesdw.load.upsert import CORE_TABLES, upsert
from salesdw.load.validate import Rejected, Validator, merge_bad_lines
from salesdw.settings import get_settings

__all__ = ["ImportOptions", "ImportPlan", "ImportResult", "plan", "rejected_rows", "run"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (stage, amount done, total or None): 'read' counts bytes (CSV) or rows."""

KEEP_REJECTED = 100_000  # rejected rows a result carries for showing and downloading
_NUMERIC_FIELDS = ("quantity", "unit_price", "amount", "unit_cost", "discount",
                   "returned_quantity", "refund_amount")  # fmt: skip


@dataclass(frozen=True)
class ImportOptions:
    mapping_file: Path | None = None
    dry_run: bool = False
    timezone: str | None = None  # naive times in the file; default SALESDW_TIMEZONE
    currency: str | None = None  # the file's money; default SALESDW_CURRENCY
    chunk_rows: int = readers.CHUNK_ROWS
    file_name: str | None = None  # the name to record (an upload's original name)


@dataclass
class ImportPlan:
    """What the import will do, before it reads more than a sample."""

    path: Path
    file_name: str
    format: FileFormat
    mapping: Mapping
    columns: list[str]
    report: list[tuple[str, str, str, str]]
    dates: parse.DateParser
    decimals: dict[str, str]
    timezone: str
    currency: str
    country_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        return self.mapping.notes


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool
    load_run_id: int | None
    rows_read: int = 0
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    rejected_sample: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def row_counts(self) -> dict:
        """What ops.load_runs.row_counts records."""
        written = {key.replace(" ", "_"): value for key, value in self.written.items()}
        return {"rows_read": self.rows_read, "accepted": self.accepted,
                "rejected": self.rejected_total, "rejected_by_reason": self.rejected,
                **written}  # fmt: skip


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportRefused(
            f"{value!r} is not a time zone; use a name such as UTC, Europe/Berlin or "
            "America/New_York"
        ) from None
    return value


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ImportRefused(f"{value!r} is not an ISO 4217 currency code such as EUR or USD")
    return code


def _check_schema(conn: psycopg.Connection) -> None:
    exists = conn.execute("select to_regclass('staging.rejected_rows') is not null").fetchone()[0]
    if not exists:
        raise ImportRefused(
            "the warehouse schema is missing or older than the importer; run `salesdw migrate` "
            "first"
        )


def _countries(conn: psycopg.Connection, aliases: dict[str, str]) -> CountryResolver:
    rows = conn.execute("select country_code, iso_alpha3, name from core.countries").fetchall()
    try:
        return CountryResolver(rows, aliases)
    except ValueError as exc:
        raise MappingError(f"country_aliases in the mapping file: {exc}") from None


def plan(conninfo: str, path: Path, options: ImportOptions | None = None) -> ImportPlan:
    """Sniff the format and detect the mapping (the mapping file wins); needs the database
    for the country list."""
    options = options or ImportOptions()
    settings = get_settings()
    path = Path(path)
    override = read_mapping_file(options.mapping_file) if options.mapping_file else MappingFile()
    fmt = sniff(path, encoding=override.encoding, delimiter=override.delimiter,
                has_header=override.header, known_names=KNOWN_NAMES)  # fmt: skip
    fmt = with_overrides(fmt, encoding=override.encoding, delimiter=override.delimiter)
    try:
        with psycopg.connect(conninfo) as conn:
            _check_schema(conn)
            countries = _countries(conn, override.country_aliases)
    except psycopg.OperationalError as exc:
        raise DatabaseUnreachable(describe_connection_error(make_url(conninfo), exc)) from None
    sample = readers.read_sample(path, fmt)
    if sample.num_rows == 0:
        raise ImportFileError(f"{options.file_name or path.name} has no rows to import")
    columns = list(sample.column_names)
    mapping = detect(columns, sample, has_header=fmt.has_header, countries=countries,
                     override=override)  # fmt: skip
    timezone = _timezone(options.timezone or settings.timezone)
    currency = _currency(options.currency or settings.currency)
    date_column = mapping.sources["ordered_at"]
    date_sample = (sample.column(date_column.column).combine_chunks() if date_column.column
                   else pa.array([date_column.value] * sample.num_rows))  # fmt: skip
    dates, note = parse.DateParser.detect(date_sample, timezone, mapping.date_format)
    if note:
        mapping.notes.append(note)
    decimals = {}
    for name in _NUMERIC_FIELDS:
        source = mapping.sources.get(name)
        if source is None or source.column is None:
            continue
        decimals[name] = mapping.decimal or parse.decimal_separator(
            sample.column(source.column).combine_chunks()
        )
    if "," in decimals.values():
        mapping.notes.append("Numbers are written with a decimal comma (2,55).")
    return ImportPlan(path, options.file_name or path.name, fmt, mapping, columns,
                      mapping.report(sample), dates, decimals, timezone, currency,
                      override.country_aliases)  # fmt: skip


def _params(plan_: ImportPlan, options: ImportOptions) -> dict:
    return {
        "file": plan_.file_name,
        "format": plan_.format.describe(),
        "mapping": {
            name: (s.column or f"= {s.value}") for name, s in plan_.mapping.sources.items()
        },
        "dates": plan_.dates.label,
        "timezone": plan_.timezone,
        "currency": plan_.currency,
        "dry_run": options.dry_run,
        "importer": f"salesdw {__version__}",
    }


def _check_currency(conn: psycopg.Connection, currency: str) -> None:
    others = [row[0] for row in conn.execute(
        "select distinct params->>'currency' from ops.load_runs where kind = 'import' "
        "and status = 'succeeded' and params ? 'currency' and params->>'currency' <> %s",
        [currency],
    )]  # fmt: skip
    if others:
        raise ImportRefused(
            f"the warehouse holds orders imported in {', '.join(sorted(others))}, and this "
            f"import is in {currency}; salesdw does not convert currencies: pass --currency "
            f"{others[0]} if the file is in {others[0]}"
        )


def run(
    conninfo: str,
    path: Path,
    options: ImportOptions | None = None,
    *,
    plan_: ImportPlan | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import the file (or, with dry_run, do everything and roll it back)."""
    options = options or ImportOptions()
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    plan_ = plan_ or plan(conninfo, path, options)
    params = _params(plan_, options)
    with psycopg.connect(conninfo, autocommit=True) as bookkeeping:
        _check_schema(bookkeeping)
        _check_currency(bookkeeping, plan_.currency)
        run_id = None
        if not options.dry_run:
            run_id = load_runs.start_run(bookkeeping, "import", plan_.file_name, params)
        try:
            with psycopg.connect(conninfo) as conn:
                if run_id is None:  # a dry run records its run inside the rolled-back work
                    run_id = load_runs.start_run(conn, "import", plan_.file_name, params)
                result = _load(conn, plan_, options, run_id, report)
                result.seconds = time.perf_counter() - started
                if options.dry_run:
                    conn.rollback()
                    result.load_run_id = None
                else:
                    load_runs.finish_run(conn, run_id, result.row_counts(), params)
                    conn.commit()
        except BaseException as exc:
            if not options.dry_run and run_id is not None:
                reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
                load_runs.fail_run(bookkeeping, run_id, reason or type(exc).__name__)
            raise
    return result


class _Copier:
    """COPY in a background thread, so PostgreSQL loads one chunk while Python reads and checks
    the next (the connection is used by nothing else meanwhile)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="salesdw-copy", daemon=True)
        self.thread.start()

    def put(self, table: str, data: pa.Table, *, freeze: bool = False) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((table, data, freeze))

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    table, data, freeze = item
                    bulk.copy_table(self.conn, table, data, freeze=freeze)
                except BaseException as exc:  # handed to the main thread by put() or close()
                    self.error = exc

    def close(self, *, raise_error: bool = True) -> None:
        """Wait for the COPYs queued; raise the first that failed (unless told not to)."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and raise_error:
            raise self.error


def _load(conn: psycopg.Connection, plan_: ImportPlan, options: ImportOptions, run_id: int,
          report: ProgressCallback) -> ImportResult:  # fmt: skip
    result = ImportResult(plan_.file_name, options.dry_run, run_id)
    settings = get_settings()
    # Seeds and imports wait for each other here (readers do not).
    conn.execute(f"lock table {', '.join(CORE_TABLES)} in share row exclusive mode")
    conn.execute("select set_config('work_mem', %s, true)", [settings.refresh_work_mem])
    # Parallel workers would each build the same hash of every staged order (PostgreSQL does
    # not share them in these plans): on a few cores that is work done twice or three times.
    conn.execute("select set_config('max_parallel_workers_per_gather', '0', true)")
    # staged times are written as naive UTC
    conn.execute("select set_config('TimeZone', 'UTC', true)")
    conn.execute("truncate staging.import_rows")  # the previous import's rows
    countries = _countries(conn, plan_.country_aliases)
    validator = Validator(plan_.mapping, plan_.dates, countries, currency=plan_.currency,
                          decimals=plan_.decimals)  # fmt: skip
    total = readers.size_of(plan_.path, plan_.format)
    report("read", 0, total)
    rejected_counts: Counter = Counter()
    malformed: list[Rejected] = []
    bad_lines: list[readers.BadLine] = []
    accepted = 0
    copier = _Copier(conn)  # PostgreSQL loads a chunk while the next one is read and checked
    chunks = readers.read_chunks_ahead(plan_.path, plan_.format, options.chunk_rows)
    try:
        for chunk in chunks:
            checked = validator.check(chunk)
            result.rows_read += checked.read
            bad_lines.extend(chunk.bad_lines)
            rows = [r for r in checked.rejected if r.reason != "malformed_line"]
            malformed.extend(r for r in checked.rejected if r.reason == "malformed_line")
            if rows:
                copier.put("staging.rejected_rows", _rejected_table(run_id, plan_.file_name, rows))
            rejected_counts.update(r.reason for r in checked.rejected)
            if checked.staged.num_rows:
                staged = checked.staged.add_column(
                    0, "load_run_id", pa.array([run_id] * checked.staged.num_rows, pa.int64())
                )
                copier.put("staging.import_rows", staged, freeze=True)  # truncated above
                accepted += checked.staged.num_rows
            report("read", chunk.progress, total)
    except BaseException:
        chunks.close()  # stops the reading process
        copier.close(raise_error=False)  # the error being raised is the one to report
        raise
    copier.close()
    if malformed:
        readers.fill_bad_lines(plan_.path, plan_.format, bad_lines)
        merge_bad_lines(bad_lines, malformed)
        _copy_rejected(conn, run_id, plan_.file_name, malformed)
    if result.rows_read == 0:
        raise ImportFileError(f"{plan_.file_name} has no rows to import")
    # the columns the upsert groups and joins on (the wide text ones would triple the time),
    # from a sample of 7,500 rows: enough for the plans, a quarter of the default's time
    conn.execute("set local default_statistics_target = 25")
    conn.execute("analyze staging.import_rows (load_run_id, is_return, line_position, order_key,"
                 " customer_key, sku, ordered_at)")  # fmt: skip
    conn.execute("reset default_statistics_target")
    report("upsert", 0, None)
    written = upsert(conn, run_id, plan_.file_name)
    rejected_counts["return_without_sale"] += written.returns_rejected
    result.rejected = {reason: n for reason, n in sorted(rejected_counts.items()) if n}
    result.accepted = accepted - written.returns_rejected
    result.written = written.counts
    if result.accepted + result.rejected_total != result.rows_read:
        raise RuntimeError(
            f"internal error: {result.accepted} accepted + {result.rejected_total} rejected "
            f"is not the {result.rows_read} rows read; nothing was imported"
        )
    first, last = conn.execute(
        "select min(ordered_at), max(ordered_at) from import_orders"
    ).fetchone()
    result.first_order_at, result.last_order_at = first, last
    result.notes = _notes(validator)  # what reading found; the plan's notes are apart
    # The refresh that follows plans its joins on these statistics (autovacuum may not have
    # caught up): without them a table just filled looks empty and gets nested loops.
    changed = sum(written.counts.get(key, 0) for key in ("order lines inserted",
                                                          "order lines updated"))  # fmt: skip
    if changed > 10_000:
        conn.execute(f"analyze {', '.join(CORE_TABLES)}")
    result.rejected_sample = _rejected_frame(conn, run_id, KEEP_REJECTED)
    report("done", 1, 1)
    return result


def _notes(validator: Validator) -> list[str]:
    notes = []
    if validator.unknown_channels:
        shown = ", ".join(f"{v!r} ({n:,})" for v, n in validator.unknown_channels.most_common(5))
        notes.append(f"Sales channels not recognised, loaded as web: {shown}.")
    if validator.blank_lines:
        notes.append(f"{validator.blank_lines:,} blank lines skipped (they are not rows).")
    return notes


def _copy_rejected(conn: psycopg.Connection, run_id: int, file_name: str,
                   rows: list[Rejected]) -> None:  # fmt: skip
    if rows:
        bulk.copy_table(conn, "staging.rejected_rows", _rejected_table(run_id, file_name, rows))


def _rejected_table(run_id: int, file_name: str, rows: list[Rejected]) -> pa.Table:
    return pa.table({
        "load_run_id": pa.array([run_id] * len(rows), pa.int64()),
        "file_name": pa.array([file_name] * len(rows), pa.string()),
        "line_number": pa.array([r.line_number for r in rows], pa.int64()),
        "reason": pa.array([r.reason for r in rows], pa.string()),
        "detail": pa.array([r.detail or None for r in rows], pa.string()),
        "raw_values": pa.array([json.dumps(r.raw) for r in rows], pa.string()),
    })  # fmt: skip


def _rejected_frame(conn: psycopg.Connection, run_id: int, limit: int) -> pd.DataFrame:
    rows = conn.execute(
        "select line_number, reason, detail, raw_values from staging.rejected_rows "
        "where load_run_id = %s order by line_number limit %s",
        [run_id, limit],
    ).fetchall()
    return _flatten(rows)


def _flatten(rows: list[tuple]) -> pd.DataFrame:
    """Rejected rows as a table: line, reason, detail, then the raw values' columns."""
    records = [{"line_number": line, "reason": reason, "detail": detail or "", **(raw or {})}
               for line, reason, detail, raw in rows]  # fmt: skip
    return pd.DataFrame.from_records(records) if records else pd.DataFrame(
        columns=["line_number", "reason", "detail"])  # fmt: skip


def rejected_rows(conninfo: str, load_run_id: int, limit: int | None = None) -> pd.DataFrame:
    """The rows an import rejected, with the reason and the values as read (for a CSV)."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "select line_number, reason, detail, raw_values from staging.rejected_rows "
            "where load_run_id = %s order by line_number limit %s",
            [load_run_id, limit],
        ).fetchall()
    return _flatten(rows)
