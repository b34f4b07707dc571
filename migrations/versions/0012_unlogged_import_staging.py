"""staging.import_rows becomes an unlogged table: it only holds the rows of the import in progress
(each import empties it first, in its own transaction), so writing it to the WAL, or syncing it
to disk at commit, bought nothing. A crash empties it, which loses nothing: the rows it held are
in core once their import committed. The importer also COPYs into it with FREEZE.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("alter table staging.import_rows set unlogged")


def downgrade() -> None:
    op.execute("alter table staging.import_rows set logged")
