"""salesdw.db.connect.libpq_url: a URL libpq, psql and BI tools accept, whatever the password."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

from salesdw.db.connect import libpq_url


@pytest.mark.parametrize("password", ["s3cret pass", "p@ss:w/rd", "100%", "a#b?c&d=e"])
def test_any_password_survives_the_round_trip_through_libpq(password: str) -> None:
    url = URL.create("postgresql+psycopg", username="reader", password=password,
                     host="db.example.com", port=6543, database="shop")  # fmt: skip
    parsed = psycopg.conninfo.conninfo_to_dict(libpq_url(url, hide_password=False))
    assert parsed == {"user": "reader", "password": password, "host": "db.example.com",
                      "port": "6543", "dbname": "shop"}  # fmt: skip


def test_the_password_is_hidden_by_default() -> None:
    url = make_url("postgresql+psycopg://reader:s3cret@localhost:5432/shop?sslmode=require")
    assert libpq_url(url) == "postgresql://reader:***@localhost:5432/shop?sslmode=require"


def test_a_url_without_login_or_port_stays_as_short() -> None:
    assert (
        libpq_url(make_url("postgresql+psycopg://localhost/shop")) == "postgresql://localhost/shop"
    )
