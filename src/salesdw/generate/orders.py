"""Orders, their lines and reviews, built a chunk of orders at a time as Arrow tables.

An order's intended spend (Gamma-Gamma) is split over a skewed number of lines, each line picks
a product priced near its share; partner products join baskets more often than chance. Then
promotions, vouchers, shipping, cancellations, category-specific returns, partial refunds and
reviews (lower for returned items) follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salesdw.generate.behaviour import Orders
from salesdw.generate.calendar import Calendar
from salesdw.generate.catalog import Catalog

SALES_CHANNELS = np.array(["web", "mobile_app", "marketplace", "social"])
SALES_MIX_START = np.array([0.55, 0.22, 0.15, 0.08])
SALES_MIX_END = np.array([0.42, 0.35, 0.13, 0.10])
PAYMENT_METHODS = np.array(["card", "paypal", "apple_pay", "google_pay", "bank_transfer",
                            "cash_on_delivery", "gift_card", "other"])  # fmt: skip
PAYMENT_MIX = np.array([0.52, 0.2, 0.09, 0.07, 0.06, 0.02, 0.02, 0.02])
CANCEL_RATE = {"web": 0.028, "mobile_app": 0.025, "marketplace": 0.05, "social": 0.04}
FREE_SHIPPING_FROM_CENTS = 5000
SHIPPING_FEE_CENTS = 499
REVIEW_TITLES = {
    1: ["Very disappointed", "Do not buy", "Broke quickly"],
    2: ["Not great", "Below expectations", "Meh"],
    3: ["It's okay", "Average", "Does the job"],
    4: ["Good value", "Happy with it", "Nice product"],
    5: ["Excellent!", "Love it", "Exactly as described", "Five stars"],
}
REVIEW_BODIES = {
    1: "Stopped working after a few days and the return took weeks.",
    2: "Quality is lower than the pictures suggest.",
    3: "Fine for the price, nothing special.",
    4: "Good quality and quick delivery. Would buy again.",
    5: "Great quality, arrived early, exactly what I wanted.",
}


@dataclass
class Chunk:
    """Arrow tables for one chunk of orders, plus what the marketing tables need."""

    orders: pa.Table
    order_items: pa.Table
    reviews: pa.Table
    day: np.ndarray  # per non-cancelled order
    country: np.ndarray  # market index per non-cancelled order


def _timestamps(epoch_us: int, day: np.ndarray, second: np.ndarray) -> pa.Array:
    micros = epoch_us + day.astype(np.int64) * 86_400_000_000 + second.astype(np.int64) * 1_000_000
    return pa.array(micros, type=pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def _money(cents: np.ndarray) -> pa.Array:
    # Doubles of k/100 print as exactly k/100 (shortest round-trip), which COPY reads into
    # numeric(12, 2) without loss.
    return pa.array(cents / 100.0, type=pa.float64())


def _line_numbers(order_pos: np.ndarray) -> np.ndarray:
    """1, 2, ... within each run of equal, sorted order positions."""
    n = len(order_pos)
    starts = np.flatnonzero(np.r_[True, order_pos[1:] != order_pos[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return (np.arange(n) - run_start + 1).astype(np.int16)


def build_chunk(
    orders: Orders,
    lo: int,
    hi: int,
    *,
    customer_market: np.ndarray,
    customer_city: pa.Array,
    market_codes: np.ndarray,
    catalog: Catalog,
    calendar: Calendar,
    epoch_us: int,
    first_review_id: int,
    rng: np.random.Generator,
) -> Chunk:
    n = hi - lo
    customer = orders.customer[lo:hi]
    day = orders.day[lo:hi]
    second = orders.second[lo:hi]
    spend_cents = orders.spend[lo:hi].astype(np.float64) * 100
    order_id = np.arange(lo + 1, hi + 1, dtype=np.int64)
    progress = day / max(calendar.days - 1, 1)

    # Sales channel (mobile grows), payment method.
    mix = (
        SALES_MIX_START[None, :] * (1 - progress[:, None])
        + SALES_MIX_END[None, :] * progress[:, None]
    )
    channel_idx = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1).clip(0, 3)
    channel = SALES_CHANNELS[channel_idx]
    payment = PAYMENT_METHODS[rng.choice(len(PAYMENT_METHODS), n, p=PAYMENT_MIX)]

    # Lines: a skewed count, each aiming at an equal share of the intended spend.
    lines_per_order = np.minimum(rng.geometric(0.44, n), 8)
    pos = np.repeat(np.arange(n), lines_per_order)
    target = spend_cents[pos] / lines_per_order[pos] * rng.lognormal(0, 0.35, len(pos))
    sorted_prices = catalog.price_cents[catalog.by_price]
    at = np.searchsorted(sorted_prices, target)
    width = max(catalog.size // 40, 2)
    first = (at + rng.integers(-width, width + 1, len(pos))).clip(0, catalog.size - 1)
    second_pick = (at + rng.integers(-width, width + 1, len(pos))).clip(0, catalog.size - 1)
    a, b = catalog.by_price[first], catalog.by_price[second_pick]
    product = np.where(catalog.popularity[a] >= catalog.popularity[b], a, b)
    # Not yet launched or already retired: a similar product on sale all along instead.
    off_sale = (catalog.launch_day[product] > day[pos]) | (catalog.retire_day[product] <= day[pos])
    product = np.where(off_sale, catalog.fallback[product], product)
    price = catalog.price_cents[product]
    cap = np.where(price > 10000, 1, np.where(price > 3000, 3, 6))
    quantity = np.clip(np.round(target / price), 1, cap).astype(np.int32)

    # Partner products (a case with the phone) join the basket more often than chance.
    partner = catalog.partner[product]
    joins = (partner >= 0) & (rng.random(len(pos)) < 0.35)
    pos = np.concatenate([pos, pos[joins]])
    product = np.concatenate([product, partner[joins]])
    quantity = np.concatenate([quantity, np.ones(joins.sum(), dtype=np.int32)])
    # One line per product in an order: picks that landed on the same product merge.
    key = pos.astype(np.int64) * catalog.size + product
    unique_key, inverse = np.unique(key, return_inverse=True)
    quantity = np.bincount(inverse, weights=quantity).astype(np.int32)
    pos, product = unique_key // catalog.size, unique_key % catalog.size
    lines = len(pos)
    line_day = day[pos]

    unit_price = catalog.price_cents[product].copy()
    unit_cost = catalog.cost_cents[product]
    for anomaly in calendar.anomalies:
        if anomaly.kind == "pricing_error":
            hit = (line_day == calendar.day_index(anomaly.day)) & (rng.random(lines) < 0.4)
            unit_price[hit] = np.maximum(np.round(unit_price[hit] * 0.1), 1)
    gross = quantity.astype(np.int64) * unit_price

    # Promotions: most lines discounted on promotion days, a few on ordinary days.
    depth = calendar.promo_depth[line_day]
    promo_hit = rng.random(lines) < np.where(depth > 0, 0.6, 0.04)
    pct = np.where(depth > 0, depth, 0.10) * rng.choice([0.6, 0.8, 1.0, 1.2], lines)
    line_discount = np.where(promo_hit, np.round(gross * np.minimum(pct, 0.5)), 0).astype(np.int64)

    # Vouchers on a few orders, shipping below a threshold.
    line_net_by_order = np.bincount(pos, weights=gross - line_discount, minlength=n)
    voucher = rng.random(n) < 0.04
    voucher_cents = np.where(
        voucher, np.minimum(rng.choice([500, 1000, 1500], n), line_net_by_order * 0.5), 0
    )
    voucher_cents = np.floor(voucher_cents).astype(np.int64)
    shipping = np.where(line_net_by_order < FREE_SHIPPING_FROM_CENTS, SHIPPING_FEE_CENTS, 0)
    shipping = np.where(channel == "marketplace", 0, shipping)

    # Status: cancellations; recent orders still placed or shipped.
    cancel_p = np.select([channel == c for c in CANCEL_RATE], list(CANCEL_RATE.values()))
    cancelled = rng.random(n) < cancel_p
    age = calendar.days - 1 - day
    delivered = ~cancelled & (age >= 6)
    status = np.where(age < 2, "placed", np.where(age < 6, "shipped", "completed"))
    status = np.where(cancelled, "cancelled", status)

    # Returns (by category; more via marketplace) and partial refunds, on delivered lines only.
    line_delivered = delivered[pos]
    return_p = catalog.return_rate[product] * np.where(channel[pos] == "marketplace", 1.4, 1.0)
    returned = line_delivered & (rng.random(lines) < return_p)
    returned_qty = np.where(returned, np.maximum(rng.binomial(quantity, 0.75), 1), 0).astype(
        np.int32
    )
    line_net = gross - line_discount
    refund = np.where(returned, np.round(line_net * returned_qty / quantity), 0)
    goodwill = line_delivered & ~returned & (rng.random(lines) < 0.01)
    refund = np.where(goodwill, np.round(line_net * rng.uniform(0.1, 0.3, lines)), refund)
    refund = refund.astype(np.int64)
    fully_returned = np.bincount(pos, weights=quantity - returned_qty, minlength=n) == 0
    status = np.where(delivered & fully_returned, "returned", status)

    market = customer_market[customer]
    orders_table = pa.table({
        "order_id": order_id,
        "external_id": pa.nulls(n, pa.string()),
        "customer_id": (customer + 1).astype(np.int64),
        "ordered_at": _timestamps(epoch_us, day, second),
        "status": status,
        "channel": channel,
        "payment_method": payment,
        "shipping_country_code": market_codes[market],
        "shipping_city": customer_city.take(pa.array(customer)),
        "shipping_fee": _money(shipping),
        "discount_amount": _money(voucher_cents),
    })  # fmt: skip
    items_table = pa.table({
        "order_id": order_id[pos],
        "line_number": _line_numbers(pos),
        "product_id": (product + 1).astype(np.int32),
        "quantity": quantity,
        "unit_price": _money(unit_price),
        "unit_cost": _money(unit_cost),
        "discount_amount": _money(line_discount),
        "returned_quantity": returned_qty,
        "refund_amount": _money(refund),
    })  # fmt: skip

    reviews_table = _reviews(
        pos, product, returned, line_delivered, customer, day, second, order_id, catalog,
        calendar, epoch_us, first_review_id, rng,
    )  # fmt: skip
    kept = ~cancelled
    return Chunk(orders_table, items_table, reviews_table, day[kept], market[kept])


def _reviews(
    pos, product, returned, delivered, customer, day, second, order_id, catalog, calendar,
    epoch_us, first_review_id, rng,
) -> pa.Table:  # fmt: skip
    """Reviews for a fraction of delivered lines; returned items are reviewed more, and worse."""
    lines = len(pos)
    writes = delivered & (rng.random(lines) < np.where(returned, 0.15, 0.06))
    delay = rng.integers(3 * 86400, 30 * 86400, lines)
    at = day[pos].astype(np.int64) * 86400 + second[pos] + delay
    writes &= at < calendar.days * 86400
    idx = np.flatnonzero(writes)
    latent = np.where(returned[idx], 2.1, 4.4) + catalog.quality[product[idx]]
    rating = np.clip(np.round(latent + rng.normal(0, 0.8, len(idx))), 1, 5).astype(np.int16)
    titles = [REVIEW_TITLES[r][i % len(REVIEW_TITLES[r])] for i, r in enumerate(rating)]
    bodies = [REVIEW_BODIES[r] for r in rating]
    micros = epoch_us + at[idx] * 1_000_000
    return pa.table({
        "review_id": np.arange(first_review_id, first_review_id + len(idx), dtype=np.int64),
        "customer_id": (customer[pos[idx]] + 1).astype(np.int64),
        "product_id": (product[idx] + 1).astype(np.int32),
        "order_id": order_id[pos[idx]],
        "rating": rating,
        "reviewed_at": pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "title": pa.array(titles, pa.string()),
        "body": pa.array(bodies, pa.string()),
    })  # fmt: skip
