"""Daily anomalies: days whose net revenue, orders, average order value or conversion rate
leave what trend, weekly pattern, the retail calendar and promotions explain.

Each metric is modelled on the log scale (effects multiply) as trend + weekly pattern (robust
STL) + retail calendar effects (Thanksgiving to Cyber Monday, Christmas week: they move or
spike every year by design) + a promotion effect (days when a large share of gross revenue is
discounted), fitted by backfitting with medians so that a strange day does not move the fit.
What is left becomes a robust z-score, (residual - median) / (1.4826 x MAD), over a centred
91-day window: sales grow, and their relative noise shrinks, so one global MAD would over-flag
the start and miss things at the end. Orders and revenue are compared on the square-root scale
(see score_series). An IsolationForest on the day's four scores gives a second opinion.

The rule: a metric of a day is flagged when |z| >= 5 and the forest puts the day among its 1%
strangest, or when |z| >= 7 whatever the forest says. Tuned on generated data against the
injected outages, flash sales and pricing errors: at 1M orders (about 900 a day) those score
|z| 15 to 45 and no other day passes 4.5, so every injected day is found and nothing else; at
40k orders (10 to 80 a day) the injected days score 5 to 10 in a good draw, but a flash sale
in the first months (10 orders a day) can drown in Poisson noise.

Why no yearly STL period: with two or three years of history each day of the year has two or
three values, and a yearly seasonal component fits them almost exactly (the residuals, and
with them the MAD, collapse to zero). The yearly curve is slow apart from the retail calendar,
so the trend follows it and the calendar effects carry the sharp days.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from sklearn.ensemble import IsolationForest
from statsmodels.tsa.seasonal import STL

from salesdw.ml.runs import ModelSkipped, RunResult, model_run, read_frame
from salesdw.ml.tables import ANOMALY_METRICS
from salesdw.ml.train import TrainOptions

__all__ = [
    "MIN_DAYS",
    "Z_FLAG",
    "Z_SURE",
    "daily_metrics",
    "detect",
    "evaluate",
    "injected_anomalies",
    "promotion_days",
    "retail_events",
    "robust_z",
    "train",
]

log = logging.getLogger(__name__)

#: Days of history needed: eight weeks, for a weekly pattern and a trend to stand on.
MIN_DAYS = 56
#: |robust z| from which a metric is flagged when the IsolationForest agrees on the day.
Z_FLAG = 5.0
#: |robust z| from which a metric is flagged whatever the forest says.
Z_SURE = 7.0
#: Share of days the IsolationForest calls strange (its `contamination`).
FOREST_SHARE = 0.01
#: Width of the centred window of the robust z-score (median and MAD), in days.
Z_WINDOW = 91
#: STL windows: trend over about six weeks (it follows the yearly curve, not single days); a
#: weekly pattern that changes slowly (a window of 35 weeks).
TREND_WINDOW = 43
SEASONAL_WINDOW = 35
#: A day is a promotion day when its discounts are at least this many times the median day's
#: share of gross revenue (ordinary days: a few vouchers; promotions: most lines discounted).
PROMOTION_RATIO = 4.0
#: Scores are clipped here before the forest sees them: beyond it, stranger is not more useful.
Z_CLIP = 20.0
#: Backfitting rounds (STL, then effects), and STL's robustness iterations in each: the
#: rounds already refit around strange days, so a few robust iterations suffice (STL's default
#: of 15 costs five times as long for the same flags).
BACKFIT_ROUNDS = 3
STL_OUTER_ITERATIONS = 3


def daily_metrics(conn: psycopg.Connection) -> pd.DataFrame:
    """One row per local day from the first to the last with orders: net_revenue, orders,
    average_order_value, conversion_rate, and the gross revenue and discounts that mark
    promotion days. Cancelled orders are left out; days without orders are zeros."""
    sales = read_frame(conn, """
        select period_start as day, sum(net_revenue) as net_revenue,
               sum(gross_revenue) as gross_revenue, sum(discounts) as discounts
        from analytics.sales_periods
        where rollup = 'none' and period_grain = 'day' and status <> 'cancelled'
        group by 1
    """)  # fmt: skip
    orders = read_frame(conn, """
        select period_start as day, sum(orders) as orders
        from analytics.order_periods
        where rollup = 'none' and period_grain = 'day' and status <> 'cancelled'
        group by 1
    """)  # fmt: skip
    # Daily sessions: the analytics layer has sessions by month only (channel_performance);
    # conversion per day needs the day's sessions, so they are summed from core.web_traffic,
    # a small table (one row per day, channel, device and country).
    sessions = read_frame(
        conn, "select traffic_date as day, sum(sessions) as sessions from core.web_traffic "
        "group by 1"
    )  # fmt: skip
    if orders.empty:
        return pd.DataFrame(columns=[*ANOMALY_METRICS, "gross_revenue", "discounts"])
    days = pd.date_range(orders["day"].min(), orders["day"].max(), freq="D")
    frame = pd.DataFrame(index=days)
    for part in (sales, orders, sessions):
        if not part.empty:
            part = part.assign(day=pd.to_datetime(part["day"])).set_index("day")
            frame = frame.join(part.astype(float))
    frame = frame.reindex(columns=["net_revenue", "gross_revenue", "discounts", "orders",
                                   "sessions"]).fillna(0.0)  # fmt: skip
    frame["average_order_value"] = (frame["net_revenue"] / frame["orders"]).where(
        frame["orders"] > 0
    )
    frame["conversion_rate"] = (frame["orders"] / frame["sessions"]).where(frame["sessions"] > 0)
    frame.index.name = "day"
    # A load taken during the day ends in a part day, which would look like an outage.
    latest = conn.execute("""
        select max(data_through) at time zone coalesce(
            nullif(current_setting('salesdw.timezone', true), ''), 'UTC')
        from analytics.data_freshness
    """).fetchone()[0]  # fmt: skip
    if latest is not None and latest.date() == frame.index[-1].date() and latest.hour < 18:
        log.info("leaving out %s: the data ends at %s, before the day did", latest.date(), latest)
        frame = frame.iloc[:-1]
    return frame[[*ANOMALY_METRICS, "gross_revenue", "discounts"]]


def _black_friday(year: int) -> date:
    """The day after the fourth Thursday of November (US Thanksgiving)."""
    november_first = date(year, 11, 1)
    first_thursday = november_first + timedelta(days=(3 - november_first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def retail_events(days: pd.DatetimeIndex) -> pd.Series:
    """The retail calendar's named days (None on others): Thanksgiving, Black Friday, its
    weekend and Cyber Monday, which move every year, and Christmas to New Year's Eve. Sales
    change on them by design; each gets its own effect, learned from all years."""
    events = pd.Series(None, index=days, dtype=object)
    names = ["thanksgiving", "black_friday", "black_saturday", "black_sunday", "cyber_monday"]
    for year in range(days.min().year, days.max().year + 1):
        black_friday = pd.Timestamp(_black_friday(year))
        for offset, name in enumerate(names, start=-1):
            events[events.index == black_friday + pd.Timedelta(days=offset)] = name
        christmas_week = (days >= pd.Timestamp(year, 12, 25)) & (days <= pd.Timestamp(year, 12, 31))
        events[christmas_week] = "christmas_week"
    return events


def promotion_days(gross_revenue: pd.Series, discounts: pd.Series) -> pd.Series:
    """True on days whose discounts are PROMOTION_RATIO times the median day's share of gross
    revenue or more: sales events and one-day promotions lift orders by design."""
    share = (discounts / gross_revenue.where(gross_revenue > 0)).fillna(0.0)
    typical = float(share[share > 0].median()) if (share > 0).any() else 0.0
    return share >= max(PROMOTION_RATIO * typical, 1e-9)


def robust_z(residual: pd.Series, window: int = Z_WINDOW) -> pd.Series:
    """(residual - median) / (1.4826 x MAD) over a centred window of days: a z-score that a few
    outliers do not inflate. NaN residuals stay NaN; a zero MAD gives 0 (nothing to compare)."""
    min_periods = min(window, max(len(residual.dropna()), 1)) // 3 + 1
    rolling = residual.rolling(window, center=True, min_periods=min_periods)
    median = rolling.median()
    mad = (residual - median).abs().rolling(window, center=True, min_periods=min_periods).median()
    # Early and late days lack a full window: take the nearest complete estimate.
    median, mad = median.bfill().ffill(), mad.bfill().ffill()
    scale = 1.4826 * mad
    z = (residual - median) / scale.where(scale > 0)
    return z.where(residual.isna() | (scale > 0), 0.0)


def _calendar_effects(partial: np.ndarray, promotion: np.ndarray, events: pd.Series) -> np.ndarray:
    """Effects of the named days and of promotions on what the trend and weekly pattern leave
    (`partial`), additive on the log scale: a promotion in Christmas week lifts it like any
    other. Each is the median of its days' partial less the other effect; two rounds."""
    known = ~np.isnan(partial)
    masks = [(events == name).to_numpy() & known for name in events.dropna().unique()]
    event_effect = np.zeros(len(partial))
    promo_effect = 0.0
    promo_days = promotion & known
    for _ in range(2):
        if promo_days.any():
            promo_effect = float(np.median((partial - event_effect)[promo_days]))
        for mask in masks:
            if mask.any():
                event_effect[mask] = float(np.median((partial - promo_effect * promotion)[mask]))
    return event_effect + promo_effect * promotion


