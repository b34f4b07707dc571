"""Oracle tests: every analytics metric recomputed with pandas from the core tables.

The seeded warehouse (tests/conftest.py SEED_OPTIONS) is read once per module; each view is
compared with an independent pandas computation over core.orders, core.order_items,
core.products, core.categories and core.customers: money to the cent, counts exactly, ratios
to 1e-9. Money is handled in integer cents, so sums and ties (RFM ranks) are exact, and so is
the split of order discounts and shipping fees over lines (whole cents, cumulative rounding).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.settings import PROJECT_ROOT, get_settings

MONEY_TOLERANCE = 0.005  # "to the cent"
RATIO_TOLERANCE = 1e-9
SALES_DAILY_KEYS = ["order_date", "country_code", "channel", "status", "category_id"]
ORDERS_DAILY_KEYS = ["order_date", "country_code", "channel", "status", "category_mask"]
MONEY_MEASURES = ["gross_revenue", "discounts", "refunds", "net_revenue", "cogs", "gross_profit"]


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """The core tables as pandas frames; money in integer cents, days in the views' time zone."""

    orders: pd.DataFrame  # one row per order, with order_date and is_first_order
    lines: pd.DataFrame  # one row per order line, with its order's columns and top category
    customers: pd.DataFrame
    categories: pd.DataFrame  # with top_category_id


def cents(values: pd.Series) -> pd.Series:
    """numeric(12, 2) values (Decimal) as exact integer cents."""
    return (values.astype(float) * 100).round().astype("int64")


def top_category_ids(categories: pd.DataFrame) -> pd.Series:
    """Root of each category's tree (walk parent links until there is none), by category_id."""
    parent = categories.set_index("category_id")["parent_category_id"]
    top = pd.Series(categories["category_id"].to_numpy(), index=categories["category_id"])
    while True:
        up = top.map(parent)
        has_parent = up.notna()
        if not has_parent.any():
            return top
        top[has_parent] = up[has_parent].astype("int64")


def local_days(timestamps: pd.Series, timezone: str) -> pd.Series:
    """Calendar day (midnight, naive) of each UTC timestamp in the given time zone."""
    return timestamps.dt.tz_convert(ZoneInfo(timezone)).dt.tz_localize(None).dt.normalize()


def first_non_cancelled_orders(orders: pd.DataFrame) -> pd.Series:
    """Boolean per order: the customer's first order not cancelled (by ordered_at, order_id)."""
    eligible = orders[orders["status"] != "cancelled"].sort_values(["ordered_at", "order_id"])
    first_ids = eligible.drop_duplicates("customer_id", keep="first")["order_id"]
    return orders["order_id"].isin(first_ids)


def load_base(engine: Engine, timezone: str | None = None) -> Base:
    """Read the core tables once and derive what every oracle needs."""
    timezone = timezone or get_settings().timezone
    with engine.connect() as conn:

        def read(sql: str) -> pd.DataFrame:
            return pd.read_sql(text(sql), conn)

        orders = read(
            "select order_id, customer_id, ordered_at, status, channel,"
            " shipping_country_code as country_code, shipping_fee, discount_amount"
            " from core.orders"
        )
        items = read(
            "select order_id, line_number, product_id, quantity, unit_price, unit_cost,"
            " discount_amount, returned_quantity, refund_amount from core.order_items"
        )
        products = read("select product_id, category_id from core.products")
        categories = read("select category_id, parent_category_id, name from core.categories")
        customers = read(
            "select customer_id, country_code, acquisition_channel, signup_at from core.customers"
        )

    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"], utc=True)
    orders["order_date"] = local_days(orders["ordered_at"], timezone)
    orders["order_discount"] = cents(orders.pop("discount_amount"))
    orders["shipping_fee"] = cents(orders["shipping_fee"])
    orders["is_first_order"] = first_non_cancelled_orders(orders)

    categories["top_category_id"] = categories["category_id"].map(top_category_ids(categories))
    top_of_product = products.set_index("product_id")["category_id"].map(
        categories.set_index("category_id")["top_category_id"]
    )

    lines = items.assign(
        unit_price=cents(items["unit_price"]),
        unit_cost=cents(items["unit_cost"]),
        line_discount=cents(items.pop("discount_amount")),
        refund_amount=cents(items["refund_amount"]),
        top_category_id=items["product_id"].map(top_of_product),
    )
    lines = lines.merge(
        orders[
            [
                "order_id",
                "customer_id",
                "order_date",
                "country_code",
                "channel",
                "status",
                "order_discount",
                "shipping_fee",
            ]
        ],
        on="order_id",
        how="inner",
        validate="many_to_one",
    )
    return Base(
        orders=orders,
        lines=line_measures(lines),
        customers=customers,
        categories=categories,
    )


