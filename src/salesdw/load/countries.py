"""Country names and codes in any common form to ISO 3166-1 alpha-2: the names, alpha-2 and
alpha-3 codes of core.countries, plus the variants shops and public datasets use ('UK',
'EIRE', 'USA', 'Deutschland', ...). Matching ignores case, accents and punctuation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ALIASES", "MISSING", "CountryResolver"]

#: Variants that are not in core.countries as name or code, by the alpha-2 code they mean.
ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland",
           "Vereinigtes Königreich", "Royaume-Uni", "Reino Unido", "Regno Unito"),
    "IE": ("EIRE", "Éire", "Republic of Ireland", "Irland", "Irlande", "Irlanda"),
    "US": ("USA", "U.S.A.", "U.S.", "United States of America", "America", "Vereinigte Staaten",
           "États-Unis", "Estados Unidos", "Stati Uniti"),
    "DE": ("Deutschland", "Allemagne", "Alemania", "Germania", "Duitsland", "Niemcy",
           "Federal Republic of Germany"),
    "NL": ("Holland", "The Netherlands", "Nederland", "Niederlande", "Pays-Bas", "Países Bajos"),
    "FR": ("Frankreich", "Francia", "Frankrijk", "République française"),
    "ES": ("España", "Spanien", "Espagne", "Spagna"),
    "IT": ("Italia", "Italien", "Italie"),
    "AT": ("Österreich", "Autriche", "Austria"),
    "CH": ("Schweiz", "Suisse", "Svizzera", "Switzerland", "Confoederatio Helvetica"),
    "BE": ("Belgique", "België", "Belgien", "Bélgica"),
    "DK": ("Danmark", "Dänemark", "Danemark"),
    "SE": ("Sverige", "Schweden", "Suède"),
    "NO": ("Norge", "Norwegen", "Norvège"),
    "FI": ("Suomi", "Finnland"),
    "PL": ("Polska", "Polen", "Pologne"),
    "PT": ("Portugal", "Portugalia"),
    "GR": ("Greece", "Hellas", "Ellada", "Griechenland", "Grèce"),
    "CZ": ("Czech Republic", "Česko", "Česká republika", "Tschechien"),
    "HU": ("Magyarország", "Ungarn"),
    "LU": ("Luxemburg", "Lëtzebuerg"),
    "RU": ("Russia", "Russland", "Россия"),
    "KR": ("Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)"),
    "KP": ("Korea, Democratic People's Republic of", "Korea (North)"),
    "ZA": ("RSA", "Republic of South Africa"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "TR": ("Turkey", "Türkei", "Turquie", "Turkiye"),
    "CN": ("PRC", "People's Republic of China", "China, People's Republic of"),
    "TW": ("Taiwan, Province of China", "Republic of China"),
    "HK": ("Hong Kong SAR", "Hong Kong, China"),
    "VN": ("Viet Nam",),
    "IR": ("Iran, Islamic Republic of",),
    "SY": ("Syrian Arab Republic",),
    "LA": ("Lao People's Democratic Republic",),
    "BO": ("Bolivia, Plurinational State of",),
    "VE": ("Venezuela, Bolivarian Republic of",),
    "TZ": ("Tanzania, United Republic of",),
    "MD": ("Moldova, Republic of",),
    "MK": ("Macedonia", "FYROM"),
    "CD": ("DR Congo", "DRC", "Congo, The Democratic Republic of the"),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "CV": ("Cape Verde",),
    "SZ": ("Swaziland",),
    "VA": ("Vatican", "Vatican City", "Holy See"),
    "PS": ("Palestine, State of", "Palestinian Territories"),
    "BN": ("Brunei",),
    "MX": ("México",),
    "BR": ("Brasil",),
    "JP": ("Nippon", "Japan"),
    "SA": ("KSA", "Kingdom of Saudi Arabia"),
}  # fmt: skip

#: Values that mean "no country given": the row loads with no country, it is not rejected.
#: Compared without case or surrounding spaces, before any lookup ('NA' is Namibia, 'n/a' not).
MISSING = ("", "unspecified", "unknown", "n/a", "none", "null", "-", "--", "?", "nan")


def normalise(value: str) -> str:
    """Lower case, no accents, letters and digits only: 'Éire' -> 'eire', 'U.S.A.' -> 'usa'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z\u0400-\u04ff]", "", plain)


class CountryResolver:
    """Resolves country values to alpha-2 codes, a whole column at a time."""

    def __init__(
        self,
        countries: Iterable[tuple[str, str, str]],
        extra_aliases: Mapping[str, str] | None = None,
    ) -> None:
        """`countries`: (alpha-2, alpha-3, name) rows of core.countries; `extra_aliases`:
        value -> alpha-2 from a mapping file, which win over the built-in ones."""
        lookup: dict[str, str] = {}
        codes = set()
        for alpha2, alpha3, name in countries:
            codes.add(alpha2)
            for key in (alpha2, alpha3, name):
                lookup[normalise(key)] = alpha2
        for alpha2, variants in ALIASES.items():
            if alpha2 in codes:
                for variant in variants:
                    lookup.setdefault(normalise(variant), alpha2)
        for value, alpha2 in (extra_aliases or {}).items():
            code = str(alpha2).strip().upper()
            if code not in codes:
                raise ValueError(f"{code!r} (for {value!r}) is not an ISO alpha-2 code")
            lookup[normalise(str(value))] = code
        self.codes = frozenset(codes)
        self._lookup = lookup
        self._missing = frozenset(MISSING)

    def resolve_one(self, value: str | None) -> str | None:
        if self.is_missing(value):
            return None
        return self._lookup.get(normalise(value))

    def is_missing(self, value: str | None) -> bool:
        return value is None or value.strip().casefold() in self._missing

    def resolve(self, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
        """(alpha-2 codes, null where missing or unknown; mask of the unknown values).
        Distinct values are resolved once: a column of a million rows holds a few dozen."""
        text = pc.utf8_trim_whitespace(values.cast(pa.string()))
        encoded = pc.dictionary_encode(text).combine_chunks() if isinstance(
            text, pa.ChunkedArray) else pc.dictionary_encode(text)  # fmt: skip
        dictionary = encoded.dictionary.to_pylist()
        codes = [self.resolve_one(v) for v in dictionary]
        missing = [self.is_missing(v) for v in dictionary]
        indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        valid = indices >= 0
        no_code = np.array([code is None for code in codes] + [True])
        missing_array = np.array([*missing, True])
        picked = np.where(valid, indices, len(dictionary))
        unknown = no_code[picked] & ~missing_array[picked]
        # taken from the few distinct codes in Arrow: no Python object per row
        return pa.array([*codes, None], pa.string()).take(pa.array(picked)), unknown
