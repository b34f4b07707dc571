"""Customers: where they live, what they are called, and which channel brought them.

Faker is slow (about 10k names a second), so it fills small per-locale pools of first names,
last names and cities once; numpy then draws millions of customers from those pools.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
from faker import Faker

# country: (weight in the customer mix, Faker locale, e-mail domains)
MARKETS: dict[str, tuple[float, str, tuple[str, ...]]] = {
    "US": (30.0, "en_US", ("gmail.com", "yahoo.com", "outlook.com", "icloud.com")),
    "GB": (12.0, "en_GB", ("gmail.com", "btinternet.com", "outlook.com")),
    "DE": (10.0, "de_DE", ("gmx.de", "web.de", "gmail.com", "t-online.de")),
    "FR": (7.0, "fr_FR", ("orange.fr", "gmail.com", "free.fr")),
    "CA": (4.5, "en_CA", ("gmail.com", "outlook.com", "shaw.ca")),
    "NL": (4.0, "nl_NL", ("gmail.com", "ziggo.nl", "outlook.com")),
    "ES": (3.8, "es_ES", ("gmail.com", "hotmail.es", "yahoo.es")),
    "IT": (3.5, "it_IT", ("gmail.com", "libero.it", "virgilio.it")),
    "AU": (3.2, "en_AU", ("gmail.com", "bigpond.com", "outlook.com")),
    "SE": (2.2, "sv_SE", ("gmail.com", "telia.com", "outlook.com")),
    "PL": (2.0, "pl_PL", ("gmail.com", "wp.pl", "onet.pl")),
    "BE": (1.8, "nl_BE", ("gmail.com", "skynet.be", "telenet.be")),
    "AT": (1.6, "de_AT", ("gmail.com", "gmx.at", "aon.at")),
    "CH": (1.5, "de_CH", ("gmail.com", "bluewin.ch", "gmx.ch")),
    "IE": (1.2, "en_IE", ("gmail.com", "eircom.net", "outlook.com")),
    "DK": (1.1, "da_DK", ("gmail.com", "mail.dk", "outlook.com")),
    "NO": (1.0, "no_NO", ("gmail.com", "online.no", "outlook.com")),
    "FI": (0.9, "fi_FI", ("gmail.com", "luukku.com", "outlook.com")),
    "PT": (0.9, "pt_PT", ("gmail.com", "sapo.pt", "outlook.com")),
    "BR": (0.8, "pt_BR", ("gmail.com", "uol.com.br", "hotmail.com")),
    "MX": (0.8, "es_MX", ("gmail.com", "hotmail.com", "yahoo.com.mx")),
    "JP": (0.7, "ja_JP", ("gmail.com", "yahoo.co.jp", "docomo.ne.jp")),
    "NZ": (0.6, "en_NZ", ("gmail.com", "xtra.co.nz", "outlook.com")),
    "CZ": (0.6, "cs_CZ", ("gmail.com", "seznam.cz", "email.cz")),
    "IN": (0.6, "en_IN", ("gmail.com", "yahoo.co.in", "rediffmail.com")),
    "GR": (0.4, "el_GR", ("gmail.com", "yahoo.gr", "otenet.gr")),
    "HU": (0.4, "hu_HU", ("gmail.com", "freemail.hu", "citromail.hu")),
    "RO": (0.4, "ro_RO", ("gmail.com", "yahoo.ro", "outlook.com")),
    "KR": (0.3, "ko_KR", ("gmail.com", "naver.com", "daum.net")),
    "TR": (0.3, "tr_TR", ("gmail.com", "hotmail.com", "yandex.com")),
    "SK": (0.25, "sk_SK", ("gmail.com", "azet.sk", "centrum.sk")),
    "SI": (0.2, "sl_SI", ("gmail.com", "siol.net", "outlook.com")),
    "HR": (0.2, "hr_HR", ("gmail.com", "net.hr", "outlook.com")),
    "EE": (0.15, "et_EE", ("gmail.com", "hot.ee", "outlook.com")),
    "LT": (0.15, "lt_LT", ("gmail.com", "one.lt", "outlook.com")),
    "LV": (0.12, "lv_LV", ("gmail.com", "inbox.lv", "outlook.com")),
}

#: Marketing channels (codes of core.marketing_channels) and their share of new customers at
#: the start and at the end of the period: paid social and affiliates grow, display fades.
ACQUISITION_MIX: dict[str, tuple[float, float]] = {
    "organic_search": (0.26, 0.20),
    "paid_search": (0.22, 0.21),
    "paid_social": (0.08, 0.17),
    "organic_social": (0.04, 0.06),
    "email": (0.05, 0.05),
    "affiliate": (0.05, 0.08),
    "display": (0.08, 0.03),
    "referral": (0.07, 0.06),
    "direct": (0.15, 0.14),
}


def home_market_for(locale: str) -> str | None:
    """The country whose Faker locale is `locale` (e.g. de_DE -> DE), if salesdw knows it."""
    for country, (_, market_locale, _) in MARKETS.items():
        if market_locale.lower() == locale.lower():
            return country
    return None


@dataclass
class NamePools:
    first: list[np.ndarray]  # per market
    last: list[np.ndarray]
    city: list[np.ndarray]
    first_ascii: list[np.ndarray]
    last_ascii: list[np.ndarray]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def build_name_pools(seed: int, pool_size: int) -> NamePools:
    """Per-market pools of names and cities from Faker, seeded for determinism.

    E-mail handles need ASCII: names in other scripts take a romanized name where the locale
    has them (Japanese), else a Latin-script one, so nobody is customer.shopper@...
    """
    pools = NamePools([], [], [], [], [])
    latin = Faker("en_US")
    latin.seed_instance(seed)
    for offset, (_, locale, _) in enumerate(MARKETS.values()):
        fake = Faker(locale)
        fake.seed_instance(seed * 1000 + offset)
        first = np.unique([fake.first_name() for _ in range(pool_size)])
        last = np.unique([fake.last_name() for _ in range(pool_size)])
        city = np.unique([fake.city() for _ in range(max(pool_size // 4, 10))])
        romanized = hasattr(fake, "first_romanized_name")
        first_ascii = [
            _ascii(name) or _ascii(fake.first_romanized_name() if romanized else latin.first_name())
            for name in first
        ]
        last_ascii = [
            _ascii(name) or _ascii(fake.last_romanized_name() if romanized else latin.last_name())
            for name in last
        ]
        pools.first.append(first)
        pools.last.append(last)
        pools.city.append(city)
        pools.first_ascii.append(np.array(first_ascii))
        pools.last_ascii.append(np.array(last_ascii))
    return pools


def market_weights(home: str | None) -> np.ndarray:
    """Share of customers per market: a few big markets and a long tail (home market 60%)."""
    weights = np.array([w for w, _, _ in MARKETS.values()])
    weights = weights / weights.sum()
    if home is not None:
        home_index = list(MARKETS).index(home)
        weights = weights * 0.4 / (1 - weights[home_index])
        weights[home_index] = 0.6
    return weights / weights.sum()


def acquisition_channels(progress: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A channel index (into ACQUISITION_MIX) per customer; `progress` is where in the period
    (0..1) they signed up. Inverse-CDF, one channel at a time: no customers x channels matrix."""
    start = np.array([s for s, _ in ACQUISITION_MIX.values()])
    end = np.array([e for _, e in ACQUISITION_MIX.values()])
    total = start.sum() * (1 - progress) + end.sum() * progress
    u = rng.random(len(progress)) * total
    picks = np.zeros(len(progress), dtype=np.int8)
    cumulative = np.zeros(len(progress))
    for k in range(len(start) - 1):
        cumulative += start[k] * (1 - progress) + end[k] * progress
        picks += u > cumulative
    return picks
