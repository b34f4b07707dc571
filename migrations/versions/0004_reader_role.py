"""Read-only access for BI tools and analysts: the group role salesdw_reader.

It may read the analytics and ml schemas (now and in the future) and nothing else: not core or
staging, where names and e-mail addresses live, and it writes nowhere. Roles belong to the
server, not the database, so the role is created only if missing and kept on downgrade (another
database on the server may use it); its grants in this database are revoked.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 14:50:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "salesdw_reader"
READABLE = ("analytics", "ml")


def upgrade() -> None:
    # A user without CREATEROLE (common on cloud servers) still migrates; the role is then
    # missing and `salesdw db create-reader` says so.
    grants = "".join(
        f"""
                execute 'grant usage on schema {schema} to {READER}';
                execute 'grant select on all tables in schema {schema} to {READER}';
                execute 'alter default privileges in schema {schema}
                         grant select on tables to {READER}';"""
        for schema in READABLE
    )
    op.execute(
        f"""
        do $$
        begin
            if not exists (select 1 from pg_roles where rolname = '{READER}') then
                begin
                    create role {READER} nologin;
                exception
                    when insufficient_privilege then
                        raise notice 'no privilege to create role {READER}; skipped';
                        return;
                    -- another database of the server migrating at the same moment made it
                    when duplicate_object or unique_violation then
                        null;
                end;
            end if;{grants}
        end
        $$
        """
    )


def downgrade() -> None:
    revokes = "".join(
        f"""
                execute 'alter default privileges in schema {schema}
                         revoke select on tables from {READER}';
                execute 'revoke select on all tables in schema {schema} from {READER}';
                execute 'revoke usage on schema {schema} from {READER}';"""
        for schema in READABLE
    )
    op.execute(
        f"""
        do $$
        begin
            if exists (select 1 from pg_roles where rolname = '{READER}') then{revokes}
            end if;
        end
        $$
        """
    )
