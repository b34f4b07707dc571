"""Alembic environment: the URL comes from salesdw's settings, never from alembic.ini."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import salesdw.ml.tables  # noqa: F401  (declares the ml tables on the same metadata)
from salesdw.schema import SCHEMAS, metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    # Only salesdw's schemas take part in autogenerate and `alembic check`.
    if type_ == "schema":
        return name in SCHEMAS
    return True


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # `salesdw migrate` and the tests hand over an open connection; plain `alembic` does not.
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return

    from salesdw.db import get_engine

    engine = get_engine()
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("salesdw migrations run online only: use `salesdw migrate`.")
run_migrations_online()
