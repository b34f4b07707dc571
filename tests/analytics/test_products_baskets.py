"""The product, category and basket views: oracles on the seeded warehouse, given/expect tests
on hand-made rows.

analytics.product_performance, analytics.category_performance and analytics.basket_pairs are
recomputed with pandas from core.orders, core.order_items, core.products, core.categories and
core.reviews, following the definitions in the views' column comments (not their SQL), and
compared column by column: money to the cent (worked in integer cents, see test_oracle.py),
counts exactly, ratios to 1e-9, ABC classes and BCG quadrants exactly. The seeded data has no
product twice in an order, no basket above 30 products and no category three levels deep: the
hand-made shops below cover those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from salesdw.refresh import refresh
from salesdw.settings import Settings
from tests.analytics.test_oracle import Base, assert_matches, cents, in_money, load_base, read_view

MIN_ORDERS_TOGETHER = 5  # basket_pairs' minimum support, in orders
MAX_BASKET_ITEMS = 30  # orders with more distinct items of a kind add no pairs of that kind
WINDOW_MONEY = ["net_revenue_last_365", "net_revenue_previous_365"]
MONEY = ["net_revenue", "gross_profit", *WINDOW_MONEY]
COUNTS = ["units", "units_returned", "orders", "review_count"]
RATIOS = ["return_rate", "gross_margin", "average_rating", "net_revenue_growth"]


# --- the oracle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """What the views need beyond test_oracle.Base: product attributes and reviews."""

    products: pd.DataFrame  # product_id, sku, product_name, brand, category_id, list_price (cents)
    reviews: pd.DataFrame  # product_id, rating


def load_catalog(engine: Engine) -> Catalog:
    with engine.connect() as conn:
        products = pd.read_sql(
            text(
                "select product_id, sku, name as product_name, brand, category_id, list_price"
                " from core.products"
            ),
            conn,
        )
        reviews = pd.read_sql(text("select product_id, rating from core.reviews"), conn)
    return Catalog(
        products=products.assign(list_price=cents(products["list_price"])), reviews=reviews
    )


def sold_lines(base: Base) -> pd.DataFrame:
    """Lines of orders not cancelled, with their net revenue in each 365-day window (cents).

    As-of is the day after the latest local day with an order not cancelled; the last window
    is the 365 days ending the day before it, the previous one the 365 days before those."""
    lines = base.lines[base.lines["status"] != "cancelled"]
    as_of = base.orders.loc[base.orders["status"] != "cancelled", "order_date"].max()
    as_of += pd.Timedelta(days=1)
    days_before = (as_of - lines["order_date"]).dt.days
    return lines.assign(
        net_revenue_last_365=lines["net_revenue"].where(days_before.between(1, 365), 0),
        net_revenue_previous_365=lines["net_revenue"].where(days_before.between(366, 730), 0),
    )


def measures(lines: pd.DataFrame, by: str) -> pd.DataFrame:
    """Units, returns, distinct orders and money (cents) of the lines, per `by`."""
    return lines.groupby(by).agg(
        units=("units", "sum"),
        units_returned=("units_returned", "sum"),
        orders=("order_id", "nunique"),
        net_revenue=("net_revenue", "sum"),
        gross_profit=("gross_profit", "sum"),
        net_revenue_last_365=("net_revenue_last_365", "sum"),
        net_revenue_previous_365=("net_revenue_previous_365", "sum"),
    )


def review_measures(reviews: pd.DataFrame, by: str) -> pd.DataFrame:
    """Average stars (every review weighs the same) and number of reviews, per `by`."""
    return reviews.groupby(by)["rating"].agg(average_rating="mean", review_count="size")


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Zeros where nothing was sold or reviewed; then return rate, margin and growth (nulls
    where their denominators are zero, or the previous 365 days have no positive revenue)."""
    frame = frame.copy()
    for column in COUNTS:
        frame[column] = frame[column].fillna(0).astype("int64")
    frame[MONEY] = frame[MONEY].fillna(0)
    frame["return_rate"] = frame["units_returned"] / frame["units"].where(frame["units"] > 0)
    frame["gross_margin"] = frame["gross_profit"] / frame["net_revenue"].where(
        frame["net_revenue"] != 0
    )
    previous = frame["net_revenue_previous_365"]
    frame["net_revenue_growth"] = frame["net_revenue_last_365"] / previous.where(previous > 0) - 1
    return frame