# --- measures --------------------------------------------------------------------------------


def line_measures(lines: pd.DataFrame) -> pd.DataFrame:
    """Per line, in cents: gross, discounts (line + its share of the order's), refunds, net,
    COGS, profit and its share of the shipping fee (see allocate_order_amounts)."""
    lines = lines.assign(
        gross_revenue=lines["quantity"] * lines["unit_price"],
        cogs=(lines["quantity"] - lines["returned_quantity"]) * lines["unit_cost"],
        units=lines["quantity"],
        units_returned=lines["returned_quantity"],
        refunds=lines["refund_amount"],
    )
    lines = allocate_order_amounts(lines)
    lines["discounts"] = lines["line_discount"] + lines["order_discount_share"]
    lines["net_revenue"] = lines["gross_revenue"] - lines["discounts"] - lines["refunds"]
    lines["gross_profit"] = lines["net_revenue"] - lines["cogs"]
    return lines


def cumulative_shares(amount: pd.Series, weight: pd.Series, order_ids: pd.Series) -> pd.Series:
    """Whole cents of each order's amount per line, in proportion to weight, by cumulative
    rounding (the rule of mart.order_line_facts): line i gets round(amount x weights 1..i /
    total) - round(amount x weights 1..i-1 / total), halves rounded up; lines in line order."""
    through = weight.groupby(order_ids).cumsum()
    total = weight.groupby(order_ids).transform("sum")
    before = through - weight

    def rounded(part: pd.Series) -> pd.Series:
        return (2 * amount * part + total) // (2 * total)

    return rounded(through) - rounded(before)


def allocate_order_amounts(lines: pd.DataFrame) -> pd.DataFrame:
    """Split order discounts and shipping fees over an order's lines in whole cents, by line
    gross value (by line, evenly, when the order's gross is 0): the shares add up to the
    order's amounts exactly."""
    lines = lines.sort_values(["order_id", "line_number"]).reset_index(drop=True)
    by_order = lines.groupby("order_id")["gross_revenue"]
    worth_nothing = by_order.transform("sum") == 0
    weight = lines["gross_revenue"].where(~worth_nothing, 1).astype("int64")
    return lines.assign(
        order_discount_share=cumulative_shares(lines["order_discount"], weight, lines["order_id"]),
        shipping_fee_share=cumulative_shares(lines["shipping_fee"], weight, lines["order_id"]),
    )


def order_totals(base: Base) -> pd.DataFrame:
    """One row per order with its exact totals in cents, no allocation: what sales_daily must
    add up to whatever the category split."""
    per_order = base.lines.groupby("order_id").agg(
        units=("units", "sum"),
        units_returned=("units_returned", "sum"),
        gross_revenue=("gross_revenue", "sum"),
        line_discounts=("line_discount", "sum"),
        refunds=("refunds", "sum"),
        cogs=("cogs", "sum"),
    )
    totals = base.orders.merge(per_order, on="order_id", how="left")
    measures = ["units", "units_returned", "gross_revenue", "line_discounts", "refunds", "cogs"]
    totals[measures] = totals[measures].fillna(0).astype("int64")
    totals["discounts"] = totals["line_discounts"] + totals["order_discount"]
    totals["net_revenue"] = totals["gross_revenue"] - totals["discounts"] - totals["refunds"]
    totals["gross_profit"] = totals["net_revenue"] - totals["cogs"]
    totals["shipping_fees"] = totals["shipping_fee"]
    return totals


