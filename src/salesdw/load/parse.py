"""Turn a column of raw values into typed values a whole column at a time (Arrow compute, numpy):
numbers with either decimal separator and currency signs, dates and times in the format the
sample shows, order statuses and sales channels in their common spellings, yes/no flags."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from salesdw.load.errors import MappingError

__all__ = ["DateParser", "channels", "flags", "numbers", "statuses", "text"]

_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_NOT_NUMBER_CHARS = "[€$£¥\\s\u00a0\u202f']|^(EUR|USD|GBP|CHF)|(EUR|USD|GBP|CHF)$"


def text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trimmed text; empty values become null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def missing(values: pa.Array) -> np.ndarray:
    return pc.is_null(values).to_numpy(zero_copy_only=False)


def decimal_separator(values: pa.Array) -> str:
    """',' when the values write decimals with a comma (2,55 or 1.234,56), else '.'."""
    sample = [v for v in text(values).to_pylist()[:2000] if v]
    comma = sum(bool(re.search(r",\d{1,2}$", v)) for v in sample)
    point = sum(bool(re.search(r"\.\d{1,2}$", v)) for v in sample)
    return "," if comma > point else "."


def numbers(values: pa.Array, decimal: str = ".", *, trimmed: bool = False
            ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(float64 values, NaN where missing or bad; mask of the bad ones: present but not a
    number). Typed columns (Parquet, Excel numbers) pass straight through; `trimmed` says the
    text went through text() already."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        result = values.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(result, dtype=np.float64), np.zeros(len(values), bool)
    if pa.types.is_boolean(kind):
        return np.full(len(values), np.nan), ~missing(values)
    raw = values if trimmed else text(values)
    if decimal == ".":
        try:  # the common case: plain numbers, cast in one go
            parsed = pc.cast(raw, pa.float64())
            result = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=np.float64)
            infinite = np.isinf(result)
            if not infinite.any():
                return result, np.zeros(len(values), bool)
        except pa.ArrowInvalid:
            pass
    cleaned = pc.replace_substring_regex(raw, _NOT_NUMBER_CHARS, "")
    cleaned = pc.replace_substring_regex(cleaned, r"^\((.*)\)$", r"-\1")  # (12.50): negative
    # thousands separators only before three digits: 1,5 is no number in a 1,234.50 file
    if decimal == ",":
        cleaned = pc.replace_substring_regex(cleaned, r"\.(\d{3})", r"\1")
        cleaned = pc.replace_substring(cleaned, ",", ".")
    else:
        cleaned = pc.replace_substring_regex(cleaned, r",(\d{3})", r"\1")
    ok = pc.match_substring_regex(cleaned, _NUMBER)
    parsed = pc.cast(pc.if_else(ok, cleaned, pa.scalar(None, pa.string())), pa.float64())
    result = np.array(parsed.to_numpy(zero_copy_only=False), dtype=np.float64)  # a copy
    bad = ~missing(raw) & ~ok.fill_null(False).to_numpy(zero_copy_only=False)
    infinite = np.isinf(result)  # 1e400: a number, but none that fits
    result[infinite] = np.nan
    return result, bad | infinite


_ISO = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
        "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")  # fmt: skip


def _family(first: str, second: str, sep: str) -> tuple[str, ...]:
    day = f"%{first}{sep}%{second}{sep}%Y"
    return (f"{day} %H:%M:%S", f"{day} %H:%M", day)


#: Date families in order of preference when a sample fits several equally.
DATE_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ISO 8601 (year-month-day)", _ISO),
    ("day.month.year", _family("d", "m", ".")),
    ("month/day/year", _family("m", "d", "/")),
    ("day/month/year", _family("d", "m", "/")),
    ("day-month-year", _family("d", "m", "-")),
    ("month-day-year", _family("m", "d", "-")),
)


@dataclass(frozen=True)
class DateParser:
    """Parses date-time text with a family of strptime formats; naive times are read in
    `timezone` (on a daylight-saving change: the earlier of two, the later for a gap)."""

    formats: tuple[str, ...]
    label: str
    timezone: str = "UTC"

    @classmethod
    def _given(cls, sample: pa.Array, timezone: str, date_format: str) -> DateParser:
        """The mapping file's format, refused when it reads none of the sample's dates (a
        typo such as %Q, or the wrong order): otherwise every row would be rejected."""
        parser = cls((date_format,), f"{date_format} (mapping file)", timezone)
        if not pa.types.is_string(sample.type) and not pa.types.is_large_string(sample.type):
            return parser
        values = text(sample)
        present = [value for value in values.to_pylist() if value and value.strip()]
        if present and not np.count_nonzero(parser.parse(values)[0] != _NAT):
            raise MappingError(
                f"date_format {date_format!r} in the mapping file reads none of the first "
                f"dates (e.g. {present[0]!r}); correct it (strftime codes such as "
                "'%d/%m/%Y %H:%M') or leave it out to detect the format"
            )
        return parser

    @classmethod
    def detect(cls, sample: pa.Array, timezone: str, date_format: str | None = None
               ) -> tuple[DateParser, str | None]:  # fmt: skip
        """The family that parses most of the sample, and a note when the sample could be read
        two ways (day/month or month/day)."""
        if date_format:
            return cls._given(sample, timezone, date_format), None
        if not pa.types.is_string(sample.type) and not pa.types.is_large_string(sample.type):
            return cls(_ISO, "typed", timezone), None
        values = text(sample)
        present = len(values) - values.null_count
        scores = []
        for label, formats in DATE_FAMILIES:
            parsed = cls(formats, label, timezone).parse(values)[0]
            scores.append((int(np.count_nonzero(parsed != _NAT)), label, formats))
        best = max(s[0] for s in scores)
        winners = [s for s in scores if s[0] == best]
        note = None
        if present and best and {w[1] for w in winners} >= {"month/day/year", "day/month/year"}:
            note = (
                "Dates such as 01/02 could be day/month or month/day; read as month/day/year"
                ". If that is wrong, set date_format: '%d/%m/%Y %H:%M' in a mapping file."
            )
        formats = winners[0][2]
        # the formats the sample uses first: each row costs a pass per format tried before
        hits = {fmt: np.count_nonzero(cls((fmt,), "", timezone).parse(values)[0] != _NAT)
                for fmt in formats}  # fmt: skip
        ordered = tuple(sorted(formats, key=lambda f: -hits[f]))
        return cls(ordered, winners[0][1], timezone), note

    def parse(self, values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """(microseconds since 1970 UTC, _NAT where missing or bad; mask of the bad ones)."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        kind = values.type
        if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            stamps = values.cast(pa.timestamp("us", tz=getattr(kind, "tz", None)))
            if stamps.type.tz is None:
                stamps = self._localise(stamps)
            micros = stamps.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)
            return micros, np.zeros(len(values), bool)
        raw = text(values)
        # sub-second digits are dropped (strptime knows none)
        cleaned = pc.replace_substring_regex(raw, r"(\d:\d\d)\.\d+", r"\1")
        result = np.full(len(values), _NAT, dtype=np.int64)
        todo = np.flatnonzero(~missing(cleaned))
        for fmt in self.formats:
            if not len(todo):
                break
            subset = cleaned.take(pa.array(todo))
            parsed = pc.strptime(subset, format=fmt, unit="us", error_is_null=True)
            if parsed.type.tz is None:
                parsed = self._localise(parsed)
            micros = parsed.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)
            hit = micros != _NAT
            result[todo[hit]] = micros[hit]
            todo = todo[~hit]
        bad = np.zeros(len(values), bool)
        bad[todo] = True
        return result, bad

    def _localise(self, stamps: pa.Array) -> pa.Array:
        if self.timezone == "UTC":
            return stamps.cast(pa.timestamp("us", tz="UTC"))
        return pc.assume_timezone(stamps, self.timezone, ambiguous="earliest",
                                  nonexistent="latest")  # fmt: skip


