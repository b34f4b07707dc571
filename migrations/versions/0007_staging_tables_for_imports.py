"""Staging tables for `salesdw import`: the rows of the latest import, the rejected rows of
every import, and the return lines applied to sale lines.

staging.import_rows holds the typed rows of one import between the row checks and the upsert
into core; staging.rejected_rows keeps, per import, each rejected line with its reason and raw
values (accepted + rejected = rows read); staging.applied_returns records which sale line each
imported return was applied to, so importing a file again applies no return twice. The core
tables need no change: customers and orders already have a unique external_id, products a
unique sku, and categories are unique by (parent, name).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:32:38.335049+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_rows",
        sa.Column(
            "load_run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The import that read the row (ops.load_runs; no foreign key, so COPY checks nothing per row).",
        ),
        sa.Column(
            "line_number",
            sa.BigInteger(),
            nullable=False,
            comment="Record number in the file, the header counting as 1 (a quoted field spanning lines counts once); spreadsheet row for Excel; row from 1 for Parquet.",
        ),
        sa.Column(
            "order_key",
            sa.Text(),
            nullable=False,
            comment="Order number in the file, or '<customer>/<day>' when the file has none (one order per customer and day).",
        ),
        sa.Column(
            "line_position",
            sa.Integer(),
            nullable=False,
            comment="Position of the row among the order's sale rows (its core.order_items.line_number), or among its return rows.",
        ),
        sa.Column(
            "is_return",
            sa.Boolean(),
            nullable=False,
            comment="True for a return: a negative quantity or amount, or a line of an invoice with a cancellation prefix.",
        ),
        sa.Column(
            "customer_key",
            sa.Text(),
            nullable=False,
            comment="Customer id in the file, or the lower-case e-mail when there is no id (core.customers.external_id).",
        ),
        sa.Column("email", sa.Text(), nullable=True, comment="E-mail address, when valid."),
        sa.Column("first_name", sa.Text(), nullable=True, comment="Customer's given name."),
        sa.Column("last_name", sa.Text(), nullable=True, comment="Customer's family name."),
        sa.Column(
            "country_code",
            sa.String(length=2),
            nullable=True,
            comment="Country resolved to ISO alpha-2; null when the file has none.",
        ),
        sa.Column("city", sa.Text(), nullable=True, comment="City."),
        sa.Column(
            "sku",
            sa.Text(),
            nullable=False,
            comment="Product code; the product name when there is no code; UNSPECIFIED when the file has neither.",
        ),
        sa.Column("product_name", sa.Text(), nullable=True, comment="Product name."),
        sa.Column("category", sa.Text(), nullable=True, comment="Top-level category name."),
        sa.Column("subcategory", sa.Text(), nullable=True, comment="Subcategory name."),
        sa.Column("brand", sa.Text(), nullable=True, comment="Brand."),
        sa.Column(
            "ordered_at",
            postgresql.TIMESTAMP(timezone=True),
            nullable=False,
            comment="When the order (or the return) was placed; naive times read in the import's time zone.",
        ),
        sa.Column(
            "quantity",
            sa.Integer(),
            nullable=False,
            comment="Units, always positive (a return's units returned).",
        ),
        sa.Column(
            "unit_price",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Price per unit; derived from the line amount when the file has no price.",
        ),
        sa.Column(
            "unit_cost",
            sa.Numeric(precision=12, scale=2),
            nullable=True,
            comment="Cost per unit; null when unknown.",
        ),
        sa.Column(
            "discount_amount",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Line discount in money (with a derived price: what rounding the price up to the cent added).",
        ),
        sa.Column(
            "returned_quantity",
            sa.Integer(),
            nullable=False,
            comment="Units returned on this sale line, from a status or returned-quantity column (returns matched later add to it).",
        ),
        sa.Column(
            "refund_amount",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Money refunded on this line (for a return row: the money the return refunds).",
        ),
        sa.Column(
            "status",
            sa.Text(),
            nullable=False,
            comment="Order status, mapped to core's: placed, shipped, completed, cancelled, returned.",
        ),
        sa.Column(
            "channel",
            sa.Text(),
            nullable=False,
            comment="Sales channel, mapped to core's: web, mobile_app, marketplace, social.",
        ),
        sa.Column(
            "raw_values",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="The row as read, for return rows only (a return that matches no sale is moved to rejected_rows with it).",
        ),
        schema="staging",
        comment="One row per line of the latest import (salesdw import) that passed the row checks, typed and normalised, before the upsert into core. Emptied when the next import starts.",
    )
    op.create_table(
        "applied_returns",
        sa.Column(
            "return_key",
            sa.Text(),
            nullable=False,
            comment="The return line in its file: '<order key>#<position among the order's returns>'.",
        ),
        sa.Column(
            "order_external_id",
            sa.Text(),
            nullable=False,
            comment="Sale order it was applied to (core.orders.external_id).",
        ),
        sa.Column(
            "line_number",
            sa.SmallInteger(),
            nullable=False,
            comment="Sale line it was applied to (core.order_items.line_number).",
        ),
        sa.Column("returned_quantity", sa.Integer(), nullable=False, comment="Units it returns."),
        sa.Column(
            "refund_amount",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Money it refunds.",
        ),
        sa.Column(
            "returned_at",
            postgresql.TIMESTAMP(timezone=True),
            nullable=False,
            comment="When the return was made.",
        ),
        sa.Column(
            "load_run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The import that last wrote it (ops.load_runs).",
        ),
        sa.CheckConstraint(
            "refund_amount >= 0", name=op.f("ck_applied_returns_refund_not_negative")
        ),
        sa.CheckConstraint(
            "returned_quantity > 0", name=op.f("ck_applied_returns_returned_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["load_run_id"],
            ["ops.load_runs.load_run_id"],
            name=op.f("fk_applied_returns_load_run_id"),
        ),
        sa.PrimaryKeyConstraint("return_key", name=op.f("pk_applied_returns")),
        schema="staging",
        comment="One row per imported return line (negative quantity, cancellation invoice) and the sale line it was applied to: a sale line's returned quantity and refund are its own plus these rows', so importing a file again applies no return twice.",
    )
    op.create_index(
        op.f("ix_applied_returns_order_external_id_line_number"),
        "applied_returns",
        ["order_external_id", "line_number"],
        unique=False,
        schema="staging",
    )
    op.create_table(
        "rejected_rows",
        sa.Column(
            "load_run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The import that rejected the row (ops.load_runs).",
        ),
        sa.Column(
            "file_name",
            sa.Text(),
            nullable=False,
            comment="Name of the file imported (without its folder).",
        ),
        sa.Column(
            "line_number",
            sa.BigInteger(),
            nullable=False,
            comment="Record number in the file, the header counting as 1; spreadsheet row for Excel; row from 1 for Parquet.",
        ),
        sa.Column(
            "reason",
            sa.Text(),
            nullable=False,
            comment="Why it was rejected: malformed_line, field_too_long, duplicate_row, missing_customer, missing_order_id, bad_date, date_out_of_range, bad_quantity, zero_quantity, bad_price, negative_price, bad_amount, bad_discount, out_of_range, unknown_country, unknown_status, other_currency, order_customer_conflict, order_too_long, return_without_sale.",
        ),
        sa.Column(
            "detail",
            sa.Text(),
            nullable=True,
            comment="What exactly was wrong, e.g. the value that did not parse.",
        ),
        sa.Column(
            "raw_values",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="The row as read: column name (or position) to value, as text.",
        ),
        sa.CheckConstraint(
            "reason in ('malformed_line', 'field_too_long', 'duplicate_row', 'missing_customer', 'missing_order_id', 'bad_date', 'date_out_of_range', 'bad_quantity', 'zero_quantity', 'bad_price', 'negative_price', 'bad_amount', 'bad_discount', 'out_of_range', 'unknown_country', 'unknown_status', 'other_currency', 'order_customer_conflict', 'order_too_long', 'return_without_sale')",
            name=op.f("ck_rejected_rows_reason_known"),
        ),
        sa.ForeignKeyConstraint(
            ["load_run_id"],
            ["ops.load_runs.load_run_id"],
            name=op.f("fk_rejected_rows_load_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("load_run_id", "line_number", name=op.f("pk_rejected_rows")),
        schema="staging",
        comment="One row per line an import rejected, with the reason and the values as read: accepted + rejected = rows read, for every import.",
    )


def downgrade() -> None:
    op.drop_table("rejected_rows", schema="staging")
    op.drop_index(
        op.f("ix_applied_returns_order_external_id_line_number"),
        table_name="applied_returns",
        schema="staging",
    )
    op.drop_table("applied_returns", schema="staging")
    op.drop_table("import_rows", schema="staging")
