"""Files the importer tests read, written by the tests themselves in real formats, and helpers
to import them into a test database and look at what landed."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.load import ImportOptions, ImportResult, run

UCI_HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
              "CustomerID", "Country"]  # fmt: skip
CORE_TABLES = ["core.categories", "core.products", "core.customers", "core.orders",
               "core.order_items", "staging.applied_returns"]  # fmt: skip

#: UCI Online Retail rows (the dataset's own values), with a cancellation invoice at the end.
UCI_ROWS = [
    ["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", "12/1/2010 8:26", "2.55",
     "17850", "United Kingdom"],
    ["536365", "71053", "WHITE METAL LANTERN", "6", "12/1/2010 8:26", "3.39", "17850",
     "United Kingdom"],
    ["536366", "22633", "HAND WARMER UNION JACK", "6", "12/1/2010 8:28", "1.85", "17850",
     "United Kingdom"],
    ["536367", "84879", "ASSORTED COLOUR BIRD ORNAMENT", "32", "12/1/2010 8:34", "1.69",
     "13047", "United Kingdom"],
    ["536370", "22728", "ALARM CLOCK BAKELIKE PINK", "24", "12/1/2010 8:45", "3.75", "12583",
     "France"],
    ["536370", "22727", "ALARM CLOCK BAKELIKE RED", "24", "12/1/2010 8:45", "3.75", "12583",
     "France"],
    ["536389", "22941", "CHRISTMAS LIGHTS 10 REINDEER", "6", "12/13/2010 10:03", "8.50",
     "12431", "Australia"],
    ["536527", "22809", "SET OF 6 T-LIGHTS SANTA", "6", "12/13/2010 13:04", "2.95", "12662",
     "Germany"],
    ["537226", "22811", "SET OF 6 T-LIGHTS CACTI", "6", "12/14/2010 11:11", "2.95", "12585",
     "EIRE"],
    ["C536379", "22728", "ALARM CLOCK BAKELIKE PINK", "-4", "12/14/2010 9:41", "3.75", "12583",
     "France"],
]  # fmt: skip


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def load(engine: Engine, path: Path, **options) -> ImportResult:
    return run(conninfo(engine), path, ImportOptions(**options))


def write_csv(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] | None = None, *,
              delimiter: str = ",", encoding: str = "utf-8") -> Path:  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def checksums(engine: Engine) -> dict[str, str]:
    """An md5 of every table an import writes, in a stable order."""
    with engine.connect() as conn:
        return {
            table: conn.scalar(text(
                "select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) "
                f"from {table} x"
            ))
            for table in CORE_TABLES
        }  # fmt: skip


def rows(engine: Engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.scalar(text(sql), params)


@pytest.fixture
def uci_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "online_retail.csv", UCI_ROWS, UCI_HEADER)


@pytest.fixture
def shop_export(tmp_path: Path) -> Path:
    """A Shopify-style orders export: one row per line item, the order's fields on each,
    e-mail as the customer, a refunded order, a cancelled one, an app and a POS order."""
    header = ["Name", "Email", "Financial Status", "Created at", "Lineitem quantity",
              "Lineitem name", "Lineitem price", "Lineitem sku", "Lineitem discount",
              "Billing Name", "Shipping City", "Shipping Country", "Currency", "Source",
              "Vendor", "Cancelled at"]  # fmt: skip
    data = [
        ["#1001", "ann@example.com", "paid", "2024-03-01 10:15:00 +0100", "2", "Mug", "12.50",
         "MUG-1", "0.00", "Ann Lee", "Berlin", "DE", "EUR", "web", "Acme", ""],
        ["#1001", "ann@example.com", "paid", "2024-03-01 10:15:00 +0100", "1", "Plate",
         "20.00", "PLATE-1", "5.00", "Ann Lee", "Berlin", "DE", "EUR", "web", "Acme", ""],
        ["#1002", "bob@example.com", "refunded", "2024-03-02 18:00:00 +0100", "1", "Mug",
         "12.50", "MUG-1", "0", "Bob Stone", "London", "GB", "EUR", "iphone", "Acme", ""],
        ["#1003", "cy@example.com", "paid", "2024-03-03 09:30:00 +0100", "3", "Bowl", "8.00",
         "BOWL-1", "", "Cy Moreau", "Paris", "FR", "EUR", "pos", "", ""],
        ["#1004", "ann@example.com", "pending", "2024-03-04 12:00:00 +0100", "1", "Plate",
         "20.00", "PLATE-1", "", "Ann Lee", "Berlin", "DE", "EUR", "web", "Acme",
         "2024-03-04 13:00:00 +0100"],
    ]  # fmt: skip
    return write_csv(tmp_path / "orders_export.csv", data, header)


@pytest.fixture
def latin1_headerless(tmp_path: Path) -> Path:
    """UCI-like lines with no header, semicolons, decimal commas, day.month.year dates and
    Latin-1 text (ö, ñ, é)."""
    data = [
        ["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", "01.12.2010 08:26",
         "2,55", "17850", "Vereinigtes Königreich"],
        ["536365", "71053", "WHITE METAL LANTERN", "6", "01.12.2010 08:26", "3,39", "17850",
         "Vereinigtes Königreich"],
        ["536401", "22776", "TASSE CAFÉ CRÈME", "4", "13.12.2010 11:21", "1,25", "12680",
         "Österreich"],
        ["536402", "22777", "TAZA ESPAÑOLA", "12", "14.12.2010 12:00", "0,85", "12681",
         "España"],
        ["536403", "22778", "BECHER GRÜN", "2", "15.12.2010 09:05", "4,95", "12682",
         "Deutschland"],
        ["536403", "22779", "BECHER BLAU", "1", "15.12.2010 09:05", "1.004,95", "12682",
         "Deutschland"],
    ]  # fmt: skip
    return write_csv(tmp_path / "lines.txt", data, delimiter=";", encoding="latin-1")


@pytest.fixture
def excel_file(tmp_path: Path) -> Path:
    """The UCI rows as the dataset ships them: an .xlsx with real dates and numbers (customer
    ids as floats, as Excel stores them)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(UCI_HEADER)
    for row in UCI_ROWS:
        sheet.append([row[0], row[1], row[2], int(row[3]),
                      datetime.strptime(row[4], "%m/%d/%Y %H:%M"), float(row[5]),
                      float(row[6]), row[7]])  # fmt: skip
    path = tmp_path / "Online Retail.xlsx"
    book.save(path)
    return path