_NAT = np.iinfo(np.int64).min
NAT = _NAT


def _table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {key: target for target, keys in groups.items() for key in keys}


STATUS_VALUES = _table({
    "cancelled": ("cancelled", "canceled", "cancel", "cancellation", "void", "voided",
                  "unavailable", "failed", "declined", "rejected", "abandoned", "expired",
                  "deleted", "storno"),
    "returned": ("returned", "refunded", "return", "refund", "returned_to_sender", "rma",
                 "fully_refunded"),
    "completed": ("completed", "complete", "delivered", "fulfilled", "closed", "paid", "done",
                  "success", "successful", "finished", "settled", "captured", "partially_refunded",
                  "partially_returned", "archived", "invoiced_paid", "ok"),
    "shipped": ("shipped", "dispatched", "in_transit", "intransit", "sent", "out_for_delivery",
                "shipping", "partially_shipped", "partially_fulfilled", "on_the_way"),
    "placed": ("placed", "pending", "processing", "created", "approved", "invoiced", "open",
               "new", "ordered", "authorized", "authorised", "awaiting_payment", "on_hold",
               "onhold", "unpaid", "partially_paid", "confirmed", "received", "unfulfilled",
               "backordered", "awaiting_shipment", "payment_pending"),
})  # fmt: skip

