"""Logins for BI tools and analysts, members of the read-only group salesdw_reader."""

from __future__ import annotations

import re

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from salesdw.errors import SalesdwError

READER_GROUP = "salesdw_reader"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(SalesdwError):
    exit_code = 2


def create_reader(conninfo: str, url: URL, name: str, password: str) -> URL:
    """Create (or update) login `name` in the reader group; return the URL it connects with.

    The login reads the analytics and ml schemas only, and every transaction it opens is
    read-only as well, as a second guard.
    """
    if len(name.encode()) > 63:
        raise RoleError(
            f"role name {name[:20]!r}... is {len(name)} characters long; PostgreSQL allows 63 "
            "at most"
        )
    if not _NAME.match(name):
        raise RoleError(
            f"role name {name!r} must be lowercase letters, digits and _ (not starting with a "
            "digit), e.g. metabase"
        )
    if name == READER_GROUP:
        raise RoleError(f"{READER_GROUP} is the group; name a login, e.g. metabase")
    if not password:
        raise RoleError("the password is empty; choose one")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        group = conn.execute("select 1 from pg_roles where rolname = %s", [READER_GROUP])
        if group.fetchone() is None:
            raise RoleError(
                f"the role {READER_GROUP} does not exist: run `salesdw migrate` as a user who "
                "may create roles (a superuser, or one with CREATEROLE)"
            )
        exists = conn.execute(
            """
            select
                role.rolsuper or role.rolcreaterole or role.rolcreatedb or role.rolbypassrls
                    or role.rolreplication as is_privileged,
                role.rolname = current_user as is_me,
                pg_has_role(role.oid, %s, 'member') as is_reader
            from pg_roles as role
            where role.rolname = %s
            """,
            [READER_GROUP, name],
        ).fetchone()
        if exists and (exists[0] or exists[1] or not exists[2]):
            # Altering it would change the password of, and make read-only, a role that other
            # things log in as (the app's own user, postgres).
            raise RoleError(
                f"a role {name!r} already exists and is not a salesdw reader; choose another "
                "name (only existing readers are updated, e.g. to change their password)"
            )
        verb = "alter" if exists else "create"
        try:
            conn.execute(
                sql.SQL("{} role {} with login password {}").format(
                    sql.SQL(verb), sql.Identifier(name), sql.Literal(password)
                )
            )
            conn.execute(
                sql.SQL("grant {} to {}").format(sql.Identifier(READER_GROUP), sql.Identifier(name))
            )
            conn.execute(
                sql.SQL("alter role {} set default_transaction_read_only = on").format(
                    sql.Identifier(name)
                )
            )
        except psycopg.errors.InsufficientPrivilege as exc:
            raise RoleError(
                "the connected user may not create roles; connect as a superuser or a user "
                "with CREATEROLE (DATABASE_URL)"
            ) from exc
    return url.set(drivername="postgresql", username=name, password=password)
