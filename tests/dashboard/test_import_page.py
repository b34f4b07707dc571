"""The Import page: upload, the detected mapping and a dry run's summary, confirm, the result,
the rejected rows as CSV; on an empty warehouse too, where every other page says to seed."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from salesdw.settings import get_settings
from tests.dashboard.conftest import OpenPage, metrics
from tests.load.conftest import UCI_HEADER, UCI_ROWS


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([UCI_HEADER, *rows])
    return buffer.getvalue().encode("utf-8")


def test_upload_preview_confirm_and_download(open_page: OpenPage, db: Engine) -> None:
    bad = ["536999", "X1", "Broken", "many", "12/2/2010 9:00", "1.00", "17850", "France"]
    at = open_page(db, "import")
    assert at.title[0].value == "Import" and [e.value for e in at.exception] == []
    at.file_uploader(key="import_file").set_value(
        ("my orders.csv", _csv([*UCI_ROWS, bad]), "text/csv")
    ).run()
    assert [e.value for e in at.exception] == [] and [e.value for e in at.error] == []
    mapping = at.dataframe[0].value
    assert dict(zip(mapping["field"], mapping["column"], strict=True))["order_id"] == "InvoiceNo"
    assert metrics(at) == {"Rows read": "11", "Accepted": "10", "Rejected": "1"}
    assert at.dataframe[1].value["reason"].tolist() == ["bad_quantity"]
    assert any("rejected rows" in b.label for b in at.get("download_button"))
    with db.connect() as conn:  # the preview was a dry run
        assert conn.scalar(text("select count(*) from core.orders")) == 0
    at.button(key="import_confirm").click().run()
    assert [e.value for e in at.exception] == [] and [e.value for e in at.error] == []
    assert "Imported 10 rows from my orders.csv" in at.success[0].value
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from core.orders")) == 7
        assert conn.scalar(text("select source from ops.load_runs")) == "my orders.csv"
        assert conn.scalar(text("select count(*) from analytics.customer_summary")) == 6
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the rejected rows as CSV"] * 2  # the preview's and the result's


def test_a_file_that_is_no_order_lines_says_why(open_page: OpenPage, db: Engine) -> None:
    at = open_page(db, "import")
    at.file_uploader(key="import_file").set_value(
        ("photo.jpg", bytes(range(256)) * 16, "image/jpeg")
    ).run()
    assert [e.value for e in at.exception] == []
    assert at.error[0].value.startswith("photo.jpg is not a text file")  # not the temporary file
    assert at.button == []


def test_a_read_only_login_is_told_it_cannot_import(open_page: OpenPage, reader: URL) -> None:
    at = open_page(reader.render_as_string(hide_password=False), "import")
    at.file_uploader(key="import_file").set_value(
        ("my orders.csv", _csv(UCI_ROWS), "text/csv")
    ).run()
    assert [e.value for e in at.exception] == []
    assert "read-only login" in at.error[0].value and at.button == []


def test_the_upload_limit_is_a_setting(open_page: OpenPage, db: Engine,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SALESDW_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    at = open_page(db, "import")
    assert "up to 1 MB" in at.file_uploader(key="import_file").label
    rows = [list(UCI_ROWS[0])] * 1
    big = _csv(rows) + b"x" * (1024 * 1024 + 10)
    at.file_uploader(key="import_file").set_value(("big.csv", big, "text/csv")).run()
    assert "larger than 1 MB" in at.error[0].value
