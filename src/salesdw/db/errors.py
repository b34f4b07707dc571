"""Database errors a user can act on, told apart from the rest by their SQLSTATE."""

from __future__ import annotations

from salesdw.errors import SalesdwError

# insufficient_privilege; read_only_sql_transaction (reader logins default to read-only
# transactions, see salesdw.db.roles)
_PERMISSION_STATES = {"42501", "25006"}


class ReadOnlyLogin(SalesdwError):
    """The login in DATABASE_URL may read the warehouse but not change it."""

    exit_code = 2


def _sqlstate(exc: BaseException) -> str | None:
    # SQLAlchemy wraps psycopg's error in .orig; psycopg's own errors carry the state
    error = getattr(exc, "orig", None) or exc
    return getattr(error, "sqlstate", None)


def is_permission_error(exc: BaseException) -> bool:
    """True when the server refused because the login may not do this (not a bug in salesdw)."""
    return _sqlstate(exc) in _PERMISSION_STATES


def read_only_login(exc: BaseException) -> ReadOnlyLogin:
    """The one-line error for a permission error: what was refused and which login to use."""
    error = getattr(exc, "orig", None) or exc
    lines = str(error).strip().splitlines()
    detail = lines[0] if lines else "permission denied"
    return ReadOnlyLogin(
        f"the database login may not do this ({detail}), as with a read-only login made by "
        "`salesdw db create-reader`: set DATABASE_URL to the login that owns the warehouse to "
        "migrate, seed, import, refresh or train"
    )
