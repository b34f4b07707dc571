"""Staging into core by natural keys: the same file twice changes nothing, a later file with
overlapping orders updates them, returns land on the lines they return, minimal files get an
order per customer and day, and the views agree to the cent with an oracle computed from the
file with pandas."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from salesdw.refresh import refresh
from tests.load.conftest import UCI_HEADER, checksums, conninfo, load, rows, scalar, write_csv


def test_the_same_file_twice_changes_nothing(db: Engine, uci_csv: Path) -> None:
    load(db, uci_csv)
    before = checksums(db)
    again = load(db, uci_csv)
    assert checksums(db) == before
    assert (again.rows_read, again.accepted) == (10, 10)
    changed = {k: v for k, v in again.written.items() if v and k != "returns matched"}
    assert changed == {}
    assert scalar(db, "select count(*) from ops.load_runs where status = 'succeeded'") == 2


def test_a_later_file_with_overlapping_orders_updates_them(db: Engine, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "january.csv", [
        ["1", "A", "Mug", "2", "2024-01-05 10:00", "3.50", "K1", "DE"],
        ["1", "B", "Bowl", "1", "2024-01-05 10:00", "6.00", "K1", "DE"],
        ["1", "C", "Cup", "1", "2024-01-05 10:00", "2.00", "K1", "DE"],
        ["2", "A", "Mug", "1", "2024-01-06 11:00", "3.50", "K2", "FR"],
    ], UCI_HEADER)  # fmt: skip
    load(db, first)
    later = write_csv(tmp_path / "february.csv", [
        ["1", "A", "Mug", "3", "2024-01-05 10:00", "3.50", "K1", "AT"],  # changed quantity
        ["1", "B", "Bowl", "1", "2024-01-05 10:00", "6.00", "K1", "AT"],  # line 3 is gone
        ["3", "A", "Mug v2", "1", "2024-02-01 09:00", "3.90", "K2", "FR"],
    ], UCI_HEADER)  # fmt: skip
    result = load(db, later)
    assert result.written["new orders"] == 1 and result.written["updated orders"] == 1
    assert result.written["order lines updated"] == 1
    assert result.written["order lines deleted"] == 1
    assert result.written["updated products"] == 1  # Mug's name and price
    lines = rows(db, """
        select orders.external_id, items.line_number, items.quantity
        from core.order_items as items inner join core.orders as orders using (order_id)
        order by 1, 2
    """)  # fmt: skip
    assert [(r["external_id"], r["line_number"], r["quantity"]) for r in lines] == [
        ("1", 1, 3),
        ("1", 2, 1),
        ("2", 1, 1),
        ("3", 1, 1),
    ]
    mug = rows(db, "select name, list_price, launched_at from core.products where sku = 'A'")[0]
    assert (mug["name"], mug["list_price"]) == ("Mug v2", Decimal("3.90"))
    assert mug["launched_at"].isoformat().startswith("2024-01-05")
    assert scalar(db, "select shipping_country_code from core.orders where external_id = '1'"
                  ) == "AT"  # fmt: skip


def test_returns_in_a_later_file_are_applied_once(db: Engine, tmp_path: Path) -> None:
    sales = write_csv(tmp_path / "sales.csv", [
        ["536370", "22728", "ALARM CLOCK", "24", "12/1/2010 8:45", "3.75", "12583", "France"],
        ["536371", "22728", "ALARM CLOCK", "2", "12/5/2010 8:45", "3.75", "12583", "France"],
    ], UCI_HEADER)  # fmt: skip
    load(db, sales)
    returns = write_csv(tmp_path / "returns.csv", [
        ["C536379", "22728", "ALARM CLOCK", "-1", "12/9/2010 9:41", "3.75", "12583", "France"],
        ["C536380", "22728", "ALARM CLOCK", "-5", "12/3/2010 9:41", "3.75", "12583", "France"],
    ], UCI_HEADER)  # fmt: skip
    for _ in range(2):
        load(db, returns)
        lines = rows(db, """
            select orders.external_id, items.returned_quantity, items.refund_amount
            from core.order_items as items inner join core.orders as orders using (order_id)
            order by 1
        """)  # fmt: skip
        # the latest sale before each return: 536371 for the 9 Dec one, 536370 for 3 Dec
        assert [(r["external_id"], r["returned_quantity"], r["refund_amount"]) for r in lines] == [
            ("536370", 5, Decimal("18.75")),
            ("536371", 1, Decimal("3.75")),
        ]
    # the sale file again: the returns applied to its lines stay
    load(db, sales)
    assert scalar(db, "select sum(returned_quantity) from core.order_items") == 6


def test_a_return_of_everything_marks_the_order_returned(db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "both.csv", [
        ["10", "S1", "Lamp", "2", "2024-05-01 10:00", "30.00", "K1", "GB"],
        ["C11", "S1", "Lamp", "-2", "2024-05-03 10:00", "30.00", "K1", "GB"],
    ], UCI_HEADER)  # fmt: skip
    load(db, path)
    assert scalar(db, "select status from core.orders where external_id = '10'") == "returned"
    load(db, path)  # and stays so
    assert scalar(db, "select status from core.orders where external_id = '10'") == "returned"


def test_cancelled_flags_and_statuses_become_statuses(db: Engine, tmp_path: Path) -> None:
    header = ["order_id", "customer_id", "order_date", "sku", "qty", "price", "status",
              "is_cancelled"]  # fmt: skip
    path = write_csv(tmp_path / "flags.csv", [
        ["1", "a", "2024-01-01", "X", "1", "5", "completed", "0"],
        ["2", "a", "2024-01-02", "X", "1", "5", "completed", "yes"],
        ["3", "b", "2024-01-03", "X", "1", "5", "Canceled", ""],
        ["4", "b", "2024-01-04", "X", "2", "5", "Refunded", ""],
        ["5", "c", "2024-01-05", "X", "1", "5", "in transit", ""],
        ["6", "c", "2024-01-06", "X", "1", "5", "lost in space", ""],
    ], header)  # fmt: skip
    result = load(db, path)
    assert result.rejected == {"unknown_status": 1}
    statuses = {r["external_id"]: r["status"] for r in rows(
        db, "select external_id, status from core.orders")}  # fmt: skip
    assert statuses == {"1": "completed", "2": "cancelled", "3": "cancelled", "4": "returned",
                        "5": "shipped"}  # fmt: skip
    refunded = rows(
        db,
        "select returned_quantity, refund_amount from core.order_items "
        "inner join core.orders using (order_id) where external_id = '4'",
    )
    assert refunded == [{"returned_quantity": 2, "refund_amount": Decimal("10.00")}]


def test_a_minimal_file_gets_one_order_per_customer_and_day(db: Engine, tmp_path: Path) -> None:
    header = ["customer", "date", "amount"]
    path = write_csv(tmp_path / "cdnow.csv", [
        ["00001", "1997-01-01", "11.77"],
        ["00001", "1997-01-01", "5.00"],
        ["00001", "1997-01-12", "29.33"],
        ["00002", "1997-01-12", "10.00"],
        ["00002", "1997-01-12", "-4.00"],  # a refund of part of it
    ], header)  # fmt: skip
    result = load(db, path)
    assert (result.accepted, result.rejected_total) == (5, 0)
    orders = rows(db, "select external_id from core.orders order by 1")
    assert [r["external_id"] for r in orders] == ["00001/1997-01-01", "00001/1997-01-12",
                                                  "00002/1997-01-12"]  # fmt: skip
    assert rows(db, "select sku, name from core.products") == [
        {"sku": "UNSPECIFIED", "name": "Unspecified product"}
    ]
    lines = rows(
        db,
        "select quantity, unit_price, refund_amount from core.order_items "
        "inner join core.orders using (order_id) order by external_id, line_number",
    )
    assert [(r["quantity"], r["unit_price"], r["refund_amount"]) for r in lines] == [
        (1, Decimal("11.77"), 0),
        (1, Decimal("5.00"), 0),
        (1, Decimal("29.33"), 0),
        (1, Decimal("10.00"), Decimal("4.00")),
    ]


def test_a_price_derived_from_amount_keeps_the_amount_to_the_cent(
    db: Engine, tmp_path: Path
) -> None:
    header = ["order", "customer", "date", "qty", "total"]
    path = write_csv(tmp_path / "totals.csv", [["1", "a", "2024-01-01", "3", "10.00"]], header)
    load(db, path)
    line = rows(db, "select quantity, unit_price, discount_amount from core.order_items")[0]
    assert line == {"quantity": 3, "unit_price": Decimal("3.34"), "discount_amount":
                    Decimal("0.02")}  # fmt: skip
    assert line["quantity"] * line["unit_price"] - line["discount_amount"] == Decimal("10.00")


def test_an_e_mail_another_customer_holds_is_not_taken(db: Engine, tmp_path: Path) -> None:
    header = ["order", "customer", "email", "date", "amount"]
    path = write_csv(tmp_path / "emails.csv", [
        ["1", "a", "Same@Example.com", "2024-01-01", "1"],
        ["2", "b", "same@example.com", "2024-01-02", "1"],
        ["3", "c", "not-an-email", "2024-01-03", "1"],
    ], header)  # fmt: skip
    assert load(db, path).accepted == 3
    emails = {r["external_id"]: r["email"] for r in rows(
        db, "select external_id, email from core.customers")}  # fmt: skip
    assert emails == {"a": "Same@Example.com", "b": None, "c": None}


def test_more_than_63_top_level_categories_is_refused(db: Engine, tmp_path: Path) -> None:
    header = ["order", "customer", "date", "amount", "category", "sku"]
    path = write_csv(tmp_path / "cats.csv", [[str(i), "a", "2024-01-01", "1", f"Cat {i}",
                                              f"S{i}"] for i in range(70)], header)  # fmt: skip
    from salesdw.load import ImportRefused

    with pytest.raises(ImportRefused, match="63"):
        load(db, path)
    nested = write_csv(
        tmp_path / "nested.csv",
        [[str(i), "a", "2024-01-01", "1", f"Home > Cat {i}"] for i in range(70)],
        header,
    )
    assert load(db, nested).accepted == 70
    assert scalar(db, "select count(*) from core.categories where parent_category_id is null"
                  ) == 1  # fmt: skip


# --- views against an oracle from the file --------------------------------------------------


def _oracle(path: Path) -> pd.DataFrame:
    """Net revenue per UTC day and country, computed from the file alone: sale lines at
    quantity x price, less each return's money on the customer's latest earlier sale of the
    product (the rule the README states)."""
    frame = pd.read_csv(path, dtype=str)
    frame["quantity"] = frame["Quantity"].astype(int)
    frame["cents"] = (frame["UnitPrice"].astype(float) * 100).round().astype("int64")
    frame["at"] = pd.to_datetime(frame["InvoiceDate"], format="%m/%d/%Y %H:%M")
    frame["country"] = frame["Country"].map({"United Kingdom": "GB", "France": "FR",
                                             "Germany": "DE", "Spain": "ES"})  # fmt: skip
    is_return = (frame["quantity"] < 0) | frame["InvoiceNo"].str.startswith("C")
    sales = frame[~is_return].copy()
    sales["net"] = sales["quantity"] * sales["cents"]
    for _, ret in frame[is_return].iterrows():
        earlier = sales[
            (sales["CustomerID"] == ret["CustomerID"])
            & (sales["StockCode"] == ret["StockCode"])
            & (sales["at"] <= ret["at"])
        ]
        target = earlier.sort_values("at").index[-1]
        sales.loc[target, "net"] -= abs(ret["quantity"]) * ret["cents"]
    sales["day"] = sales["at"].dt.date
    return sales.groupby(["day", "country"])["net"].sum().rename("oracle").reset_index()


def test_views_agree_with_an_oracle_from_the_file(db: Engine, tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    countries = ["United Kingdom", "France", "Germany", "Spain"]
    lines = []
    for order in range(300):
        customer = f"{12000 + order % 40}"
        day = 1 + order % 27
        for line in range(int(rng.integers(1, 5))):
            when = f"3/{day}/2011 {8 + line}:{order % 60:02d}"
            lines.append([str(540000 + order), f"P{int(rng.integers(0, 30))}-{line}", "Thing",
                          str(int(rng.integers(1, 13))), when,
                          f"{rng.integers(30, 5000) / 100:.2f}", customer,
                          countries[order % 4]])  # fmt: skip
    sold = [row for row in lines if int(row[0]) % 7 == 0][:15]
    for i, row in enumerate(sold):  # returns of part of some lines, later that day
        lines.append([f"C{560000 + i}", row[1], row[2], f"-{max(1, int(row[3]) // 2)}",
                      row[4].replace(f" {row[4].split()[1]}", " 23:59"), row[5], row[6],
                      row[7]])  # fmt: skip
    path = write_csv(tmp_path / "oracle.csv", lines, UCI_HEADER)
    result = load(db, path)
    assert result.rejected_total == 0
    refresh(conninfo(db))
    views = pd.DataFrame(rows(db, """
        select order_date as day, country_code as country, sum(net_revenue) as net
        from analytics.sales_daily where status <> 'cancelled' group by 1, 2
    """))  # fmt: skip
    views["net"] = (views["net"].astype(float) * 100).round().astype("int64")
    merged = _oracle(path).merge(views, on=["day", "country"], how="outer")
    assert merged["net"].notna().all() and merged["oracle"].notna().all()
    assert (merged["net"] == merged["oracle"]).all(), merged[merged["net"] != merged["oracle"]]
    total = scalar(db, "select sum(net_revenue) from analytics.kpi_monthly")
    assert round(float(total) * 100) == int(merged["oracle"].sum())


def test_seed_replace_all_forgets_the_applied_returns(db: Engine, uci_csv: Path) -> None:
    from salesdw.generate import resolve_options, seed_warehouse

    load(db, uci_csv)
    assert scalar(db, "select count(*) from staging.applied_returns") == 1
    options = resolve_options(orders=300, products=20, years=1, seed=3)
    seed_warehouse(conninfo(db), options, replace_all=True)
    assert scalar(db, "select count(*) from staging.applied_returns") == 0
    assert scalar(db, "select count(*) from core.orders where external_id is not null") == 0


_TABLES = (
    "('core.orders'::regclass, 'core.order_items'::regclass, 'staging.applied_returns'::regclass)"
)
_DEFINITIONS = f"""
    select conrelid::regclass::text as owner, conname as name, pg_get_constraintdef(oid) as sql
    from pg_constraint where conrelid in {_TABLES}
    union all
    select schemaname || '.' || tablename, indexname, indexdef
    from pg_indexes where (schemaname || '.' || tablename)::regclass in {_TABLES}
    order by 1, 2, 3
"""


def test_a_first_load_puts_back_every_key_index_and_foreign_key(db: Engine, uci_csv: Path) -> None:
    # Into an empty warehouse every load is large: foreign keys of orders, lines and applied
    # returns, and the lines' keys and indexes, are dropped for it and must all come back.
    before = rows(db, _DEFINITIONS)
    result = load(db, uci_csv)
    assert result.written["order lines inserted"] == 9
    assert result.written["returns matched"] >= 1
    assert rows(db, _DEFINITIONS) == before
    assert scalar(db, f"""
        select count(*) from pg_constraint where contype = 'f' and conrelid in {_TABLES}
    """) == 5  # fmt: skip
