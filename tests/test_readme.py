"""Every SQL statement the README shows runs on a seeded, trained warehouse: the examples are
what users paste into psql first, so a renamed column or a wrong cast must fail here."""

from __future__ import annotations

import re

import psycopg
import pytest

from salesdw.settings import PROJECT_ROOT
from tests.conftest import Trained


def _statements() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    statements = []
    for block in re.findall(r"^```sql\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL):
        # psql's own commands (\dv+) are not SQL
        sql = "\n".join(line for line in block.splitlines() if not line.startswith("\\"))
        statements += [part.strip() for part in re.split(r";\s*$", sql, flags=re.MULTILINE)]
    return [statement for statement in statements if re.search(r"^\s*select", statement, re.M)]


STATEMENTS = _statements()


def test_the_readme_shows_sql_examples() -> None:
    assert len(STATEMENTS) >= 10


@pytest.mark.parametrize("statement", STATEMENTS, ids=range(len(STATEMENTS)))
def test_readme_sql_runs(trained: Trained, statement: str) -> None:
    conninfo = trained.engine.url.set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as conn:
        conn.execute("set transaction read only")
        conn.execute(statement).fetchall()
