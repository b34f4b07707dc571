"""Web sessions and marketing spend, consistent with the orders and new customers generated.

Sessions per day, country, channel and device come from that day's orders divided by a
conversion rate per channel and device (1-4% overall); paid channels' spend is their new
customers times a channel-specific acquisition cost, so CAC and ROAS vary by channel.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from salesdw.generate.people import ACQUISITION_MIX

CHANNELS = list(ACQUISITION_MIX)
DEVICES = ["desktop", "mobile", "tablet"]
#: Share of orders each channel's sessions bring: repeat buyers come direct or by e-mail more.
ORDER_SHARE = np.array([0.22, 0.18, 0.11, 0.04, 0.12, 0.06, 0.03, 0.06, 0.18])
CONVERSION = np.array([0.022, 0.028, 0.012, 0.010, 0.042, 0.034, 0.006, 0.025, 0.032])
DEVICE_SHARE_START = np.array([0.50, 0.42, 0.08])
DEVICE_SHARE_END = np.array([0.36, 0.58, 0.06])
DEVICE_CONVERSION = np.array([1.35, 0.80, 1.05])
#: Cost per acquired customer in paid channels (currency units).
CAC = {"paid_search": 32.0, "paid_social": 48.0, "affiliate": 24.0, "display": 75.0}


def web_traffic(
    orders_by_day_market: np.ndarray, market_codes: np.ndarray, start_ordinal: int,
    rng: np.random.Generator,
) -> pa.Table:  # fmt: skip
    """Sessions per (day, channel, device, country); only rows with sessions are kept."""
    days = orders_by_day_market.shape[0]
    progress = np.arange(days) / max(days - 1, 1)
    device_share = (
        DEVICE_SHARE_START[None, :] * (1 - progress[:, None])
        + DEVICE_SHARE_END[None, :] * progress[:, None]
    )
    # expected[d, m, c, v] = orders[d, m] * share[c] * device[d, v] / conversion[c, v]
    conversion = CONVERSION[:, None] * DEVICE_CONVERSION[None, :]
    # A floor of traffic: sites get visits on days without orders too.
    base = np.maximum(orders_by_day_market, 0.005)
    expected = (
        base[:, :, None, None]
        * ORDER_SHARE[None, None, :, None]
        * device_share[:, None, None, :]
        / conversion[None, None, :, :]
    )
    sessions = rng.poisson(expected)
    d, m, c, v = np.nonzero(sessions)
    return pa.table({
        "traffic_date": pa.array((start_ordinal + d - 719163).astype(np.int32), pa.date32()),
        "channel": np.array(CHANNELS)[c],
        "device": np.array(DEVICES)[v],
        "country_code": market_codes[m],
        "sessions": sessions[d, m, c, v].astype(np.int32),
    })  # fmt: skip


def marketing_spend(
    new_by_day_market_channel: np.ndarray, market_codes: np.ndarray, start_ordinal: int,
    rng: np.random.Generator,
) -> pa.Table:  # fmt: skip
    """Spend per (day, paid channel, country): acquisitions times CAC, with noise."""
    rows = []
    for channel, cac in CAC.items():
        k = CHANNELS.index(channel)
        acquired = new_by_day_market_channel[:, :, k]
        # Campaigns run on in markets with a trickle of customers; smooth that over a week.
        typical = np.convolve(acquired.sum(axis=1), np.ones(7) / 7, mode="same")
        share = acquired.sum(axis=0) / max(acquired.sum(), 1)
        baseline = 0.3 * typical[:, None] * share[None, :]
        cents = np.round(
            (acquired + baseline) * cac * 100 * rng.lognormal(0, 0.25, acquired.shape)
        ).astype(np.int64)
        d, m = np.nonzero(cents >= 100)  # a campaign spends at least 1.00 a day
        rows.append((d, m, np.full(len(d), channel), cents[d, m]))
    d = np.concatenate([r[0] for r in rows])
    m = np.concatenate([r[1] for r in rows])
    order = np.lexsort((m, d))
    return pa.table({
        "spend_date": pa.array((start_ordinal + d[order] - 719163).astype(np.int32), pa.date32()),
        "channel": np.concatenate([r[2] for r in rows])[order],
        "country_code": market_codes[m[order]],
        "amount": pa.array(np.concatenate([r[3] for r in rows])[order] / 100.0, pa.float64()),
    })  # fmt: skip
