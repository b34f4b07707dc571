"""The one settings object, read from the environment and `.env` at the project root."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from salesdw.errors import ConfigError

#: The repository root: migrations/, sql/ and seeds/ live here (src layout, editable install).
PROJECT_ROOT = Path(__file__).resolve().parents[2]

_POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg"}


def parse_database_url(raw: str) -> URL:
    """Validate a PostgreSQL URL and return it with the psycopg 3 driver.

    Accepts what users paste from cloud consoles and docker-compose files:
    `postgres://`, `postgresql://` and `postgresql+psycopg://`.
    """
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise ConfigError(
            f"DATABASE_URL is not a valid URL ({raw!r}); "
            "expected postgresql://user:password@host:5432/dbname"
        ) from exc
    if url.drivername not in _POSTGRES_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL must point to PostgreSQL (got scheme {url.drivername!r}); "
            "expected postgresql://user:password@host:5432/dbname"
        )
    if not url.database:
        raise ConfigError("DATABASE_URL has no database name; add it after the host: .../dbname")
    return url.set(drivername="postgresql+psycopg")


class Settings(BaseSettings):
    """salesdw's configuration. Every field can be set in the environment or in `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="SALESDW_",
        env_file=PROJECT_ROOT / ".env",
        extra="ignore",
        populate_by_name=True,
    )

    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="PostgreSQL server to use; unset = the embedded server in data_dir.",
    )
    pg_port: int = Field(
        default=54329,
        ge=1024,
        le=65535,
        description="TCP port of the embedded server on 127.0.0.1.",
    )
    timezone: str = Field(
        default="UTC",
        description="Time zone whose calendar days the analytics views count in.",
    )
    churn_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        description="A customer with no order for this many days is churned.",
    )
    currency: str = Field(
        default="EUR",
        pattern=r"^[A-Za-z]{3}$",
        description="ISO 4217 code of the store's currency, for the dashboard's money figures.",
    )
    refresh_work_mem: str = Field(
        default="256MB",
        pattern=r"^\d+\s*(kB|MB|GB)$",
        description="Memory per sort or hash while refreshing the views (PostgreSQL work_mem).",
    )
    refresh_jobs: int = Field(
        default=2,
        ge=1,
        le=16,
        description="Views a refresh builds at once, each on its own connection.",
    )
    max_upload_mb: int = Field(
        default=200,
        ge=1,
        le=100_000,
        description="Largest file the dashboard's Import page accepts, in megabytes.",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / ".salesdw",
        description="Where the embedded server keeps its data (pgdata/) and log.",
    )

    @field_validator("database_url")
    @classmethod
    def _validate_database_url(cls, value: str | None) -> str | None:
        # Validated here, once; ConfigError is not a ValueError, so it reaches the CLI as is.
        if not value or not value.strip():
            return None
        return parse_database_url(value).render_as_string(hide_password=False)

    @field_validator("currency")
    @classmethod
    def _upper_currency(cls, value: str) -> str:
        # `import --currency eur` is accepted; so is SALESDW_CURRENCY=eur
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _validate_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"SALESDW_TIMEZONE {value!r} is not a time zone; use a name such as "
                "UTC, Europe/Berlin or America/New_York"
            ) from exc
        return value

    @property
    def uses_embedded_server(self) -> bool:
        return self.database_url is None

    def external_url(self) -> URL:
        """The validated DATABASE_URL; only meaningful when it is set."""
        if self.database_url is None:
            raise ConfigError("DATABASE_URL is not set")
        return make_url(self.database_url)


#: What a valid value of each setting looks like, for the message naming a bad one.
_EXPECTED = {
    "pg_port": "a port number from 1024 to 65535",
    "churn_days": "a whole number of days from 1 to 3650",
    "currency": "an ISO 4217 code of three letters, such as EUR or USD",
    "refresh_work_mem": "a size such as 256MB or 1GB",
    "refresh_jobs": "a whole number from 1 to 16",
    "max_upload_mb": "a whole number of megabytes from 1 to 100000",
    "data_dir": "a folder path",
}


def _setting_error(exc: ValidationError) -> ConfigError:
    """One line naming the first bad setting as the user wrote it, and what it should be."""
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    name = "DATABASE_URL" if field == "database_url" else f"SALESDW_{field.upper()}"
    expected = _EXPECTED.get(field, error["msg"].lower())
    return ConfigError(
        f"{name}={error.get('input')!r} is not valid: it must be {expected}; "
        "fix it in the environment or in .env"
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    try:
        return Settings()
    except ValidationError as exc:
        raise _setting_error(exc) from None
