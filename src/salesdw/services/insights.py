"""Plain-language insights for the overview: the biggest movers against the previous equal
period, the RFM segments that matter most, and anomalies in the period. Computed from the
services' figures; the dashboard only shows the sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from salesdw.money import format_money
from salesdw.services.breakdowns import sales_breakdown
from salesdw.services.customers import rfm_segments
from salesdw.services.filters import Filters
from salesdw.services.models import anomaly_days

__all__ = ["Insight", "insights"]

#: A mover needs this share of the period's net revenue to be worth a sentence.
MIN_SHARE = 0.02


@dataclass(frozen=True)
class Insight:
    """One sentence, what it is about (mover, segment, anomaly) and whether it is good news."""

    kind: str
    text: str
    is_positive: bool


def _figure(metric: str, value: float) -> str:
    """A metric's value as the dashboard shows it: money with the currency symbol, orders as a
    count, conversion as a percentage."""
    if metric in ("net_revenue", "average_order_value"):
        return format_money(value, 2 if metric == "average_order_value" else 0)
    if metric == "conversion_rate":
        return f"{value:.2%}"
    return f"{value:,.0f}"


def _movers(engine: Engine, filters: Filters, by: str, noun: str) -> list[Insight]:
    # net revenue is all a mover needs: no order counts (the costly part under a category filter)
    now = sales_breakdown(engine, filters, by, orders=False).set_index("member")
    before = sales_breakdown(engine, filters.previous_period(), by, orders=False).set_index(
        "member"
    )
    if now.empty or before.empty:
        return []
    both = now.join(before[["net_revenue"]].add_suffix("_before"), how="inner")
    total = now["net_revenue"].sum()
    both = both[(both["net_revenue_before"] > 0) & (both["net_revenue"] >= MIN_SHARE * total)]
    if both.empty:
        return []
    both["change"] = both["net_revenue"] / both["net_revenue_before"] - 1
    found = []
    best, worst = both["change"].idxmax(), both["change"].idxmin()
    for member in dict.fromkeys([best, worst]):  # one sentence when they are the same
        row = both.loc[member]
        grew = row["change"] >= 0
        found.append(Insight(
            "mover",
            f"{noun} {row['label']}: net revenue {'up' if grew else 'down'} "
            f"{abs(row['change']):.0%} ({'+' if grew else '-'}"
            f"{format_money(abs(row['net_revenue'] - row['net_revenue_before']))}) against the "
            f"previous {filters.days} days.",
            bool(grew),
        ))  # fmt: skip
    return found


def _segments(engine: Engine) -> list[Insight]:
    segments = rfm_segments(engine)
    if segments.empty:
        return []
    best = segments.loc[segments["revenue_share"].idxmax()]
    found = [Insight(
        "segment",
        f"{best['segment']} hold {best['revenue_share']:.0%} of all net revenue with "
        f"{best['customer_share']:.0%} of the customers.",
        True,
    )]  # fmt: skip
    at_risk = segments[segments["segment"].isin(["At Risk", "Can't Lose Them"])]
    if not at_risk.empty and at_risk["customers"].sum() > 0:
        found.append(Insight(
            "segment",
            f"{int(at_risk['customers'].sum()):,} valuable customers are slipping away (At Risk "
            f"and Can't Lose Them), worth {at_risk['revenue_share'].sum():.0%} of net revenue.",
            False,
        ))  # fmt: skip
    return found


def _anomalies(engine: Engine, filters: Filters) -> list[Insight]:
    days = anomaly_days(engine, filters.start, filters.end)
    if days.empty:
        return []
    found = []
    for day, rows in days.groupby("anomaly_date", sort=False):
        strongest = rows.iloc[0]
        direction = "above" if strongest["value"] >= strongest["expected"] else "below"
        found.append(Insight(
            "anomaly",
            f"{pd.Timestamp(day):%a %d %b %Y}: {strongest['metric'].replace('_', ' ')} far "
            f"{direction} what trend and season expect "
            f"({_figure(strongest['metric'], strongest['value'])} against "
            f"{_figure(strongest['metric'], strongest['expected'])}).",
            direction == "above",
        ))  # fmt: skip
    return found[:3]


def insights(engine: Engine, filters: Filters) -> list[Insight]:
    """Up to a handful of sentences about the filtered period."""
    return [
        *_movers(engine, filters, "country", "Country"),
        *_movers(engine, filters, "category", "Category"),
        *_segments(engine),
        *_anomalies(engine, filters),
    ]
