"""Row checks, vectorised: each bad row gets one reason, each good row a typed staging row,
and accepted + rejected = rows read whatever the rows are (property-based, with hypothesis)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from salesdw.load import parse
from salesdw.load.countries import CountryResolver
from salesdw.load.mapping import detect
from salesdw.load.readers import RawChunk
from salesdw.load.validate import Validator, _raw, _raw_json
from salesdw.settings import PROJECT_ROOT
from tests.load.conftest import UCI_HEADER, load, write_csv

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def countries() -> CountryResolver:
    with (PROJECT_ROOT / "seeds" / "countries.csv").open(encoding="utf-8") as fh:
        return CountryResolver([(r["country_code"], r["iso_alpha3"], r["name"])
                                for r in csv.DictReader(fh)])  # fmt: skip


def _table(rows: list[list[str | None]]) -> pa.Table:
    return pa.table({name: pa.array([r[i] for r in rows], pa.string())
                     for i, name in enumerate(UCI_HEADER)})  # fmt: skip


def _validator(countries: CountryResolver, sample: pa.Table) -> Validator:
    mapping = detect(UCI_HEADER, sample, has_header=True, countries=countries)
    dates = parse.DateParser(parse.DATE_FAMILIES[0][1], "iso", "UTC")
    return Validator(mapping, dates, countries, currency="EUR", decimals={}, now=NOW)


def _check(validator: Validator, rows: list[list[str | None]], first_line: int = 2):
    table = _table(rows)
    lines = np.arange(first_line, first_line + len(rows), dtype=np.int64)
    return validator.check(RawChunk(table, lines, [], 0))


GOOD = ["1", "A", "Mug", "2", "2024-01-05 10:00", "3.50", "K1", "Germany"]


@pytest.mark.parametrize("change, reason", [
    ({4: "soon"}, "bad_date"), ({4: ""}, "bad_date"), ({4: "2026-01-01"}, "date_out_of_range"),
    ({3: "2.5"}, "bad_quantity"), ({3: "x"}, "bad_quantity"), ({3: "0"}, "zero_quantity"),
    ({3: "2000000"}, "out_of_range"), ({5: "free"}, "bad_price"), ({5: ""}, "bad_price"),
    ({5: "-1"}, "negative_price"), ({5: "200000000"}, "out_of_range"),
    ({6: ""}, "missing_customer"),
    ({7: "Atlantis"}, "unknown_country"), ({0: ""}, "missing_order_id"),
    ({2: "y" * 10_001}, "field_too_long"),
])  # fmt: skip
def test_each_bad_value_has_its_reason(countries, change: dict, reason: str) -> None:
    row = list(GOOD)
    for column, value in change.items():
        row[column] = value
    checked = _check(_validator(countries, _table([GOOD])), [row])
    assert [r.reason for r in checked.rejected] == [reason]
    assert checked.staged.num_rows == 0 and checked.read == 1
    assert checked.rejected[0].raw["InvoiceNo"] == row[0]


def test_a_good_row_is_typed_for_staging(countries) -> None:
    checked = _check(_validator(countries, _table([GOOD])), [GOOD])
    staged = checked.staged.to_pylist()[0]
    assert staged["order_key"] == "1" and staged["line_position"] == 1
    assert staged["customer_key"] == "K1" and staged["country_code"] == "DE"
    assert staged["quantity"] == 2 and staged["unit_price"] == 3.5
    assert staged["ordered_at"] == datetime(2024, 1, 5, 10, 0)  # naive UTC
    assert staged["status"] == "completed" and staged["channel"] == "web"
    assert not staged["is_return"] and staged["raw_values"] is None


def test_returns_are_positive_units_with_their_raw_values(countries) -> None:
    rows = [
        ["C9", "A", "Mug", "-2", "2024-01-06 10:00", "3.50", "K1", "Germany"],
        ["10", "A", "Mug", "-1", "2024-01-06 11:00", "3.50", "K1", "Germany"],
    ]
    staged = _check(_validator(countries, _table(rows)), rows).staged.to_pylist()
    assert [(r["is_return"], r["quantity"], r["refund_amount"]) for r in staged] == [
        (True, 2, 7.0),
        (True, 1, 3.5),
    ]
    assert '"InvoiceNo": "C9"' in staged[0]["raw_values"]


def test_checks_that_span_chunks_remember_earlier_chunks(countries) -> None:
    validator = _validator(countries, _table([GOOD]))
    _check(validator, [GOOD], first_line=2)
    second = list(GOOD)
    second[1] = "B"
    other = list(GOOD)
    other[6] = "K2"
    checked = _check(validator, [GOOD, second, other], first_line=3)
    assert [(r.line_number, r.reason, r.detail) for r in checked.rejected] == [
        (3, "duplicate_row", "same as line 2"),
        (5, "order_customer_conflict", "order 1 belongs to customer K1"),
    ]
    assert checked.staged.column("line_position").to_pylist() == [2]


def test_blank_rows_are_not_rows(countries) -> None:
    checked = _check(_validator(countries, _table([GOOD])), [GOOD, [""] * 8, [None] * 8])
    assert checked.read == 1 and checked.staged.num_rows == 1


_values = st.one_of(st.none(), st.text(max_size=12),
                    st.sampled_from(["", "1", "-3", "0", "2.5", "abc", "2024-01-05 10:00",
                                     "13/13/2024", "Germany", "UK", "Atlantis", "C1",
                                     "1e400", "  7  "]))  # fmt: skip
_rows = st.lists(st.lists(_values, min_size=8, max_size=8), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(chunks=st.lists(_rows, min_size=1, max_size=3))
def test_accepted_plus_rejected_is_rows_read_for_any_rows(countries, chunks) -> None:
    validator = _validator(countries, _table(chunks[0]))
    line = 2
    for rows in chunks:
        checked = _check(validator, rows, first_line=line)
        line += len(rows)
        blank = sum(all(v is None or not v.strip() for v in row) for row in rows)
        assert checked.read == len(rows) - blank
        assert checked.staged.num_rows + len(checked.rejected) == checked.read
        numbers = checked.staged.column("line_number").to_pylist() + [
            r.line_number for r in checked.rejected
        ]
        assert len(numbers) == len(set(numbers))


_file_rows = st.lists(
    st.tuples(
        st.sampled_from(["1", "2", "3", "C4", "", "x"]),
        st.sampled_from(["A", "B", ""]),
        st.sampled_from(["-2", "1", "3", "0", "z", ""]),
        st.sampled_from(["2024-01-05 10:00", "2024-01-04", "nope", ""]),
        st.sampled_from(["3.50", "-1", "1,5", ""]),
        st.sampled_from(["K1", "K2", ""]),
        st.sampled_from(["Germany", "EIRE", "Atlantis", ""]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(lines=_file_rows)
def test_imports_account_for_every_row(db: Engine, tmp_path: Path, lines) -> None:
    path = write_csv(tmp_path / "random.csv",
                     [[o, s, "Thing", q, d, p, c, k] for o, s, q, d, p, c, k in lines],
                     UCI_HEADER)  # fmt: skip
    result = load(db, path, dry_run=True)
    assert result.accepted + result.rejected_total == result.rows_read == len(lines)


_CELLS = st.one_of(st.none(), st.text(max_size=12), st.text(alphabet='"\\\n\x01ñ😀', max_size=6),
                   st.just("x" * 501))  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CELLS, _CELLS), min_size=1, max_size=8))
def test_raw_values_built_by_column_are_the_values_as_read(rows: list[tuple]) -> None:
    # Returns carry their raw values as JSON built in Arrow; it must read back as the row by
    # row JSON would, quotes, backslashes, control characters and long values included.
    table = pa.table({"a": [r[0] for r in rows], 'odd "name\\': [r[1] for r in rows]})
    built = [json.loads(value) for value in _raw_json(table).to_pylist()]
    assert built == [_raw(row) for row in table.to_pylist()]
