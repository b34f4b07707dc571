"""Where the database is and how to reach it, with one-line errors when it cannot be reached."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError

from salesdw.db.embedded import EmbeddedServer
from salesdw.errors import DatabaseUnreachable
from salesdw.settings import Settings, get_settings


def embedded_server(settings: Settings | None = None) -> EmbeddedServer:
    settings = settings or get_settings()
    return EmbeddedServer(settings.data_dir, settings.pg_port)


def database_url(settings: Settings | None = None) -> URL:
    """DATABASE_URL when set; otherwise the embedded server's URL, starting it if needed."""
    settings = settings or get_settings()
    if settings.uses_embedded_server:
        return embedded_server(settings).ensure_running()
    return settings.external_url()


def get_engine(settings: Settings | None = None, *, check: bool = True) -> Engine:
    """An engine for the configured database; with `check`, fail early if it does not answer."""
    url = database_url(settings)
    engine = create_engine(url, connect_args={"connect_timeout": 10}, pool_pre_ping=True)
    if check:
        check_connection(engine)
    return engine


def check_connection(engine: Engine) -> None:
    """Open one connection, turning a driver error into a message that says what to check."""
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except DBAPIError as exc:
        raise DatabaseUnreachable(describe_connection_error(engine.url, exc)) from exc


def libpq_url(url: URL, *, hide_password: bool = True) -> str:
    """The URL as psql, pandas and BI tools write it (no SQLAlchemy driver suffix), every part
    percent-encoded: SQLAlchemy's own rendering leaves a space in a password as it is, and
    libpq refuses such a URL."""
    login = quote(url.username or "", safe="")
    if url.password is not None:
        login += ":" + ("***" if hide_password else quote(str(url.password), safe=""))
    host = url.host or ""
    where = f"[{host}]" if ":" in host else host
    if url.port:
        where += f":{url.port}"
    if login:
        where = f"{login}@{where}"
    query = f"?{urlencode(url.query, doseq=True)}" if url.query else ""
    return f"postgresql://{where}/{quote(url.database or '', safe='')}{query}"


def describe_connection_error(url: URL, exc: BaseException) -> str:
    """One line naming the host, port and database, the reason, and what to check."""
    detail = str(getattr(exc, "orig", exc)).lower()
    reason = "the connection failed"
    for needle, said in [
        ("connection refused", "connection refused"),
        ("timeout", "the connection timed out"),
        ("timed out", "the connection timed out"),
        ("could not translate host name", "the host name does not resolve"),
        ("name or service not known", "the host name does not resolve"),
        ("password authentication failed", f"password authentication failed for {url.username}"),
        ("no password supplied", f"the server wants a password for {url.username}"),
        ("does not exist", "the database or role does not exist"),
        ("no pg_hba.conf entry", "the server's pg_hba.conf does not allow this client"),
    ]:
        if needle in detail:
            reason = said
            break
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return (
        f"cannot connect to PostgreSQL at {where} (database {url.database!r}): {reason}. "
        "Check that the server is running and that DATABASE_URL is right, "
        "or unset DATABASE_URL to use salesdw's embedded server."
    )