def abc_classes(revenue: pd.Series) -> pd.Series:
    """ABC class of each item (the index is its id): ranked by revenue, highest first, ties by
    id; A while the running share of the total, the item included, is at most 80%, B at most
    95%, C above; all C when the total is not positive."""
    ranked = revenue.sort_index().sort_values(ascending=False, kind="stable")
    total = ranked.sum()
    if total <= 0:
        return pd.Series("C", index=revenue.index)
    running = ranked.cumsum()
    classes = np.select([running <= 0.80 * total, running <= 0.95 * total], ["A", "B"], "C")
    return pd.Series(classes, index=ranked.index).reindex(revenue.index)


def bcg_quadrant(growth: float, share: float, median_growth: float, median_share: float):
    if pd.isna(growth) or pd.isna(share):
        return None
    high_growth, high_share = growth >= median_growth, share >= median_share
    if high_growth:
        return "Star" if high_share else "Question Mark"
    return "Cash Cow" if high_share else "Dog"


def product_oracle(base: Base, catalog: Catalog) -> pd.DataFrame:
    """analytics.product_performance recomputed: every product, sold or not; money in cents."""
    top = base.categories.set_index("category_id")
    frame = (
        catalog.products.set_index("product_id")
        .join(measures(sold_lines(base), "product_id"))
        .join(review_measures(catalog.reviews, "product_id"))
    )
    frame = with_rates(frame)
    frame["top_category_id"] = frame["category_id"].map(top["top_category_id"])
    frame["top_category_name"] = frame["top_category_id"].map(top["name"])
    frame["abc_class"] = abc_classes(frame["net_revenue"])
    return frame.reset_index()


def category_ancestors(categories: pd.DataFrame) -> pd.DataFrame:
    """One row per category and each category at or above it (itself included)."""
    parent = categories.set_index("category_id")["parent_category_id"]
    pairs = []
    for category_id in categories["category_id"]:
        ancestor = category_id
        while not pd.isna(ancestor):
            pairs.append((category_id, int(ancestor)))
            ancestor = parent[ancestor]
    return pd.DataFrame(pairs, columns=["category_id", "ancestor_id"])


def category_oracle(base: Base, catalog: Catalog) -> pd.DataFrame:
    """analytics.category_performance recomputed: each category with every product at or
    below it; classes, shares and quadrants among the categories of its level."""
    ancestors = category_ancestors(base.categories)
    product_category = catalog.products[["product_id", "category_id"]]
    lines = sold_lines(base).merge(product_category, on="product_id").merge(ancestors)
    reviews = catalog.reviews.merge(product_category, on="product_id").merge(ancestors)
    frame = (
        base.categories.rename(columns={"name": "category_name"})
        .set_index("category_id")[["category_name", "parent_category_id"]]
        .join(measures(lines, "ancestor_id"))
        .join(review_measures(reviews, "ancestor_id"))
    )
    frame = with_rates(frame)
    frame["level"] = np.where(frame["parent_category_id"].isna(), "top", "sub")
    levels = [level_comparisons(group) for _, group in frame.groupby("level")]
    return pd.concat(levels).reset_index()


def level_comparisons(level: pd.DataFrame) -> pd.DataFrame:
    """ABC class, revenue share, relative share (against the largest other category's last
    365 days) and BCG quadrant (against the level's medians) of one level's categories."""
    level = level.copy()
    total = level["net_revenue"].sum()
    level["abc_class"] = abc_classes(level["net_revenue"])
    level["revenue_share"] = level["net_revenue"] / total if total > 0 else np.nan
    last = level["net_revenue_last_365"]
    largest_other = pd.Series([last.drop(index).max() for index in level.index], level.index)
    level["relative_share"] = last / largest_other.where(largest_other > 0)
    median_growth = level["net_revenue_growth"].median()  # skips nulls, like percentile_cont
    median_share = level["relative_share"].median()
    level["bcg_quadrant"] = [
        bcg_quadrant(growth, share, median_growth, median_share)
        for growth, share in zip(level["net_revenue_growth"], level["relative_share"], strict=True)
    ]
    return level