def in_money(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Cents to currency units, for comparison with the views."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column] / 100
    return frame


def month_start(days: pd.Series) -> pd.Series:
    return days.dt.to_period("M").dt.to_timestamp()


def rfm_score(worse: pd.Series, customers: int) -> pd.Series:
    """1 + floor(5 x customers strictly worse / customers), in exact integer arithmetic."""
    return 1 + (5 * worse) // customers


# --- comparing -------------------------------------------------------------------------------


def read_view(engine: Engine, name: str) -> pd.DataFrame:
    """A whole analytics view, date columns as datetime64 so they compare with pandas days."""
    with engine.connect() as conn:
        frame = pd.read_sql(text(f"select * from analytics.{name}"), conn)
    for column in frame.columns:
        if column.endswith("_date") or column in {"month", "period"}:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def mismatches(
    expected: pd.DataFrame,
    actual: pd.DataFrame,
    keys: list[str],
    *,
    money: Iterable[str] = (),
    exact: Iterable[str] = (),
    ratios: Iterable[str] = (),
) -> list[str]:
    """What differs between the pandas oracle and a view: missing or extra rows, money beyond
    half a cent, ratios beyond RATIO_TOLERANCE, anything else not equal. Nulls match nulls."""
    merged = expected.merge(
        actual, on=keys, how="outer", suffixes=("_expected", "_view"), indicator=True
    )
    problems = []
    unmatched = merged[merged["_merge"] != "both"]
    if not unmatched.empty:
        problems.append(
            f"{len(unmatched)} rows on one side only (left_only = pandas, right_only = view):\n"
            + unmatched[[*keys, "_merge"]].head(10).to_string()
        )
    merged = merged[merged["_merge"] == "both"]
    checks = [(c, MONEY_TOLERANCE) for c in money] + [(c, RATIO_TOLERANCE) for c in ratios]
    checks += [(c, None) for c in exact]
    for column, tolerance in checks:
        want, got = merged[f"{column}_expected"], merged[f"{column}_view"]
        both_null = want.isna() & got.isna()
        if tolerance is None:
            same = (want == got) | both_null
        else:
            same = ((want.astype(float) - got.astype(float)).abs() < tolerance) | both_null
        if not same.all():
            bad = merged.loc[~same, [*keys, f"{column}_expected", f"{column}_view"]]
            problems.append(
                f"{column}: {len(bad)} of {len(merged)} rows differ, e.g.\n"
                + bad.head(5).to_string()
            )
    return problems


def assert_matches(expected: pd.DataFrame, actual: pd.DataFrame, keys: list[str], **columns):
    assert len(expected) > 0 and len(actual) > 0, "nothing to compare: the oracle would be vacuous"
    problems = mismatches(expected, actual, keys, **columns)
    assert not problems, "\n\n".join(problems)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(seeded: Engine) -> Base:
    return load_base(seeded)


@pytest.fixture(scope="module")
def totals(base: Base) -> pd.DataFrame:
    return order_totals(base)


@pytest.fixture(scope="module")
def sales_daily(seeded: Engine) -> pd.DataFrame:
    return read_view(seeded, "sales_daily")


@pytest.fixture(scope="module")
def orders_daily(seeded: Engine) -> pd.DataFrame:
    return read_view(seeded, "orders_daily")


@pytest.fixture(scope="module")
def category_bits(seeded: Engine) -> pd.DataFrame:
    return read_view(seeded, "category_bits")


@pytest.fixture(scope="module")
def expected_customer_summary(base: Base, totals: pd.DataFrame) -> pd.DataFrame:
    """analytics.customer_summary recomputed: one row per customer, cancelled orders left out."""
    churn_days = get_settings().churn_days
    sold = totals[totals["status"] != "cancelled"]
    per_customer = sold.groupby("customer_id").agg(
        first_order_at=("ordered_at", "min"),
        last_order_at=("ordered_at", "max"),
        first_order_date=("order_date", "min"),
        last_order_date=("order_date", "max"),
        orders=("order_id", "size"),
        units=("units", "sum"),
        net_revenue=("net_revenue", "sum"),
    )
    summary = base.customers.merge(per_customer, on="customer_id", how="left")
    as_of_date = sold["order_date"].max() + pd.Timedelta(days=1)
    summary["orders"] = summary["orders"].fillna(0).astype("int64")
    summary["units"] = summary["units"].fillna(0).astype("int64")
    summary["net_revenue"] = summary["net_revenue"].fillna(0) / 100
    summary["average_order_value"] = summary["net_revenue"] / summary["orders"].where(
        summary["orders"] > 0
    )
    summary["tenure_days"] = (summary["last_order_date"] - summary["first_order_date"]).dt.days
    summary["days_since_last_order"] = (as_of_date - summary["last_order_date"]).dt.days
    summary["is_churned"] = summary["days_since_last_order"].gt(churn_days)
    summary["as_of_date"] = as_of_date
    return summary


@pytest.fixture(scope="module")
def expected_rfm(expected_customer_summary: pd.DataFrame) -> pd.DataFrame:
    """analytics.customer_rfm recomputed with rank(method='min') and the segment CSV."""
    scored = expected_customer_summary[expected_customer_summary["orders"] > 0]
    rfm = pd.DataFrame(
        {
            "customer_id": scored["customer_id"],
            "recency_days": scored["days_since_last_order"].astype("int64"),
            "frequency": scored["orders"],
            "monetary": scored["net_revenue"],
            "monetary_cents": (scored["net_revenue"] * 100).round().astype("int64"),
        }
    )
    customers = len(rfm)
    # rank(method="min") - 1 = customers strictly worse: older, fewer orders, less revenue
    older = rfm["recency_days"].rank(method="min", ascending=False).astype("int64") - 1
    fewer = rfm["frequency"].rank(method="min").astype("int64") - 1
    lower = rfm["monetary_cents"].rank(method="min").astype("int64") - 1
    rfm["r_score"] = rfm_score(older, customers)
    rfm["f_score"] = rfm_score(fewer, customers)
    rfm["m_score"] = rfm_score(lower, customers)
    rfm["rfm_cell"] = (
        rfm["r_score"].astype(str) + rfm["f_score"].astype(str) + rfm["m_score"].astype(str)
    )
    segments = pd.read_csv(PROJECT_ROOT / "seeds" / "rfm_segments.csv")
    return rfm.merge(
        segments[["r_score", "f_score", "m_score", "segment"]],
        on=["r_score", "f_score", "m_score"],
        how="left",
        validate="many_to_one",
    )


# --- the comparison itself can fail ----------------------------------------------------------


def test_comparison_reports_a_one_cent_difference_and_a_missing_row() -> None:
    expected = pd.DataFrame({"day": [1, 2], "net_revenue": [10.00, 20.00], "orders": [1, 2]})
    off_by_a_cent = expected.assign(net_revenue=[10.00, 20.01])
    one_row_short = expected.iloc[:1]
    one_order_more = expected.assign(orders=[1, 3])

    assert mismatches(expected, expected, ["day"], money=["net_revenue"], exact=["orders"]) == []
    assert mismatches(expected, off_by_a_cent, ["day"], money=["net_revenue"])
    assert mismatches(expected, one_row_short, ["day"], money=["net_revenue"])
    assert mismatches(expected, one_order_more, ["day"], exact=["orders"])


def test_the_seeded_data_exercises_what_the_views_handle(base: Base) -> None:
    """Guard against vacuous oracles: the data has order discounts, refunds, returns,
    cancelled orders, several categories per order and repeat customers."""
    orders, lines = base.orders, base.lines
    assert (orders["order_discount"] > 0).sum() > 100
    assert (lines["refunds"] > 0).sum() > 100
    assert (lines["units_returned"] > 0).sum() > 100
    assert (orders["status"] == "cancelled").sum() > 100
    assert (lines.groupby("order_id")["top_category_id"].nunique() > 1).sum() > 100
    assert orders[orders["status"] != "cancelled"].groupby("customer_id").size().max() > 1
    assert lines["top_category_id"].notna().all()


# --- category_bits ---------------------------------------------------------------------------


def test_category_bits_number_top_level_categories_in_id_order(
    base: Base, category_bits: pd.DataFrame
) -> None:
    roots = base.categories[base.categories["parent_category_id"].isna()].sort_values("category_id")
    expected = pd.DataFrame(
        {
            "category_id": roots["category_id"],
            "category_name": roots["name"],
            "category_bit": range(len(roots)),
        }
    )
    assert_matches(
        expected, category_bits, ["category_id"], exact=["category_name", "category_bit"]
    )


# --- sales_daily -----------------------------------------------------------------------------


def test_sales_daily_totals_per_day_match_order_totals(
    totals: pd.DataFrame, sales_daily: pd.DataFrame
) -> None:
    """Every status but cancelled: gross, discounts (line + order), refunds, net, COGS,
    profit, shipping and units per day, from exact per-order totals with no allocation."""
    measures = [*MONEY_MEASURES, "shipping_fees"]
    counts = ["units", "units_returned"]
    sold = totals[totals["status"] != "cancelled"]
    expected = in_money(sold.groupby("order_date")[measures + counts].sum(), measures)
    view = sales_daily[sales_daily["status"] != "cancelled"]
    actual = view.groupby("order_date")[measures + counts].sum()
    assert_matches(
        expected.reset_index(), actual.reset_index(), ["order_date"], money=measures, exact=counts
    )


def test_sales_daily_net_revenue_per_month_and_top_category_follows_the_allocation(
    base: Base, sales_daily: pd.DataFrame
) -> None:
    """Order discounts and shipping fees spread over lines by value reach each category."""
    measures = ["net_revenue", "discounts", "gross_profit", "shipping_fee_share"]
    lines = base.lines[base.lines["status"] != "cancelled"].assign(
        month=lambda frame: month_start(frame["order_date"])
    )
    expected = (
        in_money(lines.groupby(["month", "top_category_id"])[measures].sum(), measures)
        .rename(columns={"shipping_fee_share": "shipping_fees"})
        .reset_index()
        .rename(columns={"top_category_id": "category_id"})
    )
    view = sales_daily[sales_daily["status"] != "cancelled"].assign(
        month=lambda frame: month_start(frame["order_date"])
    )
    actual = view.groupby(["month", "category_id"])[
        ["net_revenue", "discounts", "gross_profit", "shipping_fees"]
    ].sum()
    assert_matches(
        expected,
        actual.reset_index(),
        ["month", "category_id"],
        money=["net_revenue", "discounts", "gross_profit", "shipping_fees"],
    )


def test_sales_daily_totals_per_country_channel_and_status(
    totals: pd.DataFrame, sales_daily: pd.DataFrame
) -> None:
    """Over the whole period, cancelled orders included as their own status."""
    keys = ["country_code", "channel", "status"]
    measures = [*MONEY_MEASURES, "shipping_fees"]
    expected = in_money(totals.groupby(keys)[[*measures, "units"]].sum(), measures)
    actual = sales_daily.groupby(keys)[[*measures, "units"]].sum()
    assert_matches(
        expected.reset_index(), actual.reset_index(), keys, money=measures, exact=["units"]
    )


def test_sales_daily_rows_match_pandas_at_their_full_grain(
    base: Base, sales_daily: pd.DataFrame
) -> None:
    """One row per day, country, channel, status and top category, every column."""
    measures = [*MONEY_MEASURES, "shipping_fee_share"]
    grouped = base.lines.groupby(
        ["order_date", "country_code", "channel", "status", "top_category_id"]
    )
    expected = in_money(grouped[measures].sum(), measures).join(
        grouped.agg(
            units=("units", "sum"),
            units_returned=("units_returned", "sum"),
        )
    )
    expected = (
        expected.rename(columns={"shipping_fee_share": "shipping_fees"})
        .reset_index()
        .rename(columns={"top_category_id": "category_id"})
    )
    assert_matches(
        expected,
        sales_daily,
        SALES_DAILY_KEYS,
        money=[*MONEY_MEASURES, "shipping_fees"],
        exact=["units", "units_returned"],
    )


# --- orders_daily ----------------------------------------------------------------------------


def order_masks(base: Base, category_bits: pd.DataFrame) -> pd.Series:
    """Per order_id: OR of 1 << bit over the top-level categories it has lines in."""
    bit_of = category_bits.set_index("category_id")["category_bit"]
    line_bits = np.left_shift(1, base.lines["top_category_id"].map(bit_of).astype("int64"))
    per_order_category = (
        pd.DataFrame({"order_id": base.lines["order_id"], "bit": line_bits})
        .drop_duplicates()
        .groupby("order_id")["bit"]
        .sum()  # distinct powers of two: the sum is the bitwise OR
    )
    return base.orders["order_id"].map(per_order_category).fillna(0).astype("int64")


def test_orders_daily_counts_orders_and_new_customers_per_day(
    base: Base, orders_daily: pd.DataFrame
) -> None:
    sold = base.orders[base.orders["status"] != "cancelled"]
    expected = sold.groupby("order_date").agg(
        orders=("order_id", "size"), new_customers=("is_first_order", "sum")
    )
    view = orders_daily[orders_daily["status"] != "cancelled"]
    actual = view.groupby("order_date")[["orders", "new_customers"]].sum()
    assert expected["new_customers"].sum() > 1000
    assert_matches(
        expected.reset_index(),
        actual.reset_index(),
        ["order_date"],
        exact=["orders", "new_customers"],
    )


def test_orders_daily_rows_match_pandas_at_their_full_grain(
    base: Base, totals: pd.DataFrame, category_bits: pd.DataFrame, orders_daily: pd.DataFrame
) -> None:
    """Every status, every category mask: orders, new customers and units."""
    orders = totals.assign(category_mask=order_masks(base, category_bits))
    expected = orders.groupby(ORDERS_DAILY_KEYS).agg(
        orders=("order_id", "size"),
        new_customers=("is_first_order", "sum"),
        units=("units", "sum"),
    )
    assert_matches(
        expected.reset_index(),
        orders_daily,
        ORDERS_DAILY_KEYS,
        exact=["orders", "new_customers", "units"],
    )


@pytest.mark.parametrize(
    ("categories", "how"),
    [
        (("Electronics",), "any"),
        (("Fashion",), "any"),
        (("Grocery",), "any"),
        (("Electronics", "Fashion"), "any"),
        (("Electronics", "Fashion"), "all"),
    ],
    ids=["electronics", "fashion", "grocery", "electronics-or-fashion", "electronics-and-fashion"],
)
def test_orders_daily_mask_counts_orders_with_a_line_in_the_categories(
    base: Base,
    category_bits: pd.DataFrame,
    orders_daily: pd.DataFrame,
    categories: tuple[str, ...],
    how: str,
) -> None:
    """Orders not cancelled, whole period: the view's masks against the order lines."""
    roots = base.categories[base.categories["parent_category_id"].isna()]
    ids = set(roots.loc[roots["name"].isin(categories), "category_id"])
    assert len(ids) == len(categories)
    lines = base.lines[base.lines["status"] != "cancelled"]
    tops_per_order = lines.groupby("order_id")["top_category_id"].agg(set)
    if how == "any":
        expected = int(tops_per_order.map(lambda tops: bool(tops & ids)).sum())
    else:
        expected = int(tops_per_order.map(lambda tops: ids <= tops).sum())

    bits = category_bits.set_index("category_id")["category_bit"]
    selected = sum(1 << int(bits[category_id]) for category_id in ids)
    view = orders_daily[orders_daily["status"] != "cancelled"]
    if how == "any":
        hit = (view["category_mask"] & selected) != 0
    else:
        hit = (view["category_mask"] & selected) == selected
    assert expected > 100
    assert int(view.loc[hit, "orders"].sum()) == expected


# --- kpi_monthly -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kpi_comparison(
    base: Base, totals: pd.DataFrame, seeded: Engine
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pandas, view) for analytics.kpi_monthly: every month, cancelled orders left out."""
    money = [*MONEY_MEASURES, "shipping_fees"]
    sold = totals[totals["status"] != "cancelled"].assign(
        month=lambda frame: month_start(frame["order_date"])
    )
    monthly = in_money(
        sold.groupby("month").agg(
            orders=("order_id", "size"),
            units=("units", "sum"),
            **{column: (column, "sum") for column in money},
            customers=("customer_id", "nunique"),
            new_customers=("is_first_order", "sum"),
        ),
        money,
    )
    every_month = pd.date_range(monthly.index.min(), monthly.index.max(), freq="MS", name="month")
    monthly = monthly.reindex(every_month, fill_value=0)
    monthly["gross_margin"] = monthly["gross_profit"] / monthly["net_revenue"].replace(0, np.nan)
    monthly["average_order_value"] = monthly["net_revenue"] / monthly["orders"].replace(0, np.nan)
    monthly["returning_customers"] = monthly["customers"] - monthly["new_customers"]
    for measure in ("net_revenue", "orders"):
        for suffix, months in (("mom", 1), ("yoy", 12)):
            before = monthly[measure].shift(months).replace(0, np.nan)
            monthly[f"{measure}_{suffix}_growth"] = monthly[measure] / before - 1
    return monthly.reset_index(), read_view(seeded, "kpi_monthly")


def test_kpi_monthly_money_units_and_orders_per_month(kpi_comparison) -> None:
    expected, actual = kpi_comparison
    assert len(expected) >= 36
    assert_matches(
        expected,
        actual,
        ["month"],
        money=[*MONEY_MEASURES, "shipping_fees", "average_order_value"],
        ratios=["gross_margin"],
        exact=["orders", "units"],
    )


def test_kpi_monthly_customers_new_and_returning_per_month(kpi_comparison) -> None:
    expected, actual = kpi_comparison
    assert_matches(
        expected,
        actual,
        ["month"],
        exact=["customers", "new_customers", "returning_customers"],
    )


def test_kpi_monthly_growth_against_previous_month_and_year(kpi_comparison) -> None:
    expected, actual = kpi_comparison
    assert expected["net_revenue_yoy_growth"].notna().sum() >= 24
    assert_matches(
        expected,
        actual,
        ["month"],
        ratios=[
            "net_revenue_mom_growth",
            "net_revenue_yoy_growth",
            "orders_mom_growth",
            "orders_yoy_growth",
        ],
    )


# --- customer_summary ------------------------------------------------------------------------


def test_customer_summary_matches_pandas_for_every_customer(
    seeded: Engine, expected_customer_summary: pd.DataFrame
) -> None:
    actual = read_view(seeded, "customer_summary")
    assert len(actual) == len(expected_customer_summary)
    assert (expected_customer_summary["orders"] == 0).any(), "no customer without orders"
    assert expected_customer_summary["is_churned"].any()
    assert_matches(
        expected_customer_summary,
        actual,
        ["customer_id"],
        money=["net_revenue", "average_order_value"],
        exact=[
            "country_code",
            "acquisition_channel",
            "signup_at",
            "first_order_at",
            "last_order_at",
            "orders",
            "units",
            "tenure_days",
            "days_since_last_order",
            "is_churned",
            "as_of_date",
        ],
    )


# --- customer_rfm and rfm_segment_summary ----------------------------------------------------


def test_customer_rfm_values_and_scores_match_pandas_ranks(
    seeded: Engine, expected_rfm: pd.DataFrame
) -> None:
    actual = read_view(seeded, "customer_rfm")
    for score in ("r_score", "f_score", "m_score"):
        assert expected_rfm[score].nunique() >= 3, f"{score} hardly varies: a weak oracle"
    assert_matches(
        expected_rfm,
        actual,
        ["customer_id"],
        money=["monetary"],
        exact=["recency_days", "frequency", "r_score", "f_score", "m_score", "rfm_cell"],
    )


def test_customer_rfm_segment_comes_from_the_seed_csv(
    seeded: Engine, expected_rfm: pd.DataFrame
) -> None:
    actual = read_view(seeded, "customer_rfm")
    assert expected_rfm["segment"].notna().all()
    assert expected_rfm["segment"].nunique() >= 5
    assert_matches(expected_rfm, actual, ["customer_id"], exact=["segment"])


def test_rfm_segment_summary_counts_shares_and_revenue_per_segment(
    seeded: Engine, expected_rfm: pd.DataFrame
) -> None:
    segments = (
        pd.read_csv(PROJECT_ROOT / "seeds" / "rfm_segments.csv")
        .drop_duplicates("segment")
        .set_index("segment")[["description", "suggested_action"]]
    )
    per_segment = expected_rfm.groupby("segment").agg(
        customers=("customer_id", "size"),
        average_recency_days=("recency_days", "mean"),
        average_frequency=("frequency", "mean"),
        average_monetary=("monetary", "mean"),
        net_revenue=("monetary_cents", "sum"),
    )
    expected = segments.join(per_segment, how="left")
    expected["customers"] = expected["customers"].fillna(0).astype("int64")
    expected["customer_share"] = expected["customers"] / expected["customers"].sum()
    expected["revenue_share"] = expected["net_revenue"] / expected["net_revenue"].sum()
    expected["net_revenue"] = expected["net_revenue"].fillna(0) / 100
    actual = read_view(seeded, "rfm_segment_summary")
    assert_matches(
        expected.reset_index(),
        actual,
        ["segment"],
        money=["net_revenue", "average_monetary"],
        ratios=[
            "customer_share",
            "revenue_share",
            "average_recency_days",
            "average_frequency",
        ],
        exact=["description", "suggested_action", "customers"],
    )


@pytest.mark.parametrize(
    ("view", "daily", "keys", "measures"),
    [
        ("sales_periods", "sales_daily", ["channel", "category_id"],
         ["units", "gross_revenue", "discounts", "refunds", "net_revenue", "cogs",
          "gross_profit", "shipping_fees"]),
        ("order_periods", "orders_daily", ["channel", "category_mask"],
         ["orders", "new_customers", "units"]),
    ],
)  # fmt: skip
def test_period_rollups_add_up_their_daily_view(
    seeded: Engine, view: str, daily: str, keys: list[str], measures: list[str]
) -> None:
    """Every rollup and grain of the period views is the daily view added up."""
    periods = read_view(seeded, view)
    days = read_view(seeded, daily)
    days["order_date"] = pd.to_datetime(days["order_date"])
    periods["period_start"] = pd.to_datetime(periods["period_start"])
    starts = {
        "day": days["order_date"],
        "week": days["order_date"] - pd.to_timedelta(days["order_date"].dt.day_of_week, unit="D"),
        "month": days["order_date"].dt.to_period("M").dt.to_timestamp(),
        "year": days["order_date"].dt.to_period("Y").dt.to_timestamp(),
    }
    rollups = {"none": [], "country": ["country_code"], "channel": ["channel"],
               "country_channel": ["country_code", "channel"], "channel_category": keys,
               "full": ["country_code", *keys]}  # fmt: skip
    assert set(periods["rollup"]) == set(rollups)
    money = [m for m in measures if m not in ("units", "orders", "new_customers")]
    checked = 0
    for rollup, dims in rollups.items():
        for grain, start in starts.items():
            rows = periods[(periods["rollup"] == rollup) & (periods["period_grain"] == grain)]
            if rollup == "full" and grain == "day":
                assert rows.empty, "the full rollup's days are the daily view itself"
                continue
            group = ["period_start", "status", *dims]
            expected = (
                days.assign(period_start=start).groupby(group, dropna=False)[measures].sum()
            ).reset_index()
            for column in money:
                expected[column] = expected[column].astype(float)
            assert_matches(
                expected.fillna({d: "?" for d in dims if d != "category_id"}),
                rows[group + measures].fillna({d: "?" for d in dims if d != "category_id"}),
                group,
                money=money,
                exact=[m for m in measures if m not in money],
            )
            checked += 1
    assert checked == 23


# --- slim and reference views ----------------------------------------------------------------


def test_order_customers_has_every_order_with_its_customer_mask_and_first_order_flag(
    seeded: Engine, base: Base, category_bits: pd.DataFrame
) -> None:
    expected = base.orders.assign(category_mask=order_masks(base, category_bits))[
        ["order_id", "order_date", "customer_id", "status", "country_code", "channel",
         "category_mask", "is_first_order"]
    ]  # fmt: skip
    assert_matches(
        expected,
        read_view(seeded, "order_customers"),
        ["order_id"],
        exact=["order_date", "customer_id", "status", "country_code", "channel",
               "category_mask", "is_first_order"],
    )  # fmt: skip


def test_traffic_daily_adds_up_sessions_per_day_and_country(seeded: Engine) -> None:
    with seeded.connect() as conn:
        traffic = pd.read_sql(
            text("select traffic_date, country_code, sessions from core.web_traffic"), conn
        )
    traffic["traffic_date"] = pd.to_datetime(traffic["traffic_date"])
    expected = traffic.groupby(["traffic_date", "country_code"], as_index=False)["sessions"].sum()
    assert_matches(expected, read_view(seeded, "traffic_daily"),
                   ["traffic_date", "country_code"], exact=["sessions"])  # fmt: skip


def test_category_tree_gives_each_category_its_root_depth_and_path(
    seeded: Engine, base: Base
) -> None:
    categories = base.categories.set_index("category_id")
    parent = categories["parent_category_id"]

    def ancestors(category_id: int) -> list[int]:
        chain = [category_id]
        while pd.notna(parent[chain[-1]]):
            chain.append(int(parent[chain[-1]]))
        return chain[::-1]

    chains = {category_id: ancestors(category_id) for category_id in categories.index}
    expected = pd.DataFrame({
        "category_id": list(chains),
        "category_name": [categories.at[c, "name"] for c in chains],
        "top_category_id": [chain[0] for chain in chains.values()],
        "top_category_name": [categories.at[chain[0], "name"] for chain in chains.values()],
        "depth": [len(chain) - 1 for chain in chains.values()],
        "path": [" > ".join(categories.at[c, "name"] for c in chain) for chain in chains.values()],
    })  # fmt: skip
    assert set(expected["depth"]) == {0, 1}
    assert_matches(expected, read_view(seeded, "category_tree"), ["category_id"],
                   exact=["category_name", "top_category_id", "top_category_name", "depth",
                          "path"])  # fmt: skip


def test_product_sales_running_holds_each_products_totals_through_every_day(
    seeded: Engine, base: Base
) -> None:
    lines = base.lines[base.lines["status"] != "cancelled"]
    per_day = lines.groupby(["product_id", "order_date"]).agg(
        units=("units", "sum"),
        units_returned=("units_returned", "sum"),
        orders=("order_id", "nunique"),
        net_revenue=("net_revenue", "sum"),
        gross_profit=("gross_profit", "sum"),
    )
    latest = lines["order_date"].max()
    running = []
    for product_id, days in per_day.groupby(level="product_id"):
        # every day from the product's first sale to the latest, with or without sales
        days = days.droplevel("product_id")
        every_day = pd.date_range(days.index.min(), latest, freq="D", name="through_day")
        totals = days.reindex(every_day, fill_value=0).cumsum().reset_index()
        running.append(totals.assign(product_id=product_id))
    expected = in_money(pd.concat(running), ["net_revenue", "gross_profit"])
    view = read_view(seeded, "product_sales_running")
    view["through_day"] = pd.to_datetime(view["through_day"])
    assert len(view) == len(expected)
    assert_matches(expected, view, ["through_day", "product_id"],
                   money=["net_revenue", "gross_profit"],
                   exact=["units", "units_returned", "orders"])  # fmt: skip


@pytest.mark.parametrize("grain", ["day", "week", "month", "year"])
def test_product_sales_periods_match_pandas_per_period_and_product(
    seeded: Engine, base: Base, grain: str
) -> None:
    lines = base.lines[base.lines["status"] != "cancelled"]
    freq = {"day": "D", "week": "W-SUN", "month": "M", "year": "Y"}[grain]
    start = lines["order_date"].dt.to_period(freq).dt.start_time
    per_product = lines.assign(period_start=start).groupby(["period_start", "product_id"]).agg(
        units=("units", "sum"),
        units_returned=("units_returned", "sum"),
        orders=("order_id", "nunique"),
        gross_revenue=("gross_revenue", "sum"),
        net_revenue=("net_revenue", "sum"),
        cogs=("cogs", "sum"),
        gross_profit=("gross_profit", "sum"),
    ).reset_index()  # fmt: skip
    money = ["gross_revenue", "net_revenue", "cogs", "gross_profit"]
    with seeded.connect() as conn:
        view = pd.read_sql(
            text("select * from analytics.product_sales_periods where period_grain = :grain"),
            conn, params={"grain": grain},
        )  # fmt: skip
    view["period_start"] = pd.to_datetime(view["period_start"])
    assert_matches(in_money(per_product, money), view, ["period_start", "product_id"],
                   money=money, exact=["units", "units_returned", "orders"])  # fmt: skip