def _expected_log(values: pd.Series, promotion: pd.Series, events: pd.Series) -> pd.Series:
    """Trend + weekly pattern + calendar and promotion effects of a log series, by backfitting:
    robust STL on the series less the effects, then the effects from what STL leaves."""
    filled = values.interpolate(limit_direction="both")
    effects = np.zeros(len(values))
    for _ in range(BACKFIT_ROUNDS):
        fit = STL(filled - effects, period=7, seasonal=SEASONAL_WINDOW, trend=TREND_WINDOW,
                  robust=True).fit(outer_iter=STL_OUTER_ITERATIONS)  # fmt: skip
        base = fit.trend + fit.seasonal
        effects = _calendar_effects((values - base).to_numpy(), promotion.to_numpy(), events)
    return base + effects


def score_series(
    values: pd.Series,
    *,
    count: bool,
    promotion: pd.Series | None = None,
    events: pd.Series | None = None,
    offset: float = 1.0,
) -> pd.DataFrame:
    """Expected value and robust residual z-score of one daily series (a DatetimeIndex without
    gaps). The fit is on the log scale, where trend, weekday, calendar and promotion effects
    multiply. `count` series (orders, money: sums over orders, zero on an outage day) get
    `offset` before the log, and their residual is measured on the square-root scale, which
    steadies the noise of counts (Poisson) and treats a tripling and a drop to a third alike
    (the log scale would shrink spikes and stretch drops); ratios (AOV, conversion) keep the
    log scale and are undefined (NaN) where not positive."""
    values = values.astype(float)
    promotion = promotion if promotion is not None else pd.Series(False, index=values.index)
    events = events if events is not None else pd.Series(None, index=values.index, dtype=object)
    if count:
        logged = np.log(values.clip(lower=0) + offset)
    else:
        offset = 0.0
        logged = np.log(values.where(values > 0))
    if logged.notna().sum() < MIN_DAYS:
        nothing = pd.Series(np.nan, index=values.index)
        return pd.DataFrame({"expected": nothing, "residual_score": nothing})
    fitted = _expected_log(logged, promotion, events)
    if count:
        residual = np.sqrt(values.clip(lower=0) + offset) - np.exp(fitted / 2)
    else:
        residual = logged - fitted
    return pd.DataFrame({"expected": np.exp(fitted) - offset, "residual_score": robust_z(residual)})


