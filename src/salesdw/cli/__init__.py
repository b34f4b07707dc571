"""The `salesdw` command line."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.console import Console

from salesdw.cli import db as db_commands
from salesdw.cli.dashboard import dashboard as dashboard_command
from salesdw.cli.load import import_file as import_command
from salesdw.cli.refresh import refresh as refresh_command
from salesdw.cli.seed import seed as seed_command
from salesdw.cli.train import train as train_command
from salesdw.errors import SalesdwError

app = typer.Typer(
    help="salesdw: a PostgreSQL sales analytics warehouse. With no DATABASE_URL set, commands "
    "use an embedded PostgreSQL server kept in .salesdw/ and started on first use.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode="markdown",  # reflows docstring paragraphs to the terminal width
)
app.add_typer(db_commands.app, name="db")
app.command("seed")(seed_command)
app.command("import")(import_command)
app.command("refresh")(refresh_command)
app.command("train")(train_command)
app.command("dashboard")(dashboard_command)


def _version(value: bool) -> None:
    if value:
        from salesdw import __version__

        typer.echo(f"salesdw {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """salesdw: a PostgreSQL sales analytics warehouse."""


err = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(soft_wrap=True, highlight=False)


@app.command()
def migrate(
    revision: Annotated[
        str, typer.Argument(help="Target revision; the default is the newest.")
    ] = "head",
) -> None:
    """Create or update the warehouse schema (alembic upgrade). It only moves forward: to step
    back, run `.venv/bin/alembic downgrade REVISION`."""
    from salesdw import migrate as migrations
    from salesdw.db import get_engine
    from salesdw.db.connect import libpq_url

    engine = get_engine()
    before = migrations.current_revision(engine)
    migrations.upgrade(engine, revision)
    after = migrations.current_revision(engine)
    where = libpq_url(engine.url)
    if before == after and revision not in ("head", after):
        # alembic upgrades to an older revision by doing nothing: say so
        raise migrations.MigrationError(
            f"the schema on {where} is at revision {after}, past {revision}: migrate only moves "
            f"forward; to step back, run `.venv/bin/alembic downgrade {revision}`"
        )
    if before == after:
        out.print(f"Schema already at revision {after} on {where}.")
    else:
        out.print(f"Migrated {where} from {before or 'empty'} to revision {after}.")


def _user_error(exc: Exception) -> SalesdwError | None:
    """The error to print as one line, or None for a bug (its traceback is shown)."""
    if isinstance(exc, SalesdwError):
        return exc
    from salesdw.db.errors import is_permission_error, read_only_login

    # a login that may only read, wherever a command first tries to write
    return read_only_login(exc) if is_permission_error(exc) else None


def main() -> None:
    """Entry point: user-facing errors become one red line on stderr and an exit code."""
    # Warnings from the library (a fit that did not converge) as one line each; no tracebacks.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        app()
    except Exception as exc:
        error = _user_error(exc)
        if error is None:
            raise
        err.print(f"[bold red]error:[/] {error}", soft_wrap=True, highlight=False)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        sys.exit(130)
