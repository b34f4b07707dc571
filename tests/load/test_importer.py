"""The importer end to end on real databases: each format loads with exact counts, a failure
leaves core as it was, a dry run writes nothing, and every row is accounted for."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.db import bulk
from salesdw.generate import resolve_options, seed_warehouse
from salesdw.generate.seed import ImportedDataError
from salesdw.load import ImportFileError, ImportRefused, plan, upsert
from salesdw.load.importer import ImportOptions
from tests.load.conftest import (
    UCI_HEADER,
    checksums,
    conninfo,
    load,
    rows,
    scalar,
    write_csv,
)


def test_uci_online_retail_csv_loads_every_line(db: Engine, uci_csv: Path) -> None:
    result = load(db, uci_csv)
    assert (result.rows_read, result.accepted, result.rejected) == (10, 10, {})
    assert result.written["new orders"] == 7  # the cancellation invoice is no order
    assert result.written["new customers"] == 6
    assert result.written["new products"] == 9
    assert result.written["order lines inserted"] == 9
    assert result.written["returns matched"] == 1
    assert scalar(db, "select count(*) from core.orders where external_id like 'C%'") == 0
    line = rows(db, """
        select items.quantity, items.returned_quantity, items.refund_amount
        from core.order_items as items
        inner join core.orders as orders using (order_id)
        inner join core.products as products using (product_id)
        where orders.external_id = '536370' and products.sku = '22728'
    """)  # fmt: skip
    assert line == [{"quantity": 24, "returned_quantity": 4, "refund_amount": Decimal("15.00")}]
    countries = {r["external_id"]: r["country_code"] for r in rows(
        db, "select external_id, country_code from core.customers")}  # fmt: skip
    assert countries == {"17850": "GB", "13047": "GB", "12583": "FR", "12431": "AU",
                         "12662": "DE", "12585": "IE"}  # fmt: skip
    run = rows(db, "select kind, status, source, row_counts from ops.load_runs")
    assert run[0]["kind"] == "import" and run[0]["status"] == "succeeded"
    assert run[0]["source"] == "online_retail.csv"
    assert run[0]["row_counts"]["rows_read"] == 10 and run[0]["row_counts"]["accepted"] == 10


def test_shop_export_with_header_maps_statuses_channels_and_emails(
    db: Engine, shop_export: Path
) -> None:
    result = load(db, shop_export)
    assert (result.rows_read, result.accepted, result.rejected_total) == (5, 5, 0)
    orders = {r["external_id"]: r for r in rows(db, """
        select orders.external_id, orders.status, orders.channel, orders.ordered_at,
            orders.shipping_country_code, customers.email, customers.first_name,
            customers.last_name
        from core.orders inner join core.customers using (customer_id)
    """)}  # fmt: skip
    assert {k: v["status"] for k, v in orders.items()} == {
        "#1001": "completed",
        "#1002": "returned",
        "#1003": "completed",
        "#1004": "cancelled",
    }
    assert {k: v["channel"] for k, v in orders.items()} == {
        "#1001": "web",
        "#1002": "mobile_app",
        "#1003": "web",
        "#1004": "web",
    }
    assert orders["#1001"]["ordered_at"].isoformat().startswith("2024-03-01T09:15:00")
    assert orders["#1001"]["email"] == "ann@example.com"
    assert (orders["#1001"]["first_name"], orders["#1001"]["last_name"]) == ("Ann", "Lee")
    refunded = rows(db, """
        select returned_quantity, refund_amount from core.order_items
        inner join core.orders using (order_id) where external_id = '#1002'
    """)  # fmt: skip
    assert refunded == [{"returned_quantity": 1, "refund_amount": Decimal("12.50")}]
    plate = rows(db, "select discount_amount from core.order_items where line_number = 2")
    assert plate == [{"discount_amount": Decimal("5.00")}]
    assert "'pos' (1)" in " ".join(result.notes)
    brands = {r["brand"] for r in rows(db, "select brand from core.products")}
    assert brands == {"Acme", None}


def test_headerless_latin1_semicolon_file_is_read_by_content(
    db: Engine, latin1_headerless: Path
) -> None:
    found = plan(conninfo(db), latin1_headerless)
    assert found.format.describe() == "CSV, cp1252, semicolon, without a header"
    assert {name: s.column for name, s in found.mapping.sources.items()} == {
        "order_id": "column_1",
        "sku": "column_2",
        "product_name": "column_3",
        "quantity": "column_4",
        "ordered_at": "column_5",
        "unit_price": "column_6",
        "customer_id": "column_7",
        "country": "column_8",
    }
    result = load(db, latin1_headerless)
    assert (result.rows_read, result.accepted, result.rejected_total) == (6, 6, 0)
    names = {r["name"] for r in rows(db, "select name from core.products")}
    assert {"TASSE CAFÉ CRÈME", "TAZA ESPAÑOLA", "BECHER GRÜN"} <= names
    prices = {
        r["sku"]: r["list_price"] for r in rows(db, "select sku, list_price from core.products")
    }
    assert prices["85123A"] == Decimal("2.55") and prices["22779"] == Decimal("1004.95")
    assert {r["country_code"] for r in rows(db, "select country_code from core.customers")} == {
        "GB",
        "AT",
        "ES",
        "DE",
    }
    day = scalar(db, "select ordered_at from core.orders where external_id = '536401'")
    assert day.isoformat() == "2010-12-13T11:21:00+00:00"


def test_excel_workbook_loads_like_the_csv(db: Engine, excel_file: Path, uci_csv: Path) -> None:
    result = load(db, excel_file)
    assert (result.rows_read, result.accepted, result.rejected_total) == (10, 10, 0)
    assert plan(conninfo(db), excel_file).format.kind == "xlsx"
    from_excel = checksums(db)
    again = load(db, uci_csv)  # the same rows as CSV: nothing changes
    assert again.written["new orders"] == 0 and again.written["order lines updated"] == 0
    assert checksums(db) == from_excel
    assert scalar(db, "select count(*) from core.customers where external_id = '17850'") == 1


def test_parquet_file_loads_typed_columns(db: Engine, parquet_file: Path) -> None:
    result = load(db, parquet_file)
    assert (result.rows_read, result.accepted, result.rejected_total) == (5, 5, 0)
    statuses = {r["external_id"]: r["status"] for r in rows(
        db, "select external_id, status from core.orders")}  # fmt: skip
    assert statuses == {"e481f51c": "completed", "53cdb2fc": "shipped",
                        "47770eb9": "cancelled", "949d5b44": "completed"}  # fmt: skip
    tops = {r["name"] for r in rows(
        db, "select name from core.categories where parent_category_id is null")}  # fmt: skip
    assert tops == {"utilidades_domesticas", "perfumaria", "automotivo", "pet_shop"}
    assert scalar(db, "select count(*) from core.customers where country_code is null") == 4


def test_a_file_with_every_kind_of_bad_row_counts_each_reason(db: Engine, tmp_path: Path) -> None:
    good = ["1", "A1", "Mug", "2", "2024-01-05 10:00", "3.50", "C1", "Germany"]
    lines = [
        good,
        ["2", "A1", "Mug", "1", "yesterday", "3.50", "C2", "France"],  # bad_date
        ["3", "A1", "Mug", "two", "2024-01-05 11:00", "3.50", "C3", "France"],  # bad_quantity
        ["4", "A1", "Mug", "1", "2024-01-05 12:00", "3.50", "", "France"],  # missing_customer
        ["5", "A1", "Mug", "1", "2024-01-05 13:00", "3.50", "C5", "Atlantis"],  # unknown_country
        good,  # duplicate_row
        ["6", "A2", "Debt", "1", "2024-01-05 14:00", "-11062.06", "C6", "Germany"],  # negative
        ["7", "A3", "x" * 20_000, "1", "2024-01-05 15:00", "1.00", "C7", "Germany"],  # too long
        ["8", "A1", "Mug", "0", "2024-01-05 16:00", "3.50", "C8", "Germany"],  # zero_quantity
        ["9", "A1", "Mug", "1", "2024-01-05 17:00", "3.50", "C9", "Germany", "extra"],  # 9 fields
        ["10", "A1", "Mug", "1", "1899-01-01 10:00", "3.50", "C10", "Germany"],  # out of range
        ["1", "A4", "Bowl", "1", "2024-01-05 10:00", "5.00", "C99", "Germany"],  # other customer
        ["C11", "ZZ", "Never sold", "-1", "2024-01-06 10:00", "2.00", "C1", "Germany"],
        ["12", "A1", "Mug", "1", "2024-01-06 11:00", "abc", "C12", "Germany"],  # bad_price
        ["13", "A1", "Mug", "1", "2024-01-06 12:00", "1.00", "C13", "Unspecified"],  # no country
    ]
    path = write_csv(tmp_path / "bad.csv", lines, UCI_HEADER)
    result = load(db, path)
    assert result.rejected == {
        "bad_date": 1,
        "bad_price": 1,
        "bad_quantity": 1,
        "date_out_of_range": 1,
        "duplicate_row": 1,
        "field_too_long": 1,
        "malformed_line": 1,
        "missing_customer": 1,
        "negative_price": 1,
        "order_customer_conflict": 1,
        "return_without_sale": 1,
        "unknown_country": 1,
        "zero_quantity": 1,
    }
    assert (result.rows_read, result.accepted) == (15, 2)
    stored = {
        r["reason"]: r
        for r in rows(
            db,
            "select line_number, reason, detail, raw_values, file_name from staging.rejected_rows",
        )
    }
    assert stored["duplicate_row"]["line_number"] == 7
    assert stored["duplicate_row"]["detail"] == "same as line 2"
    assert stored["bad_date"]["raw_values"]["InvoiceDate"] == "yesterday"
    assert stored["bad_quantity"]["detail"] == "quantity 'two' is not a whole number"
    assert stored["malformed_line"]["line_number"] == 11
    assert stored["malformed_line"]["raw_values"]["column_9"] == "extra"
    assert stored["field_too_long"]["raw_values"]["Description"].endswith("(20,000 characters)")
    assert stored["return_without_sale"]["raw_values"]["InvoiceNo"] == "C11"
    assert {r["file_name"] for r in stored.values()} == {"bad.csv"}
    counts = scalar(db, "select row_counts from ops.load_runs")
    assert counts["rows_read"] == 15 and counts["accepted"] == 2 and counts["rejected"] == 13
    assert scalar(db, "select count(*) from core.customers where country_code is null") == 1


def test_empty_header_only_and_binary_files_are_refused(db: Engine, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match="is empty"):
        load(db, empty)
    header_only = write_csv(tmp_path / "header.csv", [], UCI_HEADER)
    with pytest.raises(ImportFileError, match="no rows"):
        load(db, header_only)
    garbage = tmp_path / "orders.csv"
    garbage.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(ImportFileError, match="not a text file"):
        load(db, garbage)
    assert scalar(db, "select count(*) from ops.load_runs") == 0


def test_a_failure_mid_load_leaves_core_unchanged(
    db: Engine, uci_csv: Path, shop_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(db, shop_export)
    before = checksums(db)
    original = upsert._order_items

    def broken(conn, params, written) -> None:
        original(conn, params, written)  # lines are written, then the load fails
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(upsert, "_order_items", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load(db, uci_csv)
    assert checksums(db) == before
    last = rows(db, "select status, error from ops.load_runs order by load_run_id desc limit 1")
    assert last == [{"status": "failed", "error": "disk on fire"}]
    assert scalar(db, "select count(*) from staging.rejected_rows") == 0


def test_a_copy_failing_beside_the_checks_fails_the_load_and_leaves_core_unchanged(
    db: Engine, uci_csv: Path, shop_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(db, shop_export)
    before = checksums(db)
    original = bulk.copy_table
    copied: list[int] = []

    def failing_second_chunk(conn, table, data, **options) -> int:
        if table == "staging.import_rows" and copied:
            raise RuntimeError("connection lost mid-COPY")
        copied.append(data.num_rows)
        return original(conn, table, data, **options)

    monkeypatch.setattr(bulk, "copy_table", failing_second_chunk)
    with pytest.raises(RuntimeError, match="connection lost mid-COPY"):
        load(db, uci_csv, chunk_rows=4)  # 10 rows: three chunks, the second COPY fails
    assert copied == [4]
    assert checksums(db) == before
    last = rows(db, "select status, error from ops.load_runs order by load_run_id desc limit 1")
    assert last == [{"status": "failed", "error": "connection lost mid-COPY"}]


def test_a_dry_run_writes_nothing_but_reports_everything(db: Engine, uci_csv: Path) -> None:
    before = checksums(db)
    result = load(db, uci_csv, dry_run=True)
    assert result.dry_run and result.load_run_id is None
    assert (result.rows_read, result.accepted) == (10, 10)
    assert result.written["new orders"] == 7
    assert checksums(db) == before
    assert scalar(db, "select count(*) from ops.load_runs") == 0
    assert scalar(db, "select count(*) from staging.import_rows") == 0


def test_seed_refuses_to_overwrite_an_import(db: Engine, uci_csv: Path) -> None:
    load(db, uci_csv)
    before = checksums(db)
    options = resolve_options(orders=500, products=20, years=1, seed=3)
    with pytest.raises(ImportedDataError, match="--replace-all"):
        seed_warehouse(conninfo(db), options)
    assert checksums(db) == before


def test_an_unmigrated_database_is_refused_in_one_line(empty_db: Engine, uci_csv: Path) -> None:
    with pytest.raises(ImportRefused, match="run `salesdw migrate` first"):
        load(empty_db, uci_csv)


def test_another_currency_than_earlier_imports_is_refused(db: Engine, uci_csv: Path,
                                                          shop_export: Path) -> None:  # fmt: skip
    load(db, uci_csv, currency="GBP")
    with pytest.raises(ImportRefused, match="does not convert currencies"):
        load(db, shop_export, currency="EUR")


def test_rows_in_another_currency_are_rejected(db: Engine, tmp_path: Path) -> None:
    header = ["order", "customer", "date", "amount", "currency"]
    path = write_csv(
        tmp_path / "money.csv",
        [["1", "a", "2024-01-01", "10", "EUR"], ["2", "b", "2024-01-01", "10", "USD"]],
        header,
    )
    result = load(db, path)
    assert result.rejected == {"other_currency": 1} and result.accepted == 1


def test_the_file_name_is_data_not_a_path(db: Engine, uci_csv: Path) -> None:
    odd = "'; drop table core.orders; --.csv"
    result = load(db, uci_csv, file_name=odd)
    assert result.accepted == 10
    assert scalar(db, "select source from ops.load_runs") == odd
    assert scalar(db, "select count(*) from core.orders") == 7


def test_timezone_reads_naive_times_in_that_zone(db: Engine, uci_csv: Path) -> None:
    load(db, uci_csv, timezone="Europe/Berlin")
    first = scalar(db, "select ordered_at from core.orders where external_id = '536365'")
    assert first.isoformat() == "2010-12-01T07:26:00+00:00"
    with pytest.raises(ImportRefused, match="not a time zone"):
        load(db, uci_csv, timezone="Mars/Olympus")


def test_a_run_records_its_options_and_keeps_its_staged_rows(db: Engine, uci_csv: Path) -> None:
    load(db, uci_csv, timezone="UTC", currency="EUR")
    params = scalar(db, "select params from ops.load_runs")
    assert params["mapping"]["order_id"] == "InvoiceNo"
    assert params["currency"] == "EUR" and params["timezone"] == "UTC"
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from staging.import_rows")) == 10


def test_chunks_give_the_same_result_as_one_read(db: Engine, tmp_path: Path) -> None:
    """Orders, duplicates and line numbers that span chunks come out the same."""
    lines = [[str(1000 + i // 3), f"S{i % 7}", "Thing", "1", f"2024-02-{1 + i // 40:02d} 10:00",
              "1.00", f"K{i // 9}", "Spain"] for i in range(240)]  # fmt: skip
    lines.insert(100, lines[3])  # a duplicate in a later chunk
    path = write_csv(tmp_path / "spanning.csv", lines, UCI_HEADER)
    small = load(db, path, chunk_rows=7, dry_run=True)
    whole = load(db, path, dry_run=True)
    assert small.rejected == whole.rejected == {"duplicate_row": 1}
    assert small.written == whole.written
    assert small.rejected_sample["line_number"].tolist() == [102]


def test_options_default_from_settings(db: Engine, uci_csv: Path) -> None:
    found = plan(conninfo(db), uci_csv, ImportOptions())
    assert found.timezone == "UTC" and found.currency == "EUR"
