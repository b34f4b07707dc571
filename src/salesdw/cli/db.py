"""`salesdw db ...`: the database server salesdw uses, and how to connect to it."""

from __future__ import annotations

import os
import shutil
from typing import Annotated

import typer
from rich.console import Console

from salesdw.db.connect import check_connection, database_url, embedded_server, libpq_url
from salesdw.db.embedded import bin_dir
from salesdw.settings import get_settings

app = typer.Typer(
    help="Start, stop and inspect the database server, and print its URL.",
    no_args_is_help=True,
)
out = Console(soft_wrap=True, highlight=False)


def _libpq_url() -> str:
    """The URL without SQLAlchemy's driver suffix, which psql and BI tools accept."""
    return libpq_url(database_url(), hide_password=False)


@app.command()
def start() -> None:
    """Start the embedded server (initialising it on first use); with DATABASE_URL, check it."""
    settings = get_settings()
    if not settings.uses_embedded_server:
        from salesdw.db import get_engine

        get_engine()
        out.print("DATABASE_URL is set: salesdw uses that server, and it answers.")
        return
    server = embedded_server(settings)
    was_running = server.status().running
    server.ensure_running()
    state = "was already running" if was_running else "started"
    out.print(f"Embedded PostgreSQL {state} on 127.0.0.1:{server.status().port} "
              f"(data in {server.pgdata}).")  # fmt: skip


@app.command()
def stop() -> None:
    """Stop the embedded server. Its data stays in .salesdw/pgdata."""
    settings = get_settings()
    server = embedded_server(settings)
    if server.stop():
        out.print(f"Embedded PostgreSQL stopped; its data stays in {server.pgdata}.")
    else:
        out.print("Embedded PostgreSQL was not running.")
    if not settings.uses_embedded_server:
        out.print("Note: DATABASE_URL is set, so salesdw uses that server, not the embedded one.")


@app.command()
def status() -> None:
    """Show which server salesdw uses and whether it answers."""
    settings = get_settings()
    if not settings.uses_embedded_server:
        from salesdw.db import get_engine

        url = settings.external_url()
        engine = get_engine(check=False)
        check_connection(engine)
        with engine.connect() as conn:
            version = conn.exec_driver_sql("show server_version").scalar()
        out.print(f"Server: {libpq_url(url)} (from DATABASE_URL)")
        out.print(f"Answers: yes, PostgreSQL {version}")
        return
    server = embedded_server(settings)
    state = server.status()
    out.print(f"Server: embedded PostgreSQL, data in {server.pgdata}")
    if not state.initialized:
        out.print("State: not initialised yet (`salesdw db start` or any command creates it)")
    elif not state.running:
        out.print("State: stopped (`salesdw db start` or any command starts it)")
    else:
        out.print(f"State: running, pid {state.pid}, 127.0.0.1:{state.port}, "
                  f"PostgreSQL {server.server_version()}")  # fmt: skip
        out.print(f"URL: {_libpq_url()}")


@app.command()
def url() -> None:
    """Print the connection URL (for psql, pandas and BI tools); starts the embedded server."""
    typer.echo(_libpq_url())


@app.command(context_settings={"ignore_unknown_options": True})  # psql's options pass through
def psql(
    args: Annotated[
        list[str] | None,
        typer.Argument(help="Arguments for psql, e.g. -c 'select 1' or -f report.sql."),
    ] = None,
) -> None:
    """Open psql on the warehouse (the system psql if there is one, else the embedded one)."""
    target = _libpq_url()
    program = shutil.which("psql") or str(bin_dir() / "psql")
    os.execv(program, [program, target, *(args or [])])


@app.command("create-reader")
def create_reader(
    name: Annotated[str, typer.Argument(help="Login name for the BI tool, e.g. metabase.")],
    password_env: Annotated[
        str,
        typer.Option(help="Environment variable holding the password; prompted when unset."),
    ] = "SALESDW_READER_PASSWORD",
) -> None:
    """Create a read-only login for a BI tool or analyst and print its connection URL.

    It reads the documented analytics and ml views only: not core or staging (names and
    e-mail addresses stay private), and it can write nothing.
    """
    import sys

    from salesdw.db import get_engine
    from salesdw.db.roles import create_reader as make_reader

    password = os.environ.get(password_env, "")
    if not password:
        if not sys.stdin.isatty():
            raise typer.BadParameter(f"set {password_env} to the password (no terminal to ask)")
        password = typer.prompt("Password for the new login", hide_input=True,
                                confirmation_prompt=True)  # fmt: skip
    engine = get_engine()
    url = make_reader(libpq_url(engine.url, hide_password=False), engine.url, name, password)
    out.print(f"Login {name} reads analytics and ml, nothing else. Connect with:")
    out.print(f"  URL:      {url.render_as_string(hide_password=True)}")
    out.print(f"  Host:     {url.host}   Port: {url.port or 5432}   Database: {url.database}")
    out.print(f"  User:     {name}   Password: the one you chose")
    settings = get_settings()
    if settings.uses_embedded_server:
        out.print("Note: the embedded server trusts every local connection; passwords apply "
                  "on servers that check them.")  # fmt: skip
