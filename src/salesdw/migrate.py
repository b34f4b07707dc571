"""Schema migrations: Alembic driven from Python, on a connection salesdw opened itself."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from salesdw.errors import SalesdwError
from salesdw.settings import PROJECT_ROOT

__all__ = [
    "MigrationError",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]


class MigrationError(SalesdwError):
    exit_code = 2


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's config for this checkout; with `engine`, migrations run on its connection."""
    ini = PROJECT_ROOT / "alembic.ini"
    if not ini.exists():
        raise SalesdwError(
            f"alembic.ini not found in {PROJECT_ROOT}; run salesdw from a clone of the "
            "repository, installed with `make install`"
        )
    config = Config(str(ini))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["configure_logging"] = False
    return config


def _run(engine: Engine, action, *args: object) -> None:
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            action(config, *args)
    except DBAPIError as exc:
        # One transaction: a failed migration leaves the schema as it was.
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise MigrationError(
            f"migration failed and was rolled back: {detail[0] if detail else exc}"
        ) from exc


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (default: the newest), in one transaction."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the database back to `revision` ("base" removes everything salesdw created)."""
    _run(engine, command.downgrade, revision)


def check(engine: Engine) -> None:
    """Raise if the database differs from `salesdw.schema` (Alembic's autogenerate check)."""
    _run(engine, command.check)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