@pytest.fixture
def parquet_file(tmp_path: Path) -> Path:
    """An Olist-like flat export, typed: timestamps, floats, statuses in Portuguese-English."""
    table = pa.table({
        "order_id": ["e481f51c", "e481f51c", "53cdb2fc", "47770eb9", "949d5b44"],
        "customer_unique_id": ["7c396fd4", "7c396fd4", "af07308b", "3a653a41", "7c142cf6"],
        "order_status": ["delivered", "delivered", "shipped", "canceled", "delivered"],
        "order_purchase_timestamp": pa.array([
            datetime(2017, 10, 2, 10, 56, 33), datetime(2017, 10, 2, 10, 56, 33),
            datetime(2018, 7, 24, 20, 41, 37), datetime(2018, 8, 8, 8, 38, 49),
            datetime(2017, 11, 18, 19, 28, 6)], pa.timestamp("us")),
        "product_id": ["87285b34", "4244733e", "595fac2a", "aa4383b3", "d0b61bfb"],
        "product_category_name": ["utilidades_domesticas", "utilidades_domesticas",
                                  "perfumaria", "automotivo", "pet_shop"],
        "price": [29.99, 118.70, 159.90, 45.00, 19.90],
        "customer_city": ["sao paulo", "sao paulo", "barreiras", "vianopolis", "sao goncalo"],
    })  # fmt: skip
    path = tmp_path / "olist.parquet"
    pq.write_table(table, path)
    return path
