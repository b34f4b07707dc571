"""Settings: DATABASE_URL is validated once, and the embedded server is the default."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from salesdw.errors import ConfigError
from salesdw.settings import Settings, get_settings, parse_database_url


@pytest.mark.parametrize(
    "raw",
    [
        "postgres://u:p@db.example.com:6543/shop",
        "postgresql://u:p@db.example.com:6543/shop",
        "postgresql+psycopg://u:p@db.example.com:6543/shop",
    ],
)
def test_common_postgresql_url_forms_use_psycopg(raw: str) -> None:
    url = parse_database_url(raw)
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database, url.password) == ("db.example.com", 6543, "shop", "p")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("mysql://u@h/db", "must point to PostgreSQL"),
        ("not a url", "not a valid URL"),
        ("postgresql://u@h:5432", "no database name"),
    ],
)
def test_bad_database_url_says_what_is_expected(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_database_url(raw)


def test_no_database_url_means_the_embedded_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)
    assert settings.uses_embedded_server
    assert settings.pg_port == 54329


def test_blank_database_url_means_the_embedded_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert Settings(_env_file=None).uses_embedded_server


def test_environment_sets_url_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://a@b/c")
    monkeypatch.setenv("SALESDW_PG_PORT", "55000")
    settings = Settings(_env_file=None)
    assert settings.external_url().render_as_string() == "postgresql+psycopg://a@b/c"
    assert settings.pg_port == 55000


def test_invalid_url_fails_when_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    with pytest.raises(ConfigError):
        Settings(_env_file=None)


def test_port_out_of_range_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDW_PG_PORT", "80")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


@pytest.fixture
def fresh_settings():
    """get_settings reads the environment again, and the next test's call does too."""
    get_settings.cache_clear()
    yield get_settings
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "SALESDW_CURRENCY",
            "dollars",
            "SALESDW_CURRENCY='dollars' is not valid: it must be an ISO 4217",
        ),
        (
            "SALESDW_CHURN_DAYS",
            "-1",
            "SALESDW_CHURN_DAYS='-1' is not valid: it must be a whole number of days",
        ),
        (
            "SALESDW_REFRESH_JOBS",
            "0",
            "SALESDW_REFRESH_JOBS='0' is not valid: it must be a whole number from 1",
        ),
        ("SALESDW_PG_PORT", "abc", "SALESDW_PG_PORT='abc' is not valid: it must be a port number"),
        (
            "SALESDW_MAX_UPLOAD_MB",
            "abc",
            "SALESDW_MAX_UPLOAD_MB='abc' is not valid: it must be a whole number of megabytes",
        ),
        (
            "SALESDW_REFRESH_WORK_MEM",
            "lots",
            "SALESDW_REFRESH_WORK_MEM='lots' is not valid: it must be a size",
        ),
    ],
)
def test_bad_setting_is_one_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, fresh_settings, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="^" + expected.replace("(", r"\(")) as raised:
        fresh_settings()
    assert "\n" not in str(raised.value)


def test_currency_in_lower_case_is_accepted(
    monkeypatch: pytest.MonkeyPatch, fresh_settings
) -> None:
    monkeypatch.setenv("SALESDW_CURRENCY", "usd")
    assert fresh_settings().currency == "USD"