def detect(frame: pd.DataFrame, seed: int = 42) -> pd.DataFrame:
    """Score every day and metric of `daily_metrics`: value, expected, residual_score,
    isolation_score, is_anomaly (one row per day and metric, column anomaly_date)."""
    if len(frame) < MIN_DAYS:
        raise ModelSkipped(
            f"too little history for anomaly detection: {len(frame)} days with orders "
            f"(need {MIN_DAYS}); load or generate more orders, then run salesdw train again"
        )
    promotion = promotion_days(frame["gross_revenue"], frame["discounts"])
    events = retail_events(frame.index)
    # Money gets an offset of a typical order, so a day without orders sits one order below.
    typical_order = frame["average_order_value"].median()
    money_offset = float(typical_order) if typical_order > 0 else 1.0
    scored = {}
    for metric in ANOMALY_METRICS:
        count = metric in ("orders", "net_revenue")
        offset = money_offset if metric == "net_revenue" else 1.0
        scored[metric] = score_series(frame[metric], count=count, promotion=promotion,
                                      events=events, offset=offset)  # fmt: skip
    z = pd.DataFrame({metric: scores["residual_score"] for metric, scores in scored.items()})
    features = z.fillna(0.0).clip(-Z_CLIP, Z_CLIP).to_numpy()
    forest = IsolationForest(contamination=FOREST_SHARE, random_state=seed).fit(features)
    raw = forest.score_samples(features)
    # The forest's own cut: its FOREST_SHARE strangest days (what `predict` calls -1).
    forest_agrees = pd.Series(raw < forest.offset_, index=frame.index)
    rows = []
    for metric in ANOMALY_METRICS:
        strength = z[metric].abs()
        flagged = (strength >= Z_SURE) | ((strength >= Z_FLAG) & forest_agrees)
        rows.append(pd.DataFrame({
            "anomaly_date": frame.index.date,
            "metric": metric,
            "value": frame[metric].to_numpy(),
            "expected": scored[metric]["expected"].to_numpy(),
            "residual_score": z[metric].to_numpy(),
            "isolation_score": -raw,
            "is_anomaly": flagged.fillna(False).to_numpy(dtype=bool),
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def injected_anomalies(conn: psycopg.Connection) -> list[dict[str, Any]] | None:
    """The anomalies the generator injected (date and kind), from the latest succeeded seed
    run; None when the warehouse was not generated or the run recorded none."""
    row = conn.execute("""
        select params -> 'anomalies' from ops.load_runs
        where kind = 'seed' and status = 'succeeded'
        order by load_run_id desc limit 1
    """).fetchone()  # fmt: skip
    if not row or not row[0]:
        return None
    return list(row[0])


def evaluate(flagged: list[date], injected: list[dict[str, Any]], first: date, last: date
              ) -> dict[str, Any]:  # fmt: skip
    """Day-level precision and recall against the injected anomalies inside the scored days."""
    truth = {date.fromisoformat(a["date"]) for a in injected}
    truth = {day for day in truth if first <= day <= last}
    hits = set(flagged) & truth
    return {
        "precision": len(hits) / len(flagged) if flagged else None,
        "recall": len(hits) / len(truth) if truth else None,
        "injected_days": sorted(day.isoformat() for day in truth),
        "missed_days": sorted(day.isoformat() for day in truth - hits),
    }


def train(conninfo: str, options: TrainOptions) -> RunResult:
    """Score every day and metric, write ml.anomalies, and measure precision and recall against
    the generator's injected anomalies when the data was generated."""
    parameters = {"z_flag": Z_FLAG, "z_sure": Z_SURE, "forest_share": FOREST_SHARE,
                  "z_window_days": Z_WINDOW, "stl_trend_days": TREND_WINDOW,
                  "stl_seasonal_weeks": SEASONAL_WINDOW, "promotion_ratio": PROMOTION_RATIO,
                  "seed": options.seed}  # fmt: skip
    started = time.perf_counter()
    with model_run(conninfo, "anomalies", parameters) as run:
        frame = daily_metrics(run.conn)
        scored = detect(frame, options.seed)
        run.write("anomalies", scored)
        flagged = sorted(set(scored.loc[scored["is_anomaly"], "anomaly_date"]))
        run.metrics.update({
            "days_scored": len(frame),
            "days_flagged": len(flagged),
            "flagged_days": [day.isoformat() for day in flagged],
        })  # fmt: skip
        injected = injected_anomalies(run.conn)
        if injected:
            run.metrics.update(
                evaluate(flagged, injected, frame.index[0].date(), frame.index[-1].date())
            )
        metrics, rows, run_id = dict(run.metrics), run.rows, run.run_id
    return RunResult("anomalies", "succeeded", run_id, time.perf_counter() - started,
                     metrics, rows=rows)  # fmt: skip
