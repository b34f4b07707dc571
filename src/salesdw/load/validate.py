"""Check every row, a chunk at a time and vectorised: parsable dates, quantities and prices,
required ids present, known countries and statuses, sane ranges, no duplicate lines, one
customer per order. Each row either becomes a typed staging row or a rejected row with its
reason and raw values; the checks that span chunks (duplicates, orders) keep a small state."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from salesdw.load import parse
from salesdw.load.countries import CountryResolver
from salesdw.load.mapping import Mapping
from salesdw.load.readers import BadLine, RawChunk, hash_rows
from salesdw.schema import REJECT_REASONS

__all__ = ["REASONS", "Rejected", "Validator"]

#: What each reason means, for the summary and the README.
REASONS: dict[str, str] = {
    "malformed_line": "the line has more fields than the header",
    "field_too_long": "a value is longer than 10,000 characters",
    "duplicate_row": "the same values as an earlier line of the file",
    "missing_customer": "no customer id or e-mail",
    "missing_order_id": "the order number is empty",
    "bad_date": "the order date is empty or not a date",
    "date_out_of_range": "the order date is before 1990 or in the future",
    "bad_quantity": "the quantity is not a whole number",
    "zero_quantity": "the quantity is 0",
    "bad_price": "the unit price (or cost) is empty or not a number",
    "negative_price": "the unit price is negative",
    "bad_amount": "the line amount (or refund) is not a number",
    "bad_discount": "the discount is not a number or above the line's value",
    "out_of_range": "a quantity above 1,000,000 or a price above 100,000,000",
    "unknown_country": "the country is not one salesdw knows (add it under country_aliases)",
    "unknown_status": "the order status is not one salesdw understands",
    "other_currency": "the line is in another currency than the import's",
    "order_customer_conflict": "the order number was used by another customer earlier",
    "order_too_long": "the order has more than 32,767 lines",
    "return_without_sale": "a return of a product the customer never bought before it",
}
assert set(REASONS) == set(REJECT_REASONS)

_CODES = {reason: i + 1 for i, reason in enumerate(REJECT_REASONS)}
MAX_FIELD_CHARS = 10_000
MAX_QUANTITY = 1_000_000
MAX_PRICE_CENTS = 100_000_000 * 100
MAX_LINE_NUMBER = 32_767
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
UNSPECIFIED_SKU = "UNSPECIFIED"
UNSPECIFIED_PRODUCT = "Unspecified product"
_SHOWN_CHARS = 500
_EMAIL = r"^[^@\s]+@[^@\s]+$"


@dataclass
class Rejected:
    line_number: int
    reason: str
    detail: str
    raw: dict[str, str]


@dataclass
class Checked:
    """One chunk after the checks: staging rows (an Arrow table shaped like
    staging.import_rows, without load_run_id) and rejected rows."""

    staged: pa.Table
    rejected: list[Rejected]
    read: int


@dataclass
class _Orders:
    """Across chunks: each order's customer and how many sale and return lines it has."""

    customer: dict[str, str] = field(default_factory=dict)
    sales: dict[str, int] = field(default_factory=dict)
    returns: dict[str, int] = field(default_factory=dict)


