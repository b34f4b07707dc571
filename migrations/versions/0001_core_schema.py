"""Core schema: the five schemas, normalized sales tables, and reference rows.

Creates core (sales data), staging (imports), analytics (views), ml (model outputs) and ops
(bookkeeping); the core tables with their constraints, indexes and comments; the countries of
seeds/countries.csv and the marketing channels.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 13:48:50.031944+00:00
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Frozen here on purpose: later changes to salesdw.schema get migrations of their own.
SCHEMAS = {
    "core": "Normalized sales data: customers, products, orders and what surrounds them. "
    "Written by the generator and the importer; holds personal data.",
    "staging": "Raw rows of imported files before validation, and the rows rejected.",
    "analytics": "Documented views for analysts and BI tools; safe to share.",
    "ml": "Outputs of the predictive models (forecasts, scores, segments) and their runs.",
    "ops": "Operational bookkeeping: load runs and refresh logs.",
}

MARKETING_CHANNELS = [
    ("organic_search", "Organic search", False),
    ("paid_search", "Paid search", True),
    ("paid_social", "Paid social", True),
    ("organic_social", "Organic social", False),
    ("email", "E-mail", False),
    ("affiliate", "Affiliate", True),
    ("display", "Display ads", True),
    ("referral", "Referral", False),
    ("direct", "Direct", False),
    ("unknown", "Unknown", False),
]

COUNTRIES_CSV = Path(__file__).resolve().parents[2] / "seeds" / "countries.csv"
COUNTRY_COLUMNS = ("country_code", "iso_alpha3", "name", "region", "subregion", "currency_code")


def _countries() -> list[dict[str, str | None]]:
    # Columns are picked by name, so a CSV that later gains columns still loads here.
    with COUNTRIES_CSV.open(newline="", encoding="utf-8") as fh:
        return [
            {col: (row[col].strip() or None) for col in COUNTRY_COLUMNS}
            for row in csv.DictReader(fh)
        ]


def upgrade() -> None:
    for schema, comment in SCHEMAS.items():
        op.execute(sa.text(f"create schema if not exists {schema}"))
        op.execute(
            sa.text(f"comment on schema {schema} is '{comment.replace(chr(39), chr(39) * 2)}'")
        )

    op.create_table(
        "categories",
        sa.Column(
            "category_id",
            sa.Integer(),
            sa.Identity(always=False),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "parent_category_id",
            sa.Integer(),
            nullable=True,
            comment="Parent in the category tree; null for a top-level category.",
        ),
        sa.Column(
            "name", sa.Text(), nullable=False, comment="Category name, unique among its siblings."
        ),
        sa.CheckConstraint(
            "parent_category_id <> category_id", name=op.f("ck_categories_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_category_id"],
            ["core.categories.category_id"],
            name=op.f("fk_categories_parent_category_id"),
        ),
        sa.PrimaryKeyConstraint("category_id", name=op.f("pk_categories")),
        sa.UniqueConstraint(
            "parent_category_id",
            "name",
            name=op.f("uq_categories_parent_category_id_name"),
            postgresql_nulls_not_distinct=True,
        ),
        schema="core",
        comment="One row per product category; parent links form a tree (top level has no parent).",
    )
    op.create_index(
        op.f("ix_categories_parent_category_id"),
        "categories",
        ["parent_category_id"],
        unique=False,
        schema="core",
    )
    op.create_table(
        "countries",
        sa.Column(
            "country_code", sa.String(length=2), nullable=False, comment="ISO 3166-1 alpha-2 code."
        ),
        sa.Column(
            "iso_alpha3",
            sa.String(length=3),
            nullable=False,
            comment="ISO 3166-1 alpha-3 code (what choropleth maps use).",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Common English name."),
        sa.Column(
            "region", sa.Text(), nullable=False, comment="Continent (UN M49 region), e.g. Europe."
        ),
        sa.Column(
            "subregion",
            sa.Text(),
            nullable=False,
            comment="UN M49 sub-region, e.g. Western Europe.",
        ),
        sa.Column(
            "currency_code",
            sa.String(length=3),
            nullable=True,
            comment="ISO 4217 code of the legal tender (null where there is none, e.g. Antarctica).",
        ),
        sa.CheckConstraint("country_code ~ '^[A-Z]{2}$'", name=op.f("ck_countries_alpha2_format")),
        sa.CheckConstraint("iso_alpha3 ~ '^[A-Z]{3}$'", name=op.f("ck_countries_alpha3_format")),
        sa.PrimaryKeyConstraint("country_code", name=op.f("pk_countries")),
        sa.UniqueConstraint("iso_alpha3", name=op.f("uq_countries_iso_alpha3")),
        sa.UniqueConstraint("name", name=op.f("uq_countries_name")),
        schema="core",
        comment="One row per country or territory of ISO 3166-1, loaded from seeds/countries.csv.",
    )
    op.create_table(
        "marketing_channels",
        sa.Column("channel", sa.Text(), nullable=False, comment="Channel code, e.g. paid_search."),
        sa.Column("name", sa.Text(), nullable=False, comment="Display name."),
        sa.Column(
            "is_paid",
            sa.Boolean(),
            nullable=False,
            comment="True when the channel costs money per visit or conversion (its spend counts toward CAC).",
        ),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_marketing_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_marketing_channels_name")),
        schema="core",
        comment="One row per marketing (acquisition) channel: where customers and sessions come from. Not the sales channel of an order (see core.orders.channel).",
    )
    op.create_table(
        "load_runs",
        sa.Column(
            "load_run_id",
            sa.BigInteger(),
            sa.Identity(always=False),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column("kind", sa.Text(), nullable=False, comment="What loaded data: seed, import."),
        sa.Column(
            "source",
            sa.Text(),
            nullable=True,
            comment="The file imported, or the generator's name and version.",
        ),
        sa.Column(
            "params",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="Options of the run; for a seed also the true parameters of the simulation.",
        ),
        sa.Column(
            "row_counts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="Rows written per table (and rejected, for imports).",
        ),
        sa.Column(
            "status",
            sa.Text(),
            server_default=sa.text("'running'"),
            nullable=False,
            comment="running, succeeded or failed.",
        ),
        sa.Column("error", sa.Text(), nullable=True, comment="Why a failed run failed."),
        sa.Column(
            "started_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="When the run started.",
        ),
        sa.Column(
            "finished_at",
            postgresql.TIMESTAMP(timezone=True),
            nullable=True,
            comment="When the run ended; null while it runs.",
        ),
        sa.CheckConstraint("kind in ('seed', 'import')", name=op.f("ck_load_runs_kind_known")),
        sa.CheckConstraint(
            "status in ('running', 'succeeded', 'failed')", name=op.f("ck_load_runs_status_known")
        ),
        sa.CheckConstraint(
            "finished_at is null or finished_at >= started_at",
            name=op.f("ck_load_runs_finish_after_start"),
        ),
        sa.PrimaryKeyConstraint("load_run_id", name=op.f("pk_load_runs")),
        schema="ops",
        comment="One row per seed or import run, whether it succeeded or failed.",
    )
    op.create_table(
        "customers",
        sa.Column(
            "customer_id",
            sa.BigInteger(),
            sa.Identity(always=False),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "external_id",
            sa.Text(),
            nullable=True,
            comment="The customer's id in the source system, for imported data; null for generated customers.",
        ),
        sa.Column(
            "email",
            sa.Text(),
            nullable=True,
            comment="E-mail address; unique regardless of case. Null when the source has none.",
        ),
        sa.Column("first_name", sa.Text(), nullable=True, comment="Given name."),
        sa.Column("last_name", sa.Text(), nullable=True, comment="Family name."),
        sa.Column(
            "country_code",
            sa.String(length=2),
            nullable=True,
            comment="Country of residence (ISO alpha-2); null when unknown.",
        ),
        sa.Column("city", sa.Text(), nullable=True, comment="City of residence."),
        sa.Column(
            "signup_at",
            postgresql.TIMESTAMP(timezone=True),
            nullable=False,
            comment="When the customer registered (for imported data: their first order).",
        ),
        sa.Column(
            "acquisition_channel",
            sa.Text(),
            server_default=sa.text("'unknown'"),
            nullable=False,
            comment="Marketing channel that brought the customer.",
        ),
        sa.CheckConstraint("email like '%%_@_%%'", name=op.f("ck_customers_email_has_at")),
        sa.ForeignKeyConstraint(
            ["acquisition_channel"],
            ["core.marketing_channels.channel"],
            name=op.f("fk_customers_acquisition_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["core.countries.country_code"],
            name=op.f("fk_customers_country_code"),
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customers")),
        sa.UniqueConstraint("external_id", name=op.f("uq_customers_external_id")),
        schema="core",
        comment="One row per customer. Personal data: not readable by the BI reader role.",
    )
    op.create_index(
        op.f("ix_customers_country_code"),
        "customers",
        ["country_code"],
        unique=False,
        schema="core",
    )
    op.create_index(
        "uq_customers_email_lower",
        "customers",
        [sa.literal_column("lower(email)")],
        unique=True,
        schema="core",
    )
    op.create_table(
        "marketing_spend",
        sa.Column("spend_date", sa.Date(), nullable=False, comment="Calendar day of the spend."),
        sa.Column("channel", sa.Text(), nullable=False, comment="Marketing channel."),
        sa.Column(
            "country_code",
            sa.String(length=2),
            nullable=False,
            comment="Country the spend targeted.",
        ),
        sa.Column(
            "amount",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Money spent that day.",
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_marketing_spend_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["channel"],
            ["core.marketing_channels.channel"],
            name=op.f("fk_marketing_spend_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["core.countries.country_code"],
            name=op.f("fk_marketing_spend_country_code"),
        ),
        sa.PrimaryKeyConstraint(
            "spend_date", "channel", "country_code", name=op.f("pk_marketing_spend")
        ),
        schema="core",
        comment="One row per day, marketing channel and country: advertising spend (for CAC, ROAS).",
    )
    op.create_table(
        "products",
        sa.Column(
            "product_id",
            sa.Integer(),
            sa.Identity(always=False),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "sku",
            sa.Text(),
            nullable=False,
            comment="Stock keeping unit: the natural key that imports match on.",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Product name."),
        sa.Column(
            "category_id",
            sa.Integer(),
            nullable=False,
            comment="Most specific category of the product.",
        ),
        sa.Column("brand", sa.Text(), nullable=True, comment="Brand name; null when unknown."),
        sa.Column(
            "list_price",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Current list price per unit.",
        ),
        sa.Column(
            "unit_cost",
            sa.Numeric(precision=12, scale=2),
            nullable=True,
            comment="Current cost per unit; null when unknown. What an order line cost is in core.order_items.unit_cost.",
        ),
        sa.Column(
            "launched_at",
            postgresql.TIMESTAMP(timezone=True),
            nullable=False,
            comment="When the product became available (for imported data: its first sale).",
        ),
        sa.Column(
            "is_active",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
            comment="False once the product is discontinued.",
        ),
        sa.CheckConstraint("list_price >= 0", name=op.f("ck_products_list_price_not_negative")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_products_unit_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["core.categories.category_id"], name=op.f("fk_products_category_id")
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
        schema="core",
        comment="One row per product (SKU).",
    )
    op.create_index(
        op.f("ix_products_category_id"), "products", ["category_id"], unique=False, schema="core"
    )
    op.create_table(
        "web_traffic",
        sa.Column(
            "traffic_date", sa.Date(), nullable=False, comment="Calendar day of the sessions."
        ),
        sa.Column(
            "channel",
            sa.Text(),
            nullable=False,
            comment="Marketing channel the sessions came from.",
        ),
        sa.Column(
            "device", sa.Text(), nullable=False, comment="Device class: desktop, mobile, tablet."
        ),
        sa.Column(
            "country_code", sa.String(length=2), nullable=False, comment="Visitor's country."
        ),
        sa.Column("sessions", sa.Integer(), nullable=False, comment="Number of sessions (visits)."),
        sa.CheckConstraint(
            "device in ('desktop', 'mobile', 'tablet')", name=op.f("ck_web_traffic_device_known")
        ),
        sa.CheckConstraint("sessions >= 0", name=op.f("ck_web_traffic_sessions_not_negative")),
        sa.ForeignKeyConstraint(
            ["channel"], ["core.marketing_channels.channel"], name=op.f("fk_web_traffic_channel")
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["core.countries.country_code"],
            name=op.f("fk_web_traffic_country_code"),
        ),
        sa.PrimaryKeyConstraint(
            "traffic_date", "channel", "device", "country_code", name=op.f("pk_web_traffic")
        ),
        schema="core",
        comment="One row per day, marketing channel, device and country: web and app sessions (for conversion rate).",
    )
    op.create_table(
        "orders",
        sa.Column(
            "order_id",
            sa.BigInteger(),
            sa.Identity(always=False),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "external_id",
            sa.Text(),
            nullable=True,
            comment="Order number in the source system, for imported data; null for generated orders.",
        ),
        sa.Column("customer_id", sa.BigInteger(), nullable=False, comment="Who placed the order."),
        sa.Column(
            "ordered_at",
            postgresql.TIMESTAMP(timezone=True),
            nullable=False,
            comment="When the order was placed.",
        ),
        sa.Column(
            "status",
            sa.Text(),
            nullable=False,
            comment="Lifecycle state: placed, shipped, completed, cancelled, returned. Cancelled orders count in no sales metric.",
        ),
        sa.Column(
            "channel",
            sa.Text(),
            nullable=False,
            comment="Sales channel: web, mobile_app, marketplace, social.",
        ),
        sa.Column(
            "payment_method",
            sa.Text(),
            nullable=True,
            comment="How the order was paid; null when unknown.",
        ),
        sa.Column(
            "shipping_country_code",
            sa.String(length=2),
            nullable=True,
            comment="Country the order ships to (ISO alpha-2).",
        ),
        sa.Column("shipping_city", sa.Text(), nullable=True, comment="City the order ships to."),
        sa.Column(
            "shipping_fee",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
            comment="Shipping charged to the customer; reported apart from revenue.",
        ),
        sa.Column(
            "discount_amount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
            comment="Order-level discount (vouchers, promotions), on top of line discounts.",
        ),
        sa.CheckConstraint(
            "channel in ('web', 'mobile_app', 'marketplace', 'social')",
            name=op.f("ck_orders_channel_known"),
        ),
        sa.CheckConstraint(
            "payment_method in ('card', 'paypal', 'apple_pay', 'google_pay', 'bank_transfer', 'cash_on_delivery', 'gift_card', 'other')",
            name=op.f("ck_orders_payment_method_known"),
        ),
        sa.CheckConstraint(
            "status in ('placed', 'shipped', 'completed', 'cancelled', 'returned')",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint("discount_amount >= 0", name=op.f("ck_orders_discount_not_negative")),
        sa.CheckConstraint("shipping_fee >= 0", name=op.f("ck_orders_shipping_fee_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["core.customers.customer_id"], name=op.f("fk_orders_customer_id")
        ),
        sa.ForeignKeyConstraint(
            ["shipping_country_code"],
            ["core.countries.country_code"],
            name=op.f("fk_orders_shipping_country_code"),
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_orders")),
        sa.UniqueConstraint("external_id", name=op.f("uq_orders_external_id")),
        schema="core",
        comment="One row per order (a checkout), whatever its status.",
    )
    op.create_index(
        op.f("ix_orders_customer_id_ordered_at"),
        "orders",
        ["customer_id", "ordered_at"],
        unique=False,
        schema="core",
    )
    op.create_index(
        op.f("ix_orders_ordered_at"), "orders", ["ordered_at"], unique=False, schema="core"
    )
    op.create_table(
        "order_items",
        sa.Column(
            "order_id", sa.BigInteger(), nullable=False, comment="Order the line belongs to."
        ),
        sa.Column(
            "line_number",
            sa.SmallInteger(),
            nullable=False,
            comment="Position of the line in the order, from 1.",
        ),
        sa.Column("product_id", sa.Integer(), nullable=False, comment="Product sold."),
        sa.Column("quantity", sa.Integer(), nullable=False, comment="Units ordered."),
        sa.Column(
            "unit_price",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Price per unit charged, before discounts.",
        ),
        sa.Column(
            "unit_cost",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Cost per unit at the time of the sale.",
        ),
        sa.Column(
            "discount_amount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
            comment="Line discount, in money (not per unit).",
        ),
        sa.Column(
            "returned_quantity",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="Units returned (0 to quantity).",
        ),
        sa.Column(
            "refund_amount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
            comment="Money refunded for this line (returns and partial refunds).",
        ),
        sa.CheckConstraint(
            "discount_amount >= 0", name=op.f("ck_order_items_discount_not_negative")
        ),
        sa.CheckConstraint(
            "discount_amount <= greatest(quantity * unit_price, 0)",
            name=op.f("ck_order_items_discount_within_line"),
        ),
        sa.CheckConstraint("line_number > 0", name=op.f("ck_order_items_line_number_positive")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_items_quantity_positive")),
        sa.CheckConstraint("refund_amount >= 0", name=op.f("ck_order_items_refund_not_negative")),
        sa.CheckConstraint(
            "returned_quantity between 0 and quantity",
            name=op.f("ck_order_items_returned_within_quantity"),
        ),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_order_items_unit_cost_not_negative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_order_items_unit_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["core.orders.order_id"],
            name=op.f("fk_order_items_order_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["core.products.product_id"], name=op.f("fk_order_items_product_id")
        ),
        sa.PrimaryKeyConstraint("order_id", "line_number", name=op.f("pk_order_items")),
        schema="core",
        comment="One row per order line: a product, its quantity and price, and what came back.",
    )
    op.create_index(
        op.f("ix_order_items_product_id"),
        "order_items",
        ["product_id"],
        unique=False,
        schema="core",
    )
    op.create_table(
        "reviews",
        sa.Column(
            "review_id",
            sa.BigInteger(),
            sa.Identity(always=False),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column("customer_id", sa.BigInteger(), nullable=False, comment="Who wrote the review."),
        sa.Column("product_id", sa.Integer(), nullable=False, comment="Product reviewed."),
        sa.Column(
            "order_id",
            sa.BigInteger(),
            nullable=True,
            comment="Order the product came with, when known.",
        ),
        sa.Column(
            "rating", sa.SmallInteger(), nullable=False, comment="Stars, 1 (worst) to 5 (best)."
        ),
        sa.Column(
            "reviewed_at",
            postgresql.TIMESTAMP(timezone=True),
            nullable=False,
            comment="When the review was written.",
        ),
        sa.Column("title", sa.Text(), nullable=True, comment="Headline of the review."),
        sa.Column("body", sa.Text(), nullable=True, comment="Text of the review."),
        sa.CheckConstraint("rating between 1 and 5", name=op.f("ck_reviews_rating_1_to_5")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["core.customers.customer_id"], name=op.f("fk_reviews_customer_id")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["core.orders.order_id"], name=op.f("fk_reviews_order_id")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["core.products.product_id"], name=op.f("fk_reviews_product_id")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_reviews")),
        schema="core",
        comment="One row per product review.",
    )
    op.create_index(
        op.f("ix_reviews_customer_id"), "reviews", ["customer_id"], unique=False, schema="core"
    )
    op.create_index(
        op.f("ix_reviews_order_id"), "reviews", ["order_id"], unique=False, schema="core"
    )
    op.create_index(
        op.f("ix_reviews_product_id"), "reviews", ["product_id"], unique=False, schema="core"
    )

    op.bulk_insert(
        sa.table(
            "marketing_channels",
            sa.column("channel"),
            sa.column("name"),
            sa.column("is_paid"),
            schema="core",
        ),
        [{"channel": c, "name": n, "is_paid": p} for c, n, p in MARKETING_CHANNELS],
    )
    op.bulk_insert(
        sa.table("countries", *(sa.column(col) for col in COUNTRY_COLUMNS), schema="core"),
        _countries(),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reviews_product_id"), table_name="reviews", schema="core")
    op.drop_index(op.f("ix_reviews_order_id"), table_name="reviews", schema="core")
    op.drop_index(op.f("ix_reviews_customer_id"), table_name="reviews", schema="core")
    op.drop_table("reviews", schema="core")
    op.drop_index(op.f("ix_order_items_product_id"), table_name="order_items", schema="core")
    op.drop_table("order_items", schema="core")
    op.drop_index(op.f("ix_orders_ordered_at"), table_name="orders", schema="core")
    op.drop_index(op.f("ix_orders_customer_id_ordered_at"), table_name="orders", schema="core")
    op.drop_table("orders", schema="core")
    op.drop_table("web_traffic", schema="core")
    op.drop_index(op.f("ix_products_category_id"), table_name="products", schema="core")
    op.drop_table("products", schema="core")
    op.drop_table("marketing_spend", schema="core")
    op.drop_index("uq_customers_email_lower", table_name="customers", schema="core")
    op.drop_index(op.f("ix_customers_country_code"), table_name="customers", schema="core")
    op.drop_table("customers", schema="core")
    op.drop_table("load_runs", schema="ops")
    op.drop_table("marketing_channels", schema="core")
    op.drop_table("countries", schema="core")
    op.drop_index(op.f("ix_categories_parent_category_id"), table_name="categories", schema="core")
    op.drop_table("categories", schema="core")
    # Not cascade: a schema holding objects salesdw did not create is left for the user.
    for schema in reversed(SCHEMAS):
        op.execute(sa.text(f"drop schema if exists {schema}"))
