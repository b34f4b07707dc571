"""Column-at-a-time parsing: numbers in either notation, dates in the family the sample shows,
statuses and channels in their common spellings, flags."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from salesdw.load import parse
from salesdw.load.errors import MappingError


def test_numbers_in_either_notation_with_currency_signs() -> None:
    values, bad = parse.numbers(pa.array(["2.55", " 3 ", "€1,234.50", "(4.00)", "", None,
                                          "abc", "1e3", "1,5", "1e400"]))  # fmt: skip
    assert values[:4].tolist() == [2.55, 3.0, 1234.5, -4.0]
    assert np.isnan(values[4:7]).all() and values[7] == 1000.0 and np.isnan(values[8:]).all()
    assert bad.tolist() == [False] * 6 + [True, False, True, True]
    comma, bad = parse.numbers(pa.array(["2,55", "1.004,95", "-3", "x"]), ",")
    assert comma[:3].tolist() == [2.55, 1004.95, -3.0] and bad.tolist()[-1]


def test_the_decimal_separator_is_read_from_the_values() -> None:
    assert parse.decimal_separator(pa.array(["2,55", "1.004,95", "3"])) == ","
    assert parse.decimal_separator(pa.array(["2.55", "1,004.95", "3"])) == "."


def test_typed_numbers_pass_through() -> None:
    values, bad = parse.numbers(pa.array([1, 2, None], pa.int64()))
    assert values[:2].tolist() == [1.0, 2.0] and np.isnan(values[2]) and not bad.any()


def _utc(values: np.ndarray) -> list:
    return [None if v == parse.NAT else datetime.fromtimestamp(v / 1e6, UTC) for v in values]


def test_the_date_family_is_the_one_that_reads_the_sample() -> None:
    us = pa.array(["12/1/2010 8:26", "12/13/2010 16:05"])
    parser, note = parse.DateParser.detect(us, "UTC")
    assert parser.label == "month/day/year" and note is None
    german = pa.array(["01.12.2010 08:26", "13.12.2010"])
    parser, _ = parse.DateParser.detect(german, "UTC")
    assert parser.label == "day.month.year"
    assert _utc(parser.parse(german)[0]) == [datetime(2010, 12, 1, 8, 26, tzinfo=UTC),
                                             datetime(2010, 12, 13, tzinfo=UTC)]  # fmt: skip


def test_ambiguous_day_month_dates_come_with_a_note() -> None:
    parser, note = parse.DateParser.detect(pa.array(["01/02/2024", "03/04/2024"]), "UTC")
    assert parser.label == "month/day/year" and "date_format" in note


@pytest.mark.parametrize("date_format", ["%Q", "%d/%m/%Y"])
def test_a_mapping_date_format_that_reads_no_date_is_refused(date_format: str) -> None:
    """A typo or the wrong order would reject every row as bad_date, with exit code 0."""
    sample = pa.array(["2025-12-05 09:00", None, "2025-12-06 10:00"])
    with pytest.raises(MappingError, match=f"date_format '{date_format}' in the mapping file "
                       "reads none of the first dates \\(e.g. '2025-12-05 09:00'\\)"):  # fmt: skip
        parse.DateParser.detect(sample, "UTC", date_format)


def test_a_mapping_date_format_that_reads_the_dates_is_used() -> None:
    sample = pa.array(["05/12/2025 09:00", "bad"])
    parser, note = parse.DateParser.detect(sample, "UTC", "%d/%m/%Y %H:%M")
    assert note is None and parser.formats == ("%d/%m/%Y %H:%M",)
    assert _utc(parser.parse(sample)[0])[0] == datetime(2025, 12, 5, 9, tzinfo=UTC)


def test_iso_times_with_offsets_fractions_and_zones() -> None:
    values = pa.array(["2024-03-01 10:15:00 +0100", "2024-03-01T10:15:00.123Z",
                       "2024-03-01T10:15:00+01:00", "2024-03-01 10:15", "2024-03-01", "nope",
                       None])  # fmt: skip
    parser = parse.DateParser(parse.DATE_FAMILIES[0][1], "iso", "Europe/Berlin")
    stamps, bad = parser.parse(values)
    assert _utc(stamps)[:5] == [
        datetime(2024, 3, 1, 9, 15, tzinfo=UTC),
        datetime(2024, 3, 1, 10, 15, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 15, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 15, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 0, tzinfo=UTC),
    ]
    assert bad.tolist() == [False] * 5 + [True, False]


def test_typed_timestamps_are_read_in_the_time_zone() -> None:
    naive = pa.array([datetime(2024, 7, 1, 12, 0)], pa.timestamp("us"))
    stamps, _ = parse.DateParser(parse.DATE_FAMILIES[0][1], "typed", "America/New_York").parse(
        naive
    )
    assert _utc(stamps) == [datetime(2024, 7, 1, 16, 0, tzinfo=UTC)]


def test_statuses_in_their_common_spellings() -> None:
    mapped, unknown, counts = parse.statuses(
        pa.array(["Delivered", "canceled", "REFUNDED", "in transit", "pending", "", "teleported"])
    )
    assert mapped.tolist() == ["completed", "cancelled", "returned", "shipped", "placed", None,
                               None]  # fmt: skip
    assert unknown.tolist() == [False] * 6 + [True]
    assert counts == {"teleported": 1}


def test_channels_unknown_ones_are_web_and_counted() -> None:
    mapped, unknown = parse.channels(pa.array(["Online Store", "iOS", "Amazon", "TikTok",
                                               "pos", "pos", None]))  # fmt: skip
    assert mapped.tolist() == ["web", "mobile_app", "marketplace", "social", "web", "web", "web"]
    assert unknown == {"pos": 2}


def test_flags_any_value_but_empty_zero_false_or_no() -> None:
    flags = parse.flags(pa.array(["", "0", "false", "No", "1", "yes", "2024-03-04 13:00",
                                  None]))  # fmt: skip
    assert flags.tolist() == [False, False, False, False, True, True, True, False]