class Validator:
    """Checks chunks in file order, remembering what spans chunks."""

    def __init__(
        self, mapping: Mapping, dates: parse.DateParser, countries: CountryResolver, *,
        currency: str, decimals: dict[str, str], now: datetime | None = None,
    ) -> None:  # fmt: skip
        self.mapping, self.dates, self.countries = mapping, dates, countries
        self.currency = currency
        self.decimals = decimals
        latest = (now or datetime.now(UTC)) + timedelta(days=1)
        self._earliest_us = int(EARLIEST.timestamp() * 1_000_000)
        self._latest_us = int(latest.timestamp() * 1_000_000)
        self._hashes = np.zeros(0, np.uint64)  # every distinct row so far, sorted
        self._hash_lines = np.zeros(0, np.int64)  # the line where each first appeared
        self._orders = _Orders()
        self.unknown_channels: Counter = Counter()
        self.unknown_statuses: Counter = Counter()
        self.blank_lines = 0

    # -- helpers -------------------------------------------------------------------------------
    def _column(self, table: pa.Table, name: str) -> pa.Array | None:
        """The field's values as read (text for CSV and Excel, typed for Parquet)."""
        source = self.mapping.sources.get(name)
        if source is None:
            return None
        if source.value is not None:
            return pa.array([source.value] * table.num_rows, pa.string())
        return table.column(source.column).combine_chunks()

    def _text(self, table: pa.Table, name: str) -> pa.Array | None:
        """The field's values as trimmed text, null where empty (computed once per chunk)."""
        source = self.mapping.sources.get(name)
        if source is None:
            return None
        if source.value is not None:
            return parse.text(pa.array([source.value] * table.num_rows, pa.string()))
        return self._texts[source.column]

    def _numbers(self, table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        values = self._column(table, name)
        if values is None:
            return None
        if pa.types.is_string(values.type):
            values = self._text(table, name)
            return parse.numbers(values, self.decimals.get(name, "."), trimmed=True)
        return parse.numbers(values, self.decimals.get(name, "."))

    # -- the checks ----------------------------------------------------------------------------
    def check(self, chunk: RawChunk) -> Checked:
        rejected = [Rejected(b.line_number, "malformed_line", b.detail, b.raw)
                    for b in chunk.bad_lines]  # fmt: skip
        table = chunk.table
        n = table.num_rows
        if n == 0:
            return Checked(_empty_staged(), rejected, len(rejected))
        lines = chunk.line_numbers
        reason = np.zeros(n, np.int8)  # 0: fine so far; else 1 + index in REJECT_REASONS
        details: dict[int, str] = {}

        def fail(mask: np.ndarray, code: str, text: object = "") -> None:
            new = mask & (reason == 0)
            if new.any():
                reason[new] = _CODES[code]
                where = np.flatnonzero(new)
                if isinstance(text, np.ndarray):
                    details.update(zip(where.tolist(), text[where].tolist(), strict=True))
                else:
                    details.update(dict.fromkeys(where.tolist(), text))

        # trimmed text of the mapped columns; the others are only measured (blank, too long)
        used = set(self.mapping.columns_used())
        raw = [table.column(i).combine_chunks() for i in range(table.num_columns)]
        self._texts = {name: parse.text(column) for name, column in
                       zip(table.column_names, raw, strict=True) if name in used}  # fmt: skip
        measured = []
        for name, column in zip(table.column_names, raw, strict=True):
            if name in self._texts:
                measured.append(self._texts[name])
            else:
                measured.append(column if pa.types.is_string(column.type) else parse.text(column))
        lengths_each = [pc.utf8_length(c).fill_null(0).to_numpy(zero_copy_only=False)
                        for c in measured]  # fmt: skip
        blank = np.logical_and.reduce([
            (self._texts[name].is_null().to_numpy(zero_copy_only=False) if name in self._texts
             else length == 0)
            for name, length in zip(table.column_names, lengths_each, strict=True)
        ])  # fmt: skip
        self.blank_lines += int(blank.sum())
        keep = ~blank
        lengths = np.max(lengths_each, axis=0)
        fail(
            keep & (lengths > MAX_FIELD_CHARS),
            "field_too_long",
            f"a value longer than {MAX_FIELD_CHARS:,} characters",
        )
        self._duplicates(chunk, keep, fail)

        customer_key, email = self._customers(table)
        fail(keep & parse.missing(customer_key), "missing_customer", "no customer id or e-mail")

        stamps, _bad_date = self.dates.parse(self._column(table, "ordered_at"))
        no_date = stamps == parse.NAT
        fail(keep & no_date, "bad_date", _shown(table, self.mapping, "ordered_at", no_date,
                                                "no date", "is not a date"))  # fmt: skip
        fail(
            keep & ~no_date & ((stamps < self._earliest_us) | (stamps > self._latest_us)),
            "date_out_of_range",
            "before 1990 or in the future",
        )

        quantity, is_return, line_cents, unit_cents, discount_cents = self._money(table, keep, fail)
        country = self._countries(table, keep, fail)
        status, returned, refund_cents = self._status(table, quantity, line_cents,
                                                      discount_cents, keep, fail)  # fmt: skip
        if self.mapping.has("currency"):
            currency = self._text(table, "currency")
            upper = pc.utf8_upper(currency).to_numpy(zero_copy_only=False)
            other = (upper != None) & (upper != self.currency)  # noqa: E711
            fail(keep & other, "other_currency", f"not {self.currency}")

        order_key, is_return = self._order_keys(table, customer_key, stamps, is_return, keep,
                                                fail)  # fmt: skip
        position = self._positions(order_key, customer_key, is_return, keep & (reason == 0),
                                   fail)  # fmt: skip
        accepted = keep & (reason == 0)
        bad = np.flatnonzero(keep & (reason != 0))
        for index in bad.tolist():
            rejected.append(Rejected(int(lines[index]), REJECT_REASONS[reason[index] - 1],
                                     str(details.get(index, "")), {}))  # fmt: skip
        _fill_raw(table, rejected[len(chunk.bad_lines) :], bad)
        staged = self._staged(
            table, accepted, lines=lines, order_key=order_key, position=position,
            is_return=is_return, customer_key=customer_key, email=email, country=country,
            stamps=stamps, quantity=quantity, unit_cents=unit_cents,
            discount_cents=discount_cents, returned=returned, refund_cents=refund_cents,
            status=status,
        )  # fmt: skip
        read = int(keep.sum()) + len(chunk.bad_lines)
        return Checked(staged, rejected, read)

    def _duplicates(self, chunk: RawChunk, keep: np.ndarray, fail) -> None:
        """Exact repeats of an earlier line (all values equal), by a 64-bit hash of the row."""
        table, lines = chunk.table, chunk.line_numbers
        hashes = chunk.row_hashes
        if hashes is None:
            hashes = hash_rows(pa.Table.from_arrays(
                [column.cast(pa.string()).fill_null("") for column in table.columns],
                names=table.column_names,
            ))  # fmt: skip
        index = np.flatnonzero(keep)
        h, own_lines = hashes[index], lines[index]
        # sorted by hash, file order kept among equal ones: each run of equal hashes starts at
        # its first line, and sorted queries search the earlier chunks' hashes faster
        by_hash = np.argsort(h, kind="stable")
        sorted_h = h[by_hash]
        starts = np.r_[True, sorted_h[1:] != sorted_h[:-1]] if len(h) else np.zeros(0, bool)
        run_start = np.maximum.accumulate(np.where(starts, np.arange(len(h)), 0))
        first_in_chunk = np.empty(len(h), np.int64)
        first_in_chunk[by_hash] = own_lines[by_hash][run_start]
        repeated = first_in_chunk != own_lines
        earlier = np.zeros(len(h), bool)
        earlier_line = np.zeros(len(h), np.int64)
        at = np.zeros(len(h), np.int64)
        if self._hashes.size:
            at[by_hash] = np.searchsorted(self._hashes, sorted_h)
            found = np.minimum(at, self._hashes.size - 1)
            earlier = self._hashes[found] == h
            earlier_line = np.where(earlier, self._hash_lines[found], 0)
        dup = earlier | repeated
        if dup.any():
            mask = np.zeros(table.num_rows, bool)
            mask[index[dup]] = True
            text = np.full(table.num_rows, "", dtype=object)
            first = np.where(earlier, earlier_line, first_in_chunk)
            text[index[dup]] = [f"same as line {f}" for f in first[dup]]
            fail(mask, "duplicate_row", text)
        # the new hashes (distinct, and none seen before) go in where they sort
        new = by_hash[~dup[by_hash]]
        self._hashes = np.insert(self._hashes, at[new], h[new])
        self._hash_lines = np.insert(self._hash_lines, at[new], own_lines[new])

    def _customers(self, table: pa.Table) -> tuple[pa.Array, pa.Array]:
        """(customer key, valid e-mail), as Arrow text, null where there is none."""
        email = pa.nulls(table.num_rows, pa.string())
        if self.mapping.has("email"):
            email = self._text(table, "email")
            valid = pc.match_substring_regex(email, _EMAIL).fill_null(False)
            email = pc.if_else(valid, email, pa.scalar(None, pa.string()))
        if self.mapping.has("customer_id"):
            key = pc.coalesce(_without_float_zero(self._text(table, "customer_id")),
                              pc.utf8_lower(email))  # fmt: skip
        else:
            key = pc.utf8_lower(email)
        return key, email

    def _money(self, table: pa.Table, keep: np.ndarray, fail):
        """(|quantity|, is_return, line value, unit price and discount in cents)."""
        n = table.num_rows
        is_return = np.zeros(n, bool)
        quantity = np.ones(n, np.int64)
        if self.mapping.has("quantity"):
            q, bad = self._numbers(table, "quantity")
            missing_q = np.isnan(q) & ~bad
            not_whole = bad | missing_q | (~np.isnan(q) & (np.abs(q - np.round(q)) > 1e-9))
            fail(keep & not_whole, "bad_quantity",
                 _shown(table, self.mapping, "quantity", not_whole, "no quantity",
                        "is not a whole number"))  # fmt: skip
            q = np.where(np.isnan(q), 1, np.round(q))
            fail(keep & (q == 0), "zero_quantity", "quantity 0")
            fail(keep & (np.abs(q) > MAX_QUANTITY), "out_of_range", "quantity above 1,000,000")
            is_return |= q < 0
            quantity = np.abs(np.clip(q, -MAX_QUANTITY, MAX_QUANTITY)).astype(np.int64)
            quantity = np.where(quantity == 0, 1, quantity)
        amount_cents = None
        if self.mapping.has("amount"):
            a, bad_a = self._numbers(table, "amount")
            fail(keep & bad_a, "bad_amount", _shown(table, self.mapping, "amount", bad_a, "",
                                                    "is not a number"))  # fmt: skip
            amount_cents = np.where(np.isnan(a), np.nan, np.round(a * 100))
        unit_cents = np.full(n, np.nan)
        if self.mapping.has("unit_price"):
            p, bad_p = self._numbers(table, "unit_price")
            no_price = np.isnan(p) & ~bad_p
            if amount_cents is not None:
                no_price &= np.isnan(amount_cents)
            fail(keep & (bad_p | no_price), "bad_price",
                 _shown(table, self.mapping, "unit_price", bad_p | no_price, "no price",
                        "is not a number"))  # fmt: skip
            fail(keep & (p < 0), "negative_price", "negative unit price")
            unit_cents = np.round(np.abs(p) * 100)
        derive = np.isnan(unit_cents)
        discount_cents = np.zeros(n)
        if amount_cents is not None:
            fail(keep & derive & np.isnan(amount_cents), "bad_price", "no price or amount")
            amounts = np.abs(np.nan_to_num(amount_cents))
            if not self.mapping.has("quantity"):
                is_return |= np.nan_to_num(amount_cents) < 0
            derived = np.ceil(amounts / quantity)
            unit_cents = np.where(derive, derived, unit_cents)
            with np.errstate(invalid="ignore"):
                given_lower = (~derive & ~np.isnan(amount_cents)
                               & (amounts < unit_cents * quantity)
                               & (not self.mapping.has("discount")))  # fmt: skip
            discount_cents = np.where(derive | given_lower, unit_cents * quantity - amounts, 0.0)
        unit_cents = np.nan_to_num(unit_cents)
        fail(keep & (unit_cents > MAX_PRICE_CENTS), "out_of_range", "price above 100,000,000")
        unit_cents = np.minimum(unit_cents, MAX_PRICE_CENTS)
        line_cents = unit_cents * quantity
        if self.mapping.has("discount"):
            d, bad_d = self._numbers(table, "discount")
            d_cents = np.round(np.abs(np.nan_to_num(d)) * 100)
            # a negative discount is the same discount written as a deduction
            wrong = bad_d | (d_cents > line_cents)
            fail(keep & wrong, "bad_discount", "not a number or above the line value")
            discount_cents = np.where(wrong, 0, discount_cents + d_cents)
        discount_cents = np.minimum(discount_cents, line_cents)
        if self.mapping.has("unit_cost"):
            c, bad_c = self._numbers(table, "unit_cost")
            fail(keep & bad_c, "bad_price", _shown(table, self.mapping, "unit_cost", bad_c, "",
                                                   "is not a number (unit cost)"))  # fmt: skip
            self._unit_cost = np.where(np.isnan(c) | (c < 0), np.nan, np.round(c * 100))
        else:
            self._unit_cost = np.full(n, np.nan)
        return quantity, is_return, line_cents, unit_cents, discount_cents

    def _countries(self, table: pa.Table, keep: np.ndarray, fail) -> pa.Array:
        """ISO alpha-2 codes as Arrow text (null where the file has none)."""
        if not self.mapping.has("country"):
            return pa.nulls(table.num_rows, pa.string())
        values = self._column(table, "country")
        codes, unknown = self.countries.resolve(values)
        fail(
            keep & unknown,
            "unknown_country",
            _shown(table, self.mapping, "country", unknown, "", "is not a known country"),
        )
        return codes

    def _status(self, table, quantity, line_cents, discount_cents, keep, fail):
        n = table.num_rows
        status = np.full(n, "completed", dtype=object)
        if self.mapping.has("status"):
            mapped, unknown, counts = parse.statuses(self._column(table, "status"))
            self.unknown_statuses.update(counts)
            fail(
                keep & unknown,
                "unknown_status",
                _shown(table, self.mapping, "status", unknown, "", "is not a known status"),
            )
            status = np.where(mapped == None, "completed", mapped)  # noqa: E711
        if self.mapping.has("cancelled"):
            status = np.where(parse.flags(self._column(table, "cancelled")), "cancelled", status)
        returned = np.where(status == "returned", quantity, 0)
        refund = np.where(status == "returned", line_cents - discount_cents, 0.0)
        if self.mapping.has("returned_quantity"):
            r, bad_r = self._numbers(table, "returned_quantity")
            fail(keep & bad_r, "bad_quantity", "returned quantity is not a number")
            given = ~np.isnan(r)
            returned = np.where(given, np.clip(np.abs(np.nan_to_num(r)), 0, quantity), returned)
            refund = np.where(given & (status != "returned"),
                              np.round(returned / quantity * (line_cents - discount_cents)),
                              refund)  # fmt: skip
        if self.mapping.has("refund_amount"):
            f, bad_f = self._numbers(table, "refund_amount")
            fail(keep & bad_f, "bad_amount", "refund is not a number")
            given = ~np.isnan(f)
            refund = np.where(given, np.minimum(np.round(np.abs(np.nan_to_num(f)) * 100),
                                                line_cents - discount_cents), refund)  # fmt: skip
        return status, returned.astype(np.int64), refund

    def _order_keys(self, table, customer_key, stamps, is_return, keep, fail):
        """(order key as Arrow text, is_return): the order number, or '<customer>/<day>' (the
        local day of the import's time zone) when the file has none."""
        if self.mapping.has("order_id"):
            keys = _without_float_zero(self._text(table, "order_id"))
            fail(keep & parse.missing(keys), "missing_order_id", "empty order number")
            prefix = self.mapping.cancellation_prefix
            if prefix:
                pattern = "^" + re.escape(prefix) + r"\d"
                cancelled = pc.match_substring_regex(keys, pattern).fill_null(False)
                is_return = is_return | cancelled.to_numpy(zero_copy_only=False)
            return keys, is_return
        valid = stamps != parse.NAT
        stamped = pa.array(np.where(valid, stamps, 0), pa.timestamp("us", tz="UTC"))
        local = stamped.cast(pa.timestamp("us", tz=self.dates.timezone))
        days = pc.if_else(pa.array(valid), pc.strftime(local, format="%Y-%m-%d"),
                          pa.scalar(None, pa.string()))  # fmt: skip
        return pc.binary_join_element_wise(customer_key, days, "/"), is_return

    def _positions(self, order_key, customer_key, is_return, candidates, fail) -> np.ndarray:
        """Each row's line within its order (sales and returns counted apart), continuing the
        count of earlier chunks; rows of an order another customer placed are rejected."""
        position = np.zeros(len(order_key), np.int64)
        index = np.flatnonzero(candidates)
        if not len(index):
            return position
        taken = pa.array(index, pa.int64())
        orders = pc.dictionary_encode(order_key.take(taken))
        customers = pc.dictionary_encode(customer_key.take(taken))
        order_codes = orders.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        customer_codes = customers.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        order_names = orders.dictionary.to_pylist()
        customer_names = customers.dictionary.to_pylist()
        customer_code = {name: code for code, name in enumerate(customer_names)}
        # whose each order is: an earlier chunk's say, else its first row here
        _, first_rows = np.unique(order_codes, return_index=True)
        state = self._orders
        owners = []
        owner_codes = np.empty(len(order_names), np.int64)
        for code, name in enumerate(order_names):
            owner = state.customer.get(name)
            if owner is None:
                owner = customer_names[customer_codes[first_rows[code]]]
                state.customer[name] = owner
            owners.append(owner)
            owner_codes[code] = customer_code.get(owner, -1)
        conflict = owner_codes[order_codes] != customer_codes
        if conflict.any():
            mask = np.zeros(len(order_key), bool)
            mask[index[conflict]] = True
            text = np.full(len(order_key), "", dtype=object)
            text[index[conflict]] = [f"order {order_names[c]} belongs to customer {owners[c]}"
                                     for c in order_codes[conflict]]  # fmt: skip
            fail(mask, "order_customer_conflict", text)
        keep = ~conflict
        index, order_codes = index[keep], order_codes[keep]
        returning = is_return[index].astype(np.int64)
        group = order_codes * 2 + returning
        order = np.argsort(group, kind="stable")
        sorted_groups = group[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
        sizes = np.diff(np.r_[starts, len(sorted_groups)])
        rank = np.empty(len(group), np.int64)
        rank[order] = np.arange(len(group)) - np.repeat(starts, sizes) + 1
        offsets = np.empty(len(starts), np.int64)
        for k, (g, size) in enumerate(zip(sorted_groups[starts].tolist(), sizes.tolist(),
                                          strict=True)):  # fmt: skip
            name = order_names[g // 2]
            book = state.returns if g % 2 else state.sales
            offsets[k] = book.get(name, 0)
            book[name] = offsets[k] + size
        group_offset = np.empty(len(group), np.int64)
        group_offset[order] = np.repeat(offsets, sizes)
        position[index] = group_offset + rank
        too_long = np.zeros(len(order_key), bool)
        too_long[index] = position[index] > MAX_LINE_NUMBER
        fail(too_long, "order_too_long", "more than 32,767 lines")
        return position

    def _staged(self, table: pa.Table, accepted: np.ndarray, **cols) -> pa.Table:
        idx = np.flatnonzero(accepted)
        take = pa.array(idx, pa.int64())

        def text_of(name: str) -> pa.Array:
            values = self._text(table, name)
            if values is None:
                return pa.nulls(len(idx), pa.string())
            return values.take(take)

        def objects(values: np.ndarray) -> pa.Array:
            return pa.array(values[idx], pa.string())

        first, last = text_of("first_name"), text_of("last_name")
        if self.mapping.has("customer_name"):
            given, family = _split_first(text_of("customer_name"), r"\s+")
            first, last = pc.coalesce(first, given), pc.coalesce(last, family)
        name = text_of("product_name")
        sku = pc.coalesce(text_of("sku"), name, pa.scalar(UNSPECIFIED_SKU))
        name = pc.coalesce(name, pc.if_else(pc.equal(sku, UNSPECIFIED_SKU),
                                            pa.scalar(UNSPECIFIED_PRODUCT), sku))  # fmt: skip
        category, subcategory = text_of("category"), text_of("subcategory")
        if self.mapping.has("category"):
            top, below = _split_first(category, r"\s*>\s*")
            category, subcategory = top, pc.coalesce(subcategory, below)
        if self.mapping.has("channel"):
            channel, unknown = parse.channels(self._column(table, "channel"))
        else:
            channel, unknown = np.full(table.num_rows, "web", dtype=object), Counter()
        self.unknown_channels.update(unknown)
        is_return = cols["is_return"][idx]
        raw_values = pa.nulls(len(idx), pa.string())
        if is_return.any():  # each return's values as read, for the rejection if none matches
            returns = _raw_json(table.take(pa.array(idx[is_return])))
            at = np.full(len(idx), len(returns))  # that index is the null appended below
            at[is_return] = np.arange(len(returns))
            raw_values = pa.concat_arrays([returns, pa.nulls(1, pa.string())]).take(at)
        cost = self._unit_cost[idx]
        return pa.table({
            "line_number": pa.array(cols["lines"][idx], pa.int64()),
            "order_key": cols["order_key"].take(take),
            "line_position": pa.array(cols["position"][idx], pa.int32()),
            "is_return": pa.array(is_return, pa.bool_()),
            "customer_key": cols["customer_key"].take(take),
            "email": cols["email"].take(take),
            "first_name": first,
            "last_name": last,
            "country_code": cols["country"].take(take),
            "city": text_of("city"),
            "sku": sku,
            "product_name": name,
            "category": category,
            "subcategory": subcategory,
            "brand": text_of("brand"),
            # naive UTC: the import's session runs in UTC, and Arrow writes naive times fast
            "ordered_at": pa.array(cols["stamps"][idx], pa.int64()).cast(pa.timestamp("us")),
            "quantity": pa.array(cols["quantity"][idx], pa.int32()),
            "unit_price": pa.array(cols["unit_cents"][idx] / 100.0),
            "unit_cost": pa.array(cost / 100.0, from_pandas=True),
            "discount_amount": pa.array(cols["discount_cents"][idx] / 100.0),
            "returned_quantity": pa.array(cols["returned"][idx], pa.int32()),
            "refund_amount": pa.array(np.where(is_return, cols["unit_cents"][idx]
                                               * cols["quantity"][idx]
                                               - cols["discount_cents"][idx],
                                               cols["refund_cents"][idx]) / 100.0),
            "status": objects(cols["status"]),
            "channel": pa.array(channel[idx], pa.string()),
            "raw_values": raw_values,
        })  # fmt: skip


def _raw(row: dict) -> dict[str, str]:
    out = {}
    for key, value in row.items():
        text = "" if value is None else str(value)
        if len(text) > _SHOWN_CHARS:
            text = f"{text[:_SHOWN_CHARS]}... ({len(text):,} characters)"
        out[str(key)] = text
    return out


def _raw_json(rows: pa.Table) -> pa.Array:
    """Each row as the JSON object json.dumps(_raw(row)) writes (the same value once PostgreSQL
    reads it as jsonb), built column by column in Arrow when every value is short text without
    control characters; row by row otherwise."""
    columns = [column.combine_chunks() for column in rows.columns]
    if not columns:
        return pa.array(["{}"] * rows.num_rows, pa.string())
    simple = all(pa.types.is_string(column.type) for column in columns) and not any(
        pc.any(pc.or_(pc.greater(pc.utf8_length(column), _SHOWN_CHARS),
                      pc.match_substring_regex(column, r"[\x00-\x1f]"))).as_py()
        for column in columns
    )  # fmt: skip
    if not simple:
        return pa.array([json.dumps(_raw(row)) for row in rows.to_pylist()], pa.string())
    parts: list[pa.Array | str] = []
    for i, (name, column) in enumerate(zip(rows.column_names, columns, strict=True)):
        escaped = pc.replace_substring(pc.replace_substring(column.fill_null(""), "\\",
                                                            "\\\\"), '"', '\\"')  # fmt: skip
        parts += [("{" if i == 0 else ", ") + json.dumps(str(name)) + ': "', escaped, '"']
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def _fill_raw(table: pa.Table, rejected: list[Rejected], index: np.ndarray) -> None:
    if not len(index):
        return
    rows = table.take(pa.array(index, pa.int64())).to_pylist()
    for item, row in zip(rejected, rows, strict=True):
        item.raw = _raw(row)


def _split_first(values: pa.Array, separator: str) -> tuple[pa.Array, pa.Array]:
    """('Ann Lee Smith' -> 'Ann', 'Lee Smith'); the second part is null without a separator."""
    has = pc.match_substring_regex(values, separator)
    head = pc.replace_substring_regex(values, separator + ".*$", "", max_replacements=1)
    tail = pc.replace_substring_regex(values, "^.*?" + separator, "", max_replacements=1)
    return head, pc.if_else(has, tail, pa.scalar(None, pa.string()))


def _without_float_zero(values: pa.Array) -> pa.Array:
    """'17850.0' -> '17850': ids that went through a spreadsheet as numbers."""
    if not pc.any(pc.ends_with(values, ".0")).as_py():
        return values
    return pc.replace_substring_regex(values, r"^(\d+)\.0+$", r"\1")


def _shown(table: pa.Table, mapping: Mapping, name: str, mask: np.ndarray, empty: str,
           verb: str) -> np.ndarray | str:  # fmt: skip
    """Per row, e.g. "'abc' is not a number" (only where mask is set; cheap elsewhere)."""
    hits = np.flatnonzero(mask)
    if not len(hits):
        return ""
    out = np.full(table.num_rows, "", dtype=object)
    source = mapping.sources[name]
    if source.value is not None:
        values = [source.value] * len(hits)
    else:
        values = table.column(source.column).take(pa.array(hits)).to_pylist()
    for i, value in zip(hits, values, strict=True):
        text = "" if value is None else str(value).strip()
        out[i] = f"{name} {text[:60]!r} {verb}" if text else (empty or f"no {name}")
    return out


def _empty_staged() -> pa.Table:
    return pa.table({"line_number": pa.array([], pa.int64())})


def merge_bad_lines(bad: list[BadLine], rejected: list[Rejected]) -> None:
    """Copy the raw fields read in the second pass onto the malformed lines' rejections."""
    by_line = {b.line_number: b.raw for b in bad}
    for item in rejected:
        if item.reason == "malformed_line" and item.line_number in by_line:
            item.raw = by_line[item.line_number]
