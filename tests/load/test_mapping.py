"""Columns map to fields by their names in common spellings, by their values without a
header, and as a YAML mapping file says; mistakes in the file are one line saying where."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from salesdw.load.countries import CountryResolver
from salesdw.load.errors import MappingError
from salesdw.load.mapping import Mapping, detect, read_mapping_file
from salesdw.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def countries() -> CountryResolver:
    with (PROJECT_ROOT / "seeds" / "countries.csv").open(encoding="utf-8") as fh:
        return CountryResolver([(r["country_code"], r["iso_alpha3"], r["name"])
                                for r in csv.DictReader(fh)])  # fmt: skip


def _sample(columns: list[str], rows: list[list[str]]) -> pa.Table:
    return pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})


def _fields(mapping: Mapping) -> dict[str, str]:
    return {name: source.column or f"={source.value}" for name, source in mapping.sources.items()}


def test_uci_online_retail_names(countries: CountryResolver) -> None:
    columns = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
               "CustomerID", "Country"]  # fmt: skip
    found = detect(columns, _sample(columns, [["1"] * 8]), has_header=True, countries=countries)
    assert _fields(found) == {"order_id": "InvoiceNo", "sku": "StockCode",
                              "product_name": "Description", "quantity": "Quantity",
                              "ordered_at": "InvoiceDate", "unit_price": "UnitPrice",
                              "customer_id": "CustomerID", "country": "Country"}  # fmt: skip


def test_shopify_names_take_the_order_number_from_name(countries: CountryResolver) -> None:
    columns = ["Name", "Email", "Financial Status", "Created at", "Lineitem quantity",
               "Lineitem name", "Lineitem price", "Lineitem sku", "Billing Name",
               "Shipping Country", "Source", "Vendor", "Cancelled at"]  # fmt: skip
    sample = _sample(columns, [["#1001", "a@b.c", "paid", "2024-01-01", "1", "Mug", "1", "M",
                                "Ann Lee", "DE", "web", "Acme", ""]])  # fmt: skip
    found = _fields(detect(columns, sample, has_header=True, countries=countries))
    assert found["order_id"] == "Name" and found["customer_name"] == "Billing Name"
    assert found["email"] == "Email" and "customer_id" not in found
    assert found["status"] == "Financial Status" and found["cancelled"] == "Cancelled at"
    assert found["brand"] == "Vendor" and found["channel"] == "Source"


def test_olist_prefers_the_unique_customer_id(countries: CountryResolver) -> None:
    columns = [
        "order_id",
        "customer_id",
        "customer_unique_id",
        "order_status",
        "order_purchase_timestamp",
        "product_id",
        "product_category_name",
        "price",
    ]
    found = _fields(detect(columns, _sample(columns, [["x"] * 8]), has_header=True,
                           countries=countries))  # fmt: skip
    assert found["customer_id"] == "customer_unique_id"
    assert found["ordered_at"] == "order_purchase_timestamp"
    assert found["sku"] == "product_id" and found["category"] == "product_category_name"


def test_a_minimal_transaction_log_is_enough(countries: CountryResolver) -> None:
    columns = ["cust", "date", "sales"]
    with pytest.raises(MappingError, match="customer id"):
        detect(columns, _sample(columns, [["1", "2", "3"]]), has_header=True,
               countries=countries)  # fmt: skip
    columns = ["customer", "date", "sales"]
    found = detect(columns, _sample(columns, [["1", "2", "3"]]), has_header=True,
                   countries=countries)  # fmt: skip
    assert _fields(found) == {"customer_id": "customer", "ordered_at": "date", "amount": "sales"}
    shown = {row[0]: row for row in found.report(_sample(columns, [["1", "2", "3"]]))}
    assert shown["order_id"][2] == "not in the file"
    assert shown["order_id"][3] == "one order per customer and day"


def test_without_a_header_fields_are_guessed_from_values(countries: CountryResolver) -> None:
    rows = [[f"5363{65 + i // 3}", f"{85000 + i * 7}A", f"PRODUCT NUMBER {i}", str(1 + i % 6),
             f"0{1 + i % 9}.12.2010 08:{i:02d}", f"{1 + i % 5},{i % 10}5",
             f"1{7850 + i // 6}", ["Germany", "EIRE", "France"][i % 3]]
            for i in range(30)]  # fmt: skip
    columns = [f"column_{i + 1}" for i in range(8)]
    found = detect(columns, _sample(columns, rows), has_header=False, countries=countries)
    assert _fields(found) == {
        "order_id": "column_1",
        "sku": "column_2",
        "product_name": "column_3",
        "quantity": "column_4",
        "ordered_at": "column_5",
        "unit_price": "column_6",
        "customer_id": "column_7",
        "country": "column_8",
    }
    assert all(source.how == "content" for source in found.sources.values())
    assert "no header" in found.notes[0]


def test_a_mapping_file_overrides_detection(tmp_path: Path, countries: CountryResolver) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text(
        "columns:\n"
        "  order_id: Beleg\n"
        "  customer_id: 2\n"
        "  ordered_at: {column: datum}\n"
        "  amount: Betrag\n"
        "  country: {value: DE}\n"
        "  product_name: null\n"
        "date_format: '%d.%m.%Y'\n"
        "decimal: ','\n"
        "country_aliases:\n"
        "  Channel Islands: JE\n",
        encoding="utf-8",
    )
    file = read_mapping_file(path)
    columns = ["Beleg", "Kunde", "Datum", "Betrag", "Description"]
    found = detect(columns, _sample(columns, [["1", "K", "01.02.2024", "3,50", "x"]]),
                   has_header=True, countries=countries, override=file)  # fmt: skip
    assert _fields(found) == {
        "order_id": "Beleg",
        "customer_id": "Kunde",
        "ordered_at": "Datum",
        "amount": "Betrag",
        "country": "=DE",
    }
    assert found.date_format == "%d.%m.%Y" and found.decimal == ","
    assert file.country_aliases == {"Channel Islands": "JE"}


@pytest.mark.parametrize("content, message", [
    ("columns: [a, b", "not valid YAML (line 1, column"),
    ("- order_id\n", "must be a YAML mapping"),
    ("colums:\n  order_id: x\n", "unknown keys colums"),
    ("columns:\n  order_number: x\n", "'order_number' is not a field"),
    ("columns:\n  order_id: {col: x}\n", "give a column name"),
    ("decimal: ';'\n", "decimal: must be"),
    ("encoding: klingon\n", "encoding 'klingon' is unknown"),
    ("header: maybe\n", "header: must be true or false"),
])  # fmt: skip
def test_a_malformed_mapping_file_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace("[", r"\[")) as e:
        read_mapping_file(path)
    assert "\n" not in str(e.value)


def test_a_mapped_column_the_file_lacks_is_named(tmp_path: Path, countries) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text("columns:\n  ordered_at: When\n", encoding="utf-8")
    columns = ["customer", "date", "amount"]
    with pytest.raises(MappingError, match="'When' for ordered_at, but the file's columns"):
        detect(columns, _sample(columns, [["1", "2", "3"]]), has_header=True,
               countries=countries, override=read_mapping_file(path))  # fmt: skip


def test_a_column_number_past_the_last_column_says_how_many_there_are(
    tmp_path: Path, countries
) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text("columns:\n  customer_id: 99\n", encoding="utf-8")
    columns = ["customer", "date", "amount"]
    with pytest.raises(MappingError, match="gives column 99 for customer_id, but the file has 3 "):
        detect(columns, _sample(columns, [["1", "2", "3"]]), has_header=True,
               countries=countries, override=read_mapping_file(path))  # fmt: skip