def basket_oracle(base: Base, catalog: Catalog, kind: str) -> pd.DataFrame:
    """analytics.basket_pairs of one kind recomputed: each order not cancelled as its set of
    distinct products (or top-level categories); pairs from sets of at most 30 items, kept
    when in at least 5 orders; every order not cancelled counts in the totals."""
    item = {"product": "product_id", "category": "top_category_id"}[kind]
    names = (
        catalog.products.set_index("product_id")["product_name"]
        if kind == "product"
        else base.categories.set_index("category_id")["name"]
    )
    lines = base.lines[base.lines["status"] != "cancelled"]
    baskets = lines[["order_id", item]].drop_duplicates().rename(columns={item: "item"})
    orders_with = baskets.groupby("item").size()
    basket_size = baskets.groupby("order_id")["item"].transform("size")
    small = baskets[basket_size <= MAX_BASKET_ITEMS]
    pairs = small.merge(small, on="order_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["item_a"] < pairs["item_b"]]
    frame = pairs.groupby(["item_a", "item_b"]).size().rename("orders_together").reset_index()
    frame = frame[frame["orders_together"] >= MIN_ORDERS_TOGETHER]
    all_orders = int((base.orders["status"] != "cancelled").sum())
    frame = frame.assign(
        pair_kind=kind,
        item_a_name=frame["item_a"].map(names),
        item_b_name=frame["item_b"].map(names),
        orders_with_a=frame["item_a"].map(orders_with),
        orders_with_b=frame["item_b"].map(orders_with),
    )
    frame["support"] = frame["orders_together"] / all_orders
    frame["confidence_a_to_b"] = frame["orders_together"] / frame["orders_with_a"]
    frame["confidence_b_to_a"] = frame["orders_together"] / frame["orders_with_b"]
    support_a = frame["orders_with_a"] / all_orders
    support_b = frame["orders_with_b"] / all_orders
    frame["lift"] = frame["support"] / (support_a * support_b)
    return frame


def assert_every_column_matches(
    expected: pd.DataFrame,
    actual: pd.DataFrame,
    keys: list[str],
    *,
    money: Iterable[str] = (),
    exact: Iterable[str] = (),
    ratios: Iterable[str] = (),
) -> None:
    """test_oracle.assert_matches, after checking that every column of the view is compared."""
    checked = {*keys, *money, *exact, *ratios}
    assert set(actual.columns) == checked, f"not compared: {set(actual.columns) ^ checked}"
    assert not actual.duplicated(keys).any()
    assert_matches(expected, actual, keys, money=money, exact=exact, ratios=ratios)


# --- oracle tests on the seeded warehouse ----------------------------------------------------


@pytest.fixture(scope="module")
def base(seeded: Engine) -> Base:
    return load_base(seeded)


@pytest.fixture(scope="module")
def catalog(seeded: Engine) -> Catalog:
    return load_catalog(seeded)


def test_product_performance_matches_pandas_for_every_product(
    seeded: Engine, base: Base, catalog: Catalog
) -> None:
    expected = product_oracle(base, catalog)
    assert (expected["units"] == 0).any(), "no unsold product"
    assert expected["average_rating"].isna().any() and expected["average_rating"].notna().any()
    assert expected["net_revenue_growth"].notna().sum() > 100
    assert expected["abc_class"].value_counts().min() > 20, "an ABC class is nearly empty"
    assert_every_column_matches(
        in_money(expected, [*MONEY, "list_price"]),
        read_view(seeded, "product_performance"),
        ["product_id"],
        money=[*MONEY, "list_price"],
        exact=[
            *COUNTS,
            "sku",
            "product_name",
            "brand",
            "category_id",
            "top_category_id",
            "top_category_name",
            "abc_class",
        ],
        ratios=RATIOS,
    )


def test_category_performance_matches_pandas_for_every_category(
    seeded: Engine, base: Base, catalog: Catalog
) -> None:
    expected = category_oracle(base, catalog)
    assert set(expected["level"]) == {"top", "sub"}
    for level, group in expected.groupby("level"):
        assert set(group["bcg_quadrant"]) >= {"Star", "Question Mark", "Cash Cow", "Dog"}, level
        assert set(group["abc_class"]) == {"A", "B", "C"}, level
    assert_every_column_matches(
        in_money(expected, MONEY),
        read_view(seeded, "category_performance"),
        ["category_id"],
        money=MONEY,
        exact=[
            *COUNTS,
            "category_name",
            "level",
            "parent_category_id",
            "abc_class",
            "bcg_quadrant",
        ],
        ratios=[*RATIOS, "revenue_share", "relative_share"],
    )


def test_the_seeded_data_has_orders_with_several_products_of_one_category(
    base: Base, catalog: Catalog
) -> None:
    """Guard for the oracle above: in the seeded data a category's orders are fewer than the
    sum of its products' orders, so adding product orders up would be caught."""
    expected = category_oracle(base, catalog).set_index("category_id")
    products = product_oracle(base, catalog)
    per_top = products.groupby("top_category_id")["orders"].sum()
    assert (expected.loc[per_top.index, "orders"] < per_top).all()


@pytest.mark.parametrize("kind", ["product", "category"])
def test_basket_pairs_match_pandas_for_every_pair(
    seeded: Engine, base: Base, catalog: Catalog, kind: str
) -> None:
    expected = basket_oracle(base, catalog, kind)
    assert (expected["lift"] > 1).any() and (expected["lift"] < 1).any()
    actual = read_view(seeded, "basket_pairs")
    assert_every_column_matches(
        expected,
        actual[actual["pair_kind"] == kind],
        ["pair_kind", "item_a", "item_b"],
        exact=["item_a_name", "item_b_name", "orders_together", "orders_with_a", "orders_with_b"],
        ratios=["support", "confidence_a_to_b", "confidence_b_to_a", "lift"],
    )


def test_basket_pairs_below_the_minimum_support_exist_in_the_seeded_data(
    base: Base, catalog: Catalog
) -> None:
    """Guard: the 5-order threshold leaves product pairs out here, so the oracle checks it."""
    lines = base.lines[base.lines["status"] != "cancelled"][["order_id", "product_id"]]
    pairs = lines.merge(lines, on="order_id").query("product_id_x < product_id_y")
    together = pairs.groupby(["product_id_x", "product_id_y"]).size()
    assert (together < MIN_ORDERS_TOGETHER).sum() > 1000
    assert (together >= MIN_ORDERS_TOGETHER).sum() == len(basket_oracle(base, catalog, "product"))


# --- given/expect tests on hand-made rows ----------------------------------------------------


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def stock(db: Engine, sql: str, *orders: tuple, timezone: str = "UTC") -> Engine:
    """Run `sql`, add `orders` (see add_order) and refresh the views in `timezone`."""
    with db.begin() as conn:
        conn.exec_driver_sql(sql)
        for order in orders:
            add_order(conn, *order)
    refresh(conninfo(db), settings=Settings(_env_file=None, timezone=timezone))
    return db


def add_order(
    conn: Connection,
    products: list[int],
    ordered_at: str = "2024-03-01 12:00+00",
    status: str = "completed",
    price: float = 10,
) -> None:
    """An order of customer 1 with one line per product id: one unit at `price`, cost 4."""
    order_id = conn.execute(
        text(
            "insert into core.orders (customer_id, ordered_at, status, channel)"
            " values (1, :ordered_at, :status, 'web') returning order_id"
        ),
        {"ordered_at": ordered_at, "status": status},
    ).scalar_one()
    for line_number, product_id in enumerate(products, start=1):
        conn.execute(
            text(
                "insert into core.order_items (order_id, line_number, product_id, quantity,"
                " unit_price, unit_cost) values (:order_id, :line_number, :product_id, 1,"
                " :price, 4)"
            ),
            {
                "order_id": order_id,
                "line_number": line_number,
                "product_id": product_id,
                "price": price,
            },
        )


def rows(engine: Engine, sql: str) -> list[tuple]:
    """The rows of a query, numbers as floats (compare ratios with pytest.approx)."""
    with engine.connect() as conn:
        return [
            tuple(float(value) if isinstance(value, Decimal) else value for value in row)
            for row in conn.execute(text(sql))
        ]


def approx(*values) -> tuple:
    """A row to compare with `rows`: floats to 1e-9, anything else exactly."""
    return tuple(pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for v in values)


CUSTOMER = """
insert into core.customers (email, country_code, signup_at) values ('a@x.io', 'DE', '2022-01-01');
"""

# Books (1) > Fiction (3) > Crime (4), Books > Maps (5, no products); Games (2).
# 1: the novel on two lines (the second with a line discount of 2) and chess, order discount
#    10 spread 1/6, 1/2, 1/3 over the lines' 10, 30 and 20
# 2: cancelled: five novels and the only poster ever ordered
# 3: two games of chess, one returned and refunded
# 4: an atlas, sold in Books itself
BOOKSHOP = f"""
{CUSTOMER}
insert into core.categories (name) values ('Books'), ('Games');
insert into core.categories (name, parent_category_id) values ('Fiction', 1);
insert into core.categories (name, parent_category_id) values ('Crime', 3), ('Maps', 1);
insert into core.products (sku, name, brand, category_id, list_price, unit_cost, launched_at)
    values ('N-1', 'Novel', 'Inkwell', 4, 10, 4, '2024-01-01'),
           ('G-1', 'Chess', null, 2, 30, 12, '2024-01-01'),
           ('A-1', 'Atlas', 'Inkwell', 1, 100, 40, '2024-01-01'),
           ('P-1', 'Poster', null, 3, 5, 1, '2024-01-01');
insert into core.orders (customer_id, ordered_at, status, channel, discount_amount) values
    (1, '2024-03-01 12:00+00', 'completed', 'web', 10),
    (1, '2024-03-02 12:00+00', 'cancelled', 'web', 0),
    (1, '2024-03-03 12:00+00', 'returned', 'web', 0),
    (1, '2024-03-04 12:00+00', 'completed', 'web', 0);
insert into core.order_items (order_id, line_number, product_id, quantity, unit_price,
                              unit_cost, discount_amount, returned_quantity, refund_amount) values
    (1, 1, 1, 1, 10, 4, 0, 0, 0),
    (1, 2, 2, 1, 30, 12, 0, 0, 0),
    (1, 3, 1, 2, 10, 4, 2, 0, 0),
    (2, 1, 1, 5, 10, 4, 0, 0, 0),
    (2, 2, 4, 1, 5, 1, 0, 0, 0),
    (3, 1, 2, 2, 30, 12, 0, 1, 30),
    (4, 1, 3, 1, 100, 40, 0, 0, 0);
insert into core.reviews (customer_id, product_id, rating, reviewed_at) values
    (1, 1, 5, '2024-03-10'), (1, 1, 4, '2024-03-11'), (1, 3, 1, '2024-03-12'),
    (1, 2, 2, '2024-03-13');
"""


@pytest.fixture
def bookshop(db: Engine) -> Engine:
    return stock(db, BOOKSHOP)


PRODUCT_COLUMNS = """
    select product_id, units, units_returned, return_rate, orders, net_revenue, gross_profit,
           gross_margin, average_rating, review_count, abc_class
    from analytics.product_performance
"""


def test_order_discount_is_spread_over_a_products_lines_by_value(bookshop: Engine) -> None:
    """Novel: 10 - 10/6 + (20 - 2 - 10/3) = 23; chess: 30 - 5 in order 1, 60 - 30 in order 3."""
    got = rows(bookshop, """
        select product_id, net_revenue, gross_profit, gross_margin
        from analytics.product_performance where product_id in (1, 2) order by 1
    """)  # fmt: skip
    assert got == [approx(1, 23.0, 11.0, 11 / 23), approx(2, 55.0, 31.0, 31 / 55)]


def test_a_product_on_two_lines_of_one_order_counts_one_order(bookshop: Engine) -> None:
    novel = rows(bookshop, "select units, orders from analytics.product_performance "
                           "where product_id = 1")  # fmt: skip
    assert novel == [(3, 1)]
    crime = rows(bookshop, "select units, orders from analytics.category_performance "
                           "where category_id = 4")  # fmt: skip
    assert crime == [(3, 1)]


def test_returned_units_count_in_the_return_rate_and_leave_the_cost(bookshop: Engine) -> None:
    chess = rows(bookshop, PRODUCT_COLUMNS + " where product_id = 2")
    assert chess == [approx(2, 3, 1, 1 / 3, 2, 55.0, 31.0, 31 / 55, 2.0, 1, "B")]


def test_cancelled_orders_are_left_out_and_unsold_products_have_zeros(bookshop: Engine) -> None:
    """The poster was only in the cancelled order; the novel's five units there are not sold."""
    got = rows(bookshop, PRODUCT_COLUMNS + " where product_id in (1, 4) order by 1")
    assert got == [
        approx(1, 3, 0, 0.0, 1, 23.0, 11.0, 11 / 23, 4.5, 2, "C"),
        approx(4, 0, 0, None, 0, 0.0, 0.0, None, None, 0, "C"),
    ]


def test_product_names_and_top_level_category_come_from_the_catalog(bookshop: Engine) -> None:
    got = rows(bookshop, """
        select product_id, sku, product_name, brand, category_id, top_category_id,
               top_category_name, list_price
        from analytics.product_performance order by 1
    """)  # fmt: skip
    assert got == [
        (1, "N-1", "Novel", "Inkwell", 4, 1, "Books", 10.0),  # two levels below Books
        (2, "G-1", "Chess", None, 2, 2, "Games", 30.0),
        (3, "A-1", "Atlas", "Inkwell", 1, 1, "Books", 100.0),  # in Books itself
        (4, "P-1", "Poster", None, 3, 1, "Books", 5.0),
    ]


CATEGORY_COLUMNS = """
    select category_id, category_name, level, parent_category_id, units, units_returned,
           return_rate, orders, net_revenue, gross_profit, gross_margin, average_rating,
           review_count
    from analytics.category_performance
"""


def test_a_category_includes_the_products_of_its_subcategories_at_every_depth(
    bookshop: Engine,
) -> None:
    """Books holds the atlas, Fiction's poster and Crime's novel; order 1 counts once."""
    got = rows(bookshop, CATEGORY_COLUMNS + " order by 1")
    assert got == [
        approx(1, "Books", "top", None, 4, 0, 0.0, 2, 123.0, 71.0, 71 / 123, 10 / 3, 3),
        approx(2, "Games", "top", None, 3, 1, 1 / 3, 2, 55.0, 31.0, 31 / 55, 2.0, 1),
        approx(3, "Fiction", "sub", 1, 3, 0, 0.0, 1, 23.0, 11.0, 11 / 23, 4.5, 2),
        approx(4, "Crime", "sub", 3, 3, 0, 0.0, 1, 23.0, 11.0, 11 / 23, 4.5, 2),
        approx(5, "Maps", "sub", 1, 0, 0, None, 0, 0.0, 0.0, None, None, 0),
    ]


def test_category_average_rating_weighs_every_review_the_same(bookshop: Engine) -> None:
    """Books: the novel's 5 and 4 and the atlas's 1 average 10/3, not (4.5 + 1) / 2."""
    books = rows(bookshop, "select average_rating, review_count "
                           "from analytics.category_performance where category_id = 1")  # fmt: skip
    assert books == [approx(10 / 3, 3)]


def test_categories_are_classed_and_shared_within_their_level(bookshop: Engine) -> None:
    """Top: Books 123 and Games 55. Sub: Fiction and Crime 23 each (a tie, ranked by id), Maps
    0. Relative share: last 365 days against the largest other category of the level."""
    got = rows(bookshop, """
        select category_id, abc_class, revenue_share, relative_share, net_revenue_growth,
               bcg_quadrant
        from analytics.category_performance order by 1
    """)  # fmt: skip
    assert got == [
        approx(1, "A", 123 / 178, 123 / 55, None, None),
        approx(2, "C", 55 / 178, 55 / 123, None, None),  # carries the share across 95%
        approx(3, "A", 0.5, 1.0, None, None),
        approx(4, "C", 0.5, 1.0, None, None),
        approx(5, "C", 0.0, 0.0, None, None),
    ]


@pytest.mark.parametrize(
    ("revenues", "classes"),
    [
        ([60, 25, 10, 4, 1], "ABBCC"),
        ([50, 30, 14, 6], "AABC"),
        ([10, 45, 45], "CAB"),
        ([0, 0], "CC"),
    ],
    ids=["crossing-80-is-b", "exactly-80-is-a-crossing-95-is-c", "ties-by-id", "no-revenue"],
)
def test_abc_class_follows_the_cumulative_share_of_net_revenue(
    db: Engine, revenues: list[int], classes: str
) -> None:
    """60/85/95/99/100%: the product crossing 80% is B, the one reaching exactly 95% B;
    50/80/94/100%: exactly 80% is A, crossing 95% is C; ties rank by product_id."""
    products = ", ".join(
        f"('S-{n}', 'Shelf item {n}', 1, 1, 0, '2024-01-01')" for n in range(1, len(revenues) + 1)
    )
    sql = f"""{CUSTOMER}
        insert into core.categories (name) values ('Shelf');
        insert into core.products (sku, name, category_id, list_price, unit_cost, launched_at)
            values {products};
    """
    orders = [([n], "2024-03-01 12:00+00", "completed", r) for n, r in enumerate(revenues, 1) if r]
    shop = stock(db, sql, *orders)
    got = rows(shop, "select net_revenue, abc_class from analytics.product_performance "
                     "order by product_id")  # fmt: skip
    assert got == [(float(revenue), abc) for revenue, abc in zip(revenues, classes, strict=True)]


# As-of is 2024-07-01 (the cancelled August order does not count): the last 365 days run from
# 2023-07-02 to 2024-06-30 (29 February 2024 is among them), the previous 365 from 2022-07-02 to
# 2023-07-01. Two orders fall in the evening before a window starts in UTC, which is already its
# first day in Berlin.
WINDOW_ORDERS = [
    ([1], "2024-06-30 10:00+00", "completed", 1),
    ([1], "2023-07-01 22:30+00", "completed", 2),  # Berlin: 2 July 2023, the last 365 days
    ([1], "2023-07-01 12:00+00", "completed", 4),
    ([1], "2022-07-01 22:30+00", "completed", 8),  # Berlin: 2 July 2022, the previous 365
    ([1], "2022-07-01 12:00+00", "completed", 16),  # before both windows
    ([1], "2024-08-01 12:00+00", "cancelled", 32),
]
WINDOW_SHOP = f"""{CUSTOMER}
insert into core.categories (name) values ('Books');
insert into core.products (sku, name, category_id, list_price, unit_cost, launched_at)
    values ('B-1', 'Novel', 1, 10, 4, '2022-01-01');
"""


def test_365_day_windows_end_the_day_before_as_of_in_local_days(db: Engine) -> None:
    shop = stock(db, WINDOW_SHOP, *WINDOW_ORDERS, timezone="Europe/Berlin")
    windows = """
        select net_revenue, net_revenue_last_365, net_revenue_previous_365, net_revenue_growth
        from analytics.{}
    """
    berlin = approx(31.0, 3.0, 12.0, 3 / 12 - 1)
    assert rows(shop, windows.format("product_performance")) == [berlin]
    assert rows(shop, windows.format("category_performance")) == [berlin]
    refresh(conninfo(shop), settings=Settings(_env_file=None, timezone="UTC"))
    utc = approx(31.0, 1.0, 6.0, 1 / 6 - 1)
    assert rows(shop, windows.format("product_performance")) == [utc]
    assert rows(shop, windows.format("category_performance")) == [utc]


# One top-level category per row, one product each (product n in category n): net revenue of
# the previous and of the last 365 days.
BCG_CATEGORIES = {
    "Toys": (200, 150),
    "Books": (100, 60),
    "Games": (100, 400),
    "Tools": (400, 200),
    "Music": (0, 350),
    "Pets": (100, 80),
}


@pytest.fixture
def bcg_shop(db: Engine) -> Engine:
    names = list(BCG_CATEGORIES)
    sql = f"""{CUSTOMER}
        insert into core.categories (name) values {", ".join(f"('{n}')" for n in names)};
        insert into core.products (sku, name, category_id, list_price, unit_cost, launched_at)
        select 'P-' || n, 'Product ' || n, n, 1, 0, '2022-01-01'
        from generate_series(1, {len(names)}) as n;
    """
    orders = []
    for product_id, (previous, last) in enumerate(BCG_CATEGORIES.values(), start=1):
        if previous:
            orders.append(([product_id], "2023-01-15 12:00+00", "completed", previous))
        orders.append(([product_id], "2024-06-30 12:00+00", "completed", last))
    return stock(db, sql, *orders)


def test_bcg_quadrants_split_each_level_at_its_median_growth_and_relative_share(
    bcg_shop: Engine,
) -> None:
    """Growth -0.25, -0.4, 3, -0.5, none (no previous revenue), -0.2: median -0.25 over the
    five with a value, Toys on it (high; a null counted as 0 would make the median -0.225).
    Relative share 150/400, 60/400, 400/350, 200/400, 350/400, 80/400: median (0.375 + 0.5) / 2
    = 0.4375 over all six (without Music's, 0.375 would put Toys on it)."""
    got = rows(bcg_shop, """
        select category_name, net_revenue_growth, relative_share, bcg_quadrant
        from analytics.category_performance order by category_id
    """)  # fmt: skip
    assert got == [
        approx("Toys", -0.25, 0.375, "Question Mark"),
        approx("Books", -0.4, 0.15, "Dog"),
        approx("Games", 3.0, 8 / 7, "Star"),
        approx("Tools", -0.5, 0.5, "Cash Cow"),
        approx("Music", None, 0.875, None),
        approx("Pets", -0.2, 0.2, "Question Mark"),
    ]


# Grocery (1) > Coffee & Tea (3); Kitchen (2). Tea (1) and lemon (4) in Coffee & Tea, honey (3)
# in Grocery, cups (2) in Kitchen. 20 orders not cancelled: tea and cups together 5 times (the
# first with tea on two lines), tea alone 5, cups alone 5, honey and lemon 4, lemon alone 1;
# and a cancelled order of honey and lemon, which would make their fifth.
BASKETS = [
    ([1, 2, 1],),
    *[([1, 2],)] * 4,
    *[([1],)] * 5,
    *[([2],)] * 5,
    *[([3, 4],)] * 4,
    ([4],),
    ([3, 4], "2024-03-01 12:00+00", "cancelled"),
]
BASKET_SHOP = f"""{CUSTOMER}
insert into core.categories (name) values ('Grocery'), ('Kitchen');
insert into core.categories (name, parent_category_id) values ('Coffee & Tea', 1);
insert into core.products (sku, name, category_id, list_price, unit_cost, launched_at)
    values ('T-1', 'Tea', 3, 10, 4, '2024-01-01'), ('C-1', 'Cups', 2, 10, 4, '2024-01-01'),
           ('H-1', 'Honey', 1, 10, 4, '2024-01-01'), ('L-1', 'Lemon', 3, 10, 4, '2024-01-01');
"""
PAIR_COLUMNS = """
    select pair_kind, item_a, item_b, item_a_name, item_b_name, orders_together, orders_with_a,
           orders_with_b, support, confidence_a_to_b, confidence_b_to_a, lift
    from analytics.basket_pairs
"""


@pytest.fixture
def basket_shop(db: Engine) -> Engine:
    return stock(db, BASKET_SHOP, *BASKETS)


def test_lift_of_a_pair_bought_together_as_often_as_chance_is_1(basket_shop: Engine) -> None:
    """Tea in 10 of 20 orders, cups in 10, both in 5: 5/20 = 10/20 x 10/20."""
    got = rows(basket_shop, PAIR_COLUMNS + " where pair_kind = 'product'")
    assert got == [approx("product", 1, 2, "Tea", "Cups", 5, 10, 10, 0.25, 0.5, 0.5, 1.0)]


def test_pairs_bought_together_in_fewer_than_5_orders_not_cancelled_are_left_out(
    basket_shop: Engine,
) -> None:
    """Honey and lemon: 4 orders, and a fifth that was cancelled."""
    got = rows(basket_shop, "select item_a, item_b from analytics.basket_pairs "
                            "where pair_kind = 'product'")  # fmt: skip
    assert got == [(1, 2)]


def test_a_product_on_two_lines_of_an_order_counts_once_in_its_basket(
    basket_shop: Engine,
) -> None:
    got = rows(basket_shop, "select orders_together, orders_with_a from analytics.basket_pairs "
                            "where pair_kind = 'product'")  # fmt: skip
    assert got == [(5, 10)]
    tea = rows(basket_shop, "select units, orders from analytics.product_performance "
                            "where product_id = 1")  # fmt: skip
    assert tea == [(11, 10)]


def test_category_pairs_are_top_level_categories_counted_once_per_order(
    basket_shop: Engine,
) -> None:
    """Tea and lemon count as Grocery: Grocery in 15 orders (honey and lemon once each), Kitchen
    in 10, both in 5: lift 5 x 20 / (15 x 10)."""
    got = rows(basket_shop, PAIR_COLUMNS + " where pair_kind = 'category'")
    assert got == [
        approx("category", 1, 2, "Grocery", "Kitchen", 5, 15, 10, 0.25, 1 / 3, 0.5, 2 / 3)
    ]


# Books (1) holds products 1-30, Games (2) product 31. Orders 1-5 hold all 31 products, orders
# 6-10 products 1-30: exactly 30 distinct items still pair, 31 do not. Order 11 has no lines
# (yet): it is an order not cancelled all the same, so it counts in the supports and lifts.
BULK_SHOP = f"""{CUSTOMER}
insert into core.categories (name) values ('Books'), ('Games');
insert into core.products (sku, name, category_id, list_price, unit_cost, launched_at)
select 'P-' || n, 'Product ' || n, case when n <= 30 then 1 else 2 end, 10, 4, '2024-01-01'
from generate_series(1, 31) as n;
insert into core.orders (customer_id, ordered_at, status, channel)
select 1, '2024-03-01 12:00+00'::timestamptz + n * interval '1 hour', 'completed', 'web'
from generate_series(1, 11) as n;
insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, unit_cost)
select order_id, product_id, product_id, 1, 10, 4
from generate_series(1, 10) as order_id
cross join generate_series(1, 31) as product_id
where product_id <= 30 or order_id <= 5;
"""


def test_orders_with_more_than_30_distinct_products_add_no_pairs_but_count_in_totals(
    db: Engine,
) -> None:
    shop = stock(db, BULK_SHOP)
    counts = rows(shop, """
        select pair_kind, count(*), max(item_b) from analytics.basket_pairs group by 1 order by 1
    """)  # fmt: skip
    assert counts == [("category", 1, 2), ("product", 30 * 29 // 2, 30)]
    got = rows(shop, PAIR_COLUMNS + " where item_a = 1 and item_b = 2 order by pair_kind")
    assert got == [
        # the 31-product orders still pair their two categories, and count in every total
        approx("category", 1, 2, "Books", "Games", 5, 10, 5, 5 / 11, 0.5, 1.0, 5 * 11 / 50),
        approx("product", 1, 2, "Product 1", "Product 2", 5, 10, 10, 5 / 11, 0.5, 0.5, 0.55),
    ]
