"""Seed files: complete and well-formed before any migration reads them."""

from __future__ import annotations

import csv
import re

from salesdw.settings import PROJECT_ROOT


def _countries() -> list[dict[str, str]]:
    with (PROJECT_ROOT / "seeds" / "countries.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_countries_cover_all_of_iso_3166() -> None:
    rows = _countries()
    assert len(rows) == 249
    assert len({r["country_code"] for r in rows}) == 249
    assert len({r["iso_alpha3"] for r in rows}) == 249
    assert len({r["name"] for r in rows}) == 249


def test_country_codes_and_currencies_are_well_formed() -> None:
    for row in _countries():
        assert re.fullmatch(r"[A-Z]{2}", row["country_code"]), row
        assert re.fullmatch(r"[A-Z]{3}", row["iso_alpha3"]), row
        assert row["region"] in {"Africa", "Americas", "Asia", "Europe", "Oceania", "Antarctica"}
        assert row["subregion"], row
        assert row["currency_code"] == "" or re.fullmatch(r"[A-Z]{3}", row["currency_code"])