CHANNEL_VALUES = _table({
    "web": ("web", "website", "online", "online_store", "webshop", "web_shop", "ecommerce",
            "e_commerce", "desktop", "internet", "shopify", "woocommerce", "magento", "www"),
    "mobile_app": ("app", "mobile", "mobile_app", "ios", "android", "iphone", "ipad",
                   "app_store", "shopify_mobile"),
    "marketplace": ("marketplace", "amazon", "ebay", "etsy", "zalando", "bol", "bol_com",
                    "allegro", "mercadolibre", "mercado_livre", "otto", "cdiscount", "walmart",
                    "rakuten", "aliexpress", "wish"),
    "social": ("social", "instagram", "facebook", "tiktok", "pinterest", "whatsapp",
               "snapchat", "youtube", "facebook_shop", "instagram_shop", "tiktok_shop"),
})  # fmt: skip


def _key(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", value.casefold()).strip("_")


def _lookup(values: pa.Array, table: dict[str, str]) -> tuple[np.ndarray, Counter]:
    """(mapped value per row, None where empty or unknown, as objects; how many rows hold
    each value that is not known)."""
    encoded = pc.dictionary_encode(text(values))
    dictionary = encoded.dictionary.to_pylist()
    mapped = [table.get(_key(v)) for v in dictionary]
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    lookup = np.array([*mapped, None], dtype=object)
    unknown: Counter = Counter()
    if any(m is None for m in mapped):
        counts = np.bincount(indices[indices >= 0], minlength=len(dictionary))
        unknown.update({v: int(counts[i]) for i, (v, m) in enumerate(zip(dictionary, mapped,
                        strict=True)) if m is None and counts[i]})  # fmt: skip
    return lookup[np.where(indices >= 0, indices, len(dictionary))], unknown


def statuses(values: pa.Array) -> tuple[np.ndarray, np.ndarray, Counter]:
    """(core status or None where empty, as objects; mask of values not understood; how
    many rows hold each of those)."""
    mapped, unknown_values = _lookup(values, STATUS_VALUES)
    unknown = (mapped == None) & ~missing(text(values))  # noqa: E711 (element-wise)
    return mapped, unknown, unknown_values


def channels(values: pa.Array) -> tuple[np.ndarray, Counter]:
    """(core channel per row, 'web' where empty or not recognised; how many rows hold each
    value not recognised, which the summary reports)."""
    mapped, unknown_values = _lookup(values, CHANNEL_VALUES)
    return np.where(mapped == None, "web", mapped).astype(object), unknown_values  # noqa: E711


_FALSY = ["", "0", "false", "no", "n", "f", "none", "null", "nan", "0.0", "nein", "non"]


def flags(values: pa.Array) -> np.ndarray:
    """True where a flag column is set: any value but empty, 0, false, no (so a 'Cancelled at'
    date counts as cancelled)."""
    if pa.types.is_boolean(values.type):
        return values.fill_null(False).to_numpy(zero_copy_only=False)
    lowered = pc.utf8_lower(text(values).fill_null(""))
    return ~pc.is_in(lowered, pa.array(_FALSY)).to_numpy(zero_copy_only=False)
