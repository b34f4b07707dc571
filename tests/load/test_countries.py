"""Country names and codes in their common forms resolve to ISO alpha-2."""

from __future__ import annotations

import csv

import pyarrow as pa
import pytest

from salesdw.load.countries import CountryResolver
from salesdw.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    with (PROJECT_ROOT / "seeds" / "countries.csv").open(encoding="utf-8") as fh:
        rows = [(r["country_code"], r["iso_alpha3"], r["name"]) for r in csv.DictReader(fh)]
    return CountryResolver(rows, {"Channel Islands": "JE"})


@pytest.mark.parametrize("value, code", [
    ("United Kingdom", "GB"), ("UK", "GB"), ("u.k.", "GB"), ("England", "GB"), ("GBR", "GB"),
    ("EIRE", "IE"), ("Éire", "IE"), ("USA", "US"), ("United States", "US"), ("us", "US"),
    ("Deutschland", "DE"), ("germany", "DE"), ("DEU", "DE"), ("de", "DE"),
    ("Österreich", "AT"), ("España", "ES"), ("The Netherlands", "NL"), ("Holland", "NL"),
    ("RSA", "ZA"), ("Czech Republic", "CZ"), ("Korea, Republic of", "KR"),
    ("Türkiye", "TR"), ("Turkey", "TR"), ("  france  ", "FR"), ("Channel Islands", "JE"),
    ("NA", "NA"),
])  # fmt: skip
def test_common_variants_resolve(resolver: CountryResolver, value: str, code: str) -> None:
    assert resolver.resolve_one(value) == code


def test_a_column_resolves_at_once_with_missing_and_unknown_apart(
    resolver: CountryResolver,
) -> None:
    codes, unknown = resolver.resolve(pa.array(["UK", "Unspecified", None, "", "Atlantis",
                                                "n/a", "France", "UK"]))  # fmt: skip
    assert codes.to_pylist() == ["GB", None, None, None, None, None, "FR", "GB"]
    assert unknown.tolist() == [False, False, False, False, True, False, False, False]


def test_an_alias_to_an_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="not an ISO alpha-2 code"):
        CountryResolver([("DE", "DEU", "Germany")], {"Narnia": "XX"})
