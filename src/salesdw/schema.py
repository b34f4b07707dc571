"""The warehouse's tables, declared once as SQLAlchemy Core metadata.

Migrations create these tables (with a frozen copy of their definition); `alembic check` compares
this metadata with the database, so a difference between code and schema fails the tests.
Money is `numeric(12, 2)` in the store's currency; timestamps are `timestamptz`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP

__all__ = [
    "ANALYTICS_SCHEMAS",
    "ORDER_CHANNELS",
    "ORDER_STATUSES",
    "REJECT_REASONS",
    "SCHEMAS",
    "metadata",
]

#: Every schema salesdw owns, with the comment the first migration puts on it.
SCHEMAS: dict[str, str] = {
    "core": "Normalized sales data: customers, products, orders and what surrounds them. "
    "Written by the generator and the importer; holds personal data.",
    "staging": "Raw rows of imported files before validation, and the rows rejected.",
    "analytics": "Documented views for analysts and BI tools; safe to share.",
    "ml": "Outputs of the predictive models (forecasts, scores, segments) and their runs.",
    "ops": "Operational bookkeeping: load runs and refresh logs.",
    "mart": "Materialized data behind the analytics views; query analytics, not mart.",
}
ANALYTICS_SCHEMAS = ("analytics", "ml")

ORDER_STATUSES = ("placed", "shipped", "completed", "cancelled", "returned")
ORDER_CHANNELS = ("web", "mobile_app", "marketplace", "social")
PAYMENT_METHODS = (
    "card",
    "paypal",
    "apple_pay",
    "google_pay",
    "bank_transfer",
    "cash_on_delivery",
    "gift_card",
    "other",
)
DEVICES = ("desktop", "mobile", "tablet")
LOAD_KINDS = ("seed", "import")
#: Why the importer rejects a row (staging.rejected_rows.reason); salesdw.load.validate says
#: what each one means.
REJECT_REASONS = (
    "malformed_line",
    "field_too_long",
    "duplicate_row",
    "missing_customer",
    "missing_order_id",
    "bad_date",
    "date_out_of_range",
    "bad_quantity",
    "zero_quantity",
    "bad_price",
    "negative_price",
    "bad_amount",
    "bad_discount",
    "out_of_range",
    "unknown_country",
    "unknown_status",
    "other_currency",
    "order_customer_conflict",
    "order_too_long",
    "return_without_sale",
)
LOAD_STATUSES = ("running", "succeeded", "failed")

# Stable constraint names, so migrations and `alembic check` agree on them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Money = Numeric(12, 2)
Timestamp = TIMESTAMP(timezone=True)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


countries = Table(
    "countries",
    metadata,
    Column("country_code", String(2), primary_key=True, comment="ISO 3166-1 alpha-2 code."),
    Column("iso_alpha3", String(3), nullable=False, unique=True, comment="ISO 3166-1 alpha-3 "
           "code (what choropleth maps use)."),
    Column("name", Text, nullable=False, unique=True, comment="Common English name."),
    Column("region", Text, nullable=False, comment="Continent (UN M49 region), e.g. Europe."),
    Column("subregion", Text, nullable=False, comment="UN M49 sub-region, e.g. Western Europe."),
    Column("currency_code", String(3), nullable=True, comment="ISO 4217 code of the legal tender "
           "(null where there is none, e.g. Antarctica)."),
    CheckConstraint("country_code ~ '^[A-Z]{2}$'", name="alpha2_format"),
    CheckConstraint("iso_alpha3 ~ '^[A-Z]{3}$'", name="alpha3_format"),
    schema="core",
    comment="One row per country or territory of ISO 3166-1, loaded from seeds/countries.csv.",
)  # fmt: skip

marketing_channels = Table(
    "marketing_channels",
    metadata,
    Column("channel", Text, primary_key=True, comment="Channel code, e.g. paid_search."),
    Column("name", Text, nullable=False, unique=True, comment="Display name."),
    Column("is_paid", Boolean, nullable=False, comment="True when the channel costs money per "
           "visit or conversion (its spend counts toward CAC)."),
    schema="core",
    comment="One row per marketing (acquisition) channel: where customers and sessions come "
    "from. Not the sales channel of an order (see core.orders.channel).",
)  # fmt: skip

customers = Table(
    "customers",
    metadata,
    Column("customer_id", BigInteger, Identity(), primary_key=True, comment="Surrogate key."),
    Column("external_id", Text, nullable=True, unique=True, comment="The customer's id in the "
           "source system, for imported data; null for generated customers."),
    Column("email", Text, nullable=True, comment="E-mail address; unique regardless of case. "
           "Null when the source has none."),
    Column("first_name", Text, nullable=True, comment="Given name."),
    Column("last_name", Text, nullable=True, comment="Family name."),
    Column("country_code", String(2), ForeignKey("core.countries.country_code"), nullable=True,
           comment="Country of residence (ISO alpha-2); null when unknown."),
    Column("city", Text, nullable=True, comment="City of residence."),
    Column("signup_at", Timestamp, nullable=False, comment="When the customer registered (for "
           "imported data: their first order)."),
    Column("acquisition_channel", Text, ForeignKey("core.marketing_channels.channel"),
           nullable=False, server_default=text("'unknown'"),
           comment="Marketing channel that brought the customer."),
    CheckConstraint("email like '%_@_%'", name="email_has_at"),
    Index(None, "country_code"),
    schema="core",
    comment="One row per customer. Personal data: not readable by the BI reader role.",
)  # fmt: skip
# Case-insensitive uniqueness: Ann@x.com and ann@x.com are one customer.
Index("uq_customers_email_lower", func.lower(customers.c.email), unique=True)

categories = Table(
    "categories",
    metadata,
    Column("category_id", Integer, Identity(), primary_key=True, comment="Surrogate key."),
    Column("parent_category_id", Integer, ForeignKey("core.categories.category_id"),
           nullable=True, comment="Parent in the category tree; null for a top-level category."),
    Column("name", Text, nullable=False, comment="Category name, unique among its siblings."),
    CheckConstraint("parent_category_id <> category_id", name="not_own_parent"),
    UniqueConstraint("parent_category_id", "name", postgresql_nulls_not_distinct=True),
    Index(None, "parent_category_id"),
    schema="core",
    comment="One row per product category; parent links form a tree (top level has no parent).",
)  # fmt: skip

products = Table(
    "products",
    metadata,
    Column("product_id", Integer, Identity(), primary_key=True, comment="Surrogate key."),
    Column("sku", Text, nullable=False, unique=True, comment="Stock keeping unit: the natural "
           "key that imports match on."),
    Column("name", Text, nullable=False, comment="Product name."),
    Column("category_id", Integer, ForeignKey("core.categories.category_id"), nullable=False,
           comment="Most specific category of the product."),
    Column("brand", Text, nullable=True, comment="Brand name; null when unknown."),
    Column("list_price", Money, nullable=False, comment="Current list price per unit."),
    Column("unit_cost", Money, nullable=True, comment="Current cost per unit; null when "
           "unknown. What an order line cost is in core.order_items.unit_cost."),
    Column("launched_at", Timestamp, nullable=False, comment="When the product became "
           "available (for imported data: its first sale)."),
    Column("is_active", Boolean, nullable=False, server_default=text("true"),
           comment="False once the product is discontinued."),
    CheckConstraint("list_price >= 0", name="list_price_not_negative"),
    CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    Index(None, "category_id"),
    schema="core",
    comment="One row per product (SKU).",
)  # fmt: skip

orders = Table(
    "orders",
    metadata,
    Column("order_id", BigInteger, Identity(), primary_key=True, comment="Surrogate key."),
    Column("external_id", Text, nullable=True, unique=True, comment="Order number in the "
           "source system, for imported data; null for generated orders."),
    Column("customer_id", BigInteger, ForeignKey("core.customers.customer_id"), nullable=False,
           comment="Who placed the order."),
    Column("ordered_at", Timestamp, nullable=False, comment="When the order was placed."),
    Column("status", Text, nullable=False, comment="Lifecycle state: " + ", ".join(ORDER_STATUSES)
           + ". Cancelled orders count in no sales metric."),
    Column("channel", Text, nullable=False, comment="Sales channel: " + ", ".join(ORDER_CHANNELS)
           + "."),
    Column("payment_method", Text, nullable=True, comment="How the order was paid; null when "
           "unknown."),
    Column("shipping_country_code", String(2), ForeignKey("core.countries.country_code"),
           nullable=True, comment="Country the order ships to (ISO alpha-2)."),
    Column("shipping_city", Text, nullable=True, comment="City the order ships to."),
    Column("shipping_fee", Money, nullable=False, server_default=text("0"), comment="Shipping "
           "charged to the customer; reported apart from revenue."),
    Column("discount_amount", Money, nullable=False, server_default=text("0"), comment="Order-"
           "level discount (vouchers, promotions), on top of line discounts."),
    CheckConstraint(_one_of("status", ORDER_STATUSES), name="status_known"),
    CheckConstraint(_one_of("channel", ORDER_CHANNELS), name="channel_known"),
    CheckConstraint(_one_of("payment_method", PAYMENT_METHODS), name="payment_method_known"),
    CheckConstraint("shipping_fee >= 0", name="shipping_fee_not_negative"),
    CheckConstraint("discount_amount >= 0", name="discount_not_negative"),
    Index(None, "customer_id", "ordered_at"),
    Index(None, "ordered_at"),
    schema="core",
    comment="One row per order (a checkout), whatever its status.",
)  # fmt: skip

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", BigInteger, ForeignKey("core.orders.order_id", ondelete="CASCADE"),
           nullable=False, comment="Order the line belongs to."),
    Column("line_number", SmallInteger, nullable=False, comment="Position of the line in the "
           "order, from 1."),
    Column("product_id", Integer, ForeignKey("core.products.product_id"), nullable=False,
           comment="Product sold."),
    Column("quantity", Integer, nullable=False, comment="Units ordered."),
    Column("unit_price", Money, nullable=False, comment="Price per unit charged, before "
           "discounts."),
    Column("unit_cost", Money, nullable=False, comment="Cost per unit at the time of the sale."),
    Column("discount_amount", Money, nullable=False, server_default=text("0"), comment="Line "
           "discount, in money (not per unit)."),
    Column("returned_quantity", Integer, nullable=False, server_default=text("0"),
           comment="Units returned (0 to quantity)."),
    Column("refund_amount", Money, nullable=False, server_default=text("0"), comment="Money "
           "refunded for this line (returns and partial refunds)."),
    PrimaryKeyConstraint("order_id", "line_number"),
    CheckConstraint("line_number > 0", name="line_number_positive"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    CheckConstraint("discount_amount >= 0", name="discount_not_negative"),
    # greatest(): a bad quantity or price trips its own constraint, not this one too.
    CheckConstraint("discount_amount <= greatest(quantity * unit_price, 0)",
                    name="discount_within_line"),
    CheckConstraint("returned_quantity between 0 and quantity", name="returned_within_quantity"),
    CheckConstraint("refund_amount >= 0", name="refund_not_negative"),
    Index(None, "product_id"),
    schema="core",
    comment="One row per order line: a product, its quantity and price, and what came back.",
)  # fmt: skip

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", BigInteger, Identity(), primary_key=True, comment="Surrogate key."),
    Column("customer_id", BigInteger, ForeignKey("core.customers.customer_id"), nullable=False,
           comment="Who wrote the review."),
    Column("product_id", Integer, ForeignKey("core.products.product_id"), nullable=False,
           comment="Product reviewed."),
    Column("order_id", BigInteger, ForeignKey("core.orders.order_id"), nullable=True,
           comment="Order the product came with, when known."),
    Column("rating", SmallInteger, nullable=False, comment="Stars, 1 (worst) to 5 (best)."),
    Column("reviewed_at", Timestamp, nullable=False, comment="When the review was written."),
    Column("title", Text, nullable=True, comment="Headline of the review."),
    Column("body", Text, nullable=True, comment="Text of the review."),
    CheckConstraint("rating between 1 and 5", name="rating_1_to_5"),
    Index(None, "product_id"),
    Index(None, "customer_id"),
    Index(None, "order_id"),
    schema="core",
    comment="One row per product review.",
)  # fmt: skip

marketing_spend = Table(
    "marketing_spend",
    metadata,
    Column("spend_date", Date, nullable=False, comment="Calendar day of the spend."),
    Column("channel", Text, ForeignKey("core.marketing_channels.channel"), nullable=False,
           comment="Marketing channel."),
    Column("country_code", String(2), ForeignKey("core.countries.country_code"), nullable=False,
           comment="Country the spend targeted."),
    Column("amount", Money, nullable=False, comment="Money spent that day."),
    PrimaryKeyConstraint("spend_date", "channel", "country_code"),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
    schema="core",
    comment="One row per day, marketing channel and country: advertising spend (for CAC, ROAS).",
)  # fmt: skip

web_traffic = Table(
    "web_traffic",
    metadata,
    Column("traffic_date", Date, nullable=False, comment="Calendar day of the sessions."),
    Column("channel", Text, ForeignKey("core.marketing_channels.channel"), nullable=False,
           comment="Marketing channel the sessions came from."),
    Column("device", Text, nullable=False, comment="Device class: " + ", ".join(DEVICES) + "."),
    Column("country_code", String(2), ForeignKey("core.countries.country_code"), nullable=False,
           comment="Visitor's country."),
    Column("sessions", Integer, nullable=False, comment="Number of sessions (visits)."),
    PrimaryKeyConstraint("traffic_date", "channel", "device", "country_code"),
    CheckConstraint(_one_of("device", DEVICES), name="device_known"),
    CheckConstraint("sessions >= 0", name="sessions_not_negative"),
    schema="core",
    comment="One row per day, marketing channel, device and country: web and app sessions "
    "(for conversion rate).",
)  # fmt: skip

load_runs = Table(
    "load_runs",
    metadata,
    Column("load_run_id", BigInteger, Identity(), primary_key=True, comment="Surrogate key."),
    Column("kind", Text, nullable=False, comment="What loaded data: " + ", ".join(LOAD_KINDS)
           + "."),
    Column("source", Text, nullable=True, comment="The file imported, or the generator's "
           "name and version."),
    Column("params", JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="Options "
           "of the run; for a seed also the true parameters of the simulation."),
    Column("row_counts", JSONB, nullable=False, server_default=text("'{}'::jsonb"),
           comment="Rows written per table (and rejected, for imports)."),
    Column("status", Text, nullable=False, server_default=text("'running'"),
           comment="running, succeeded or failed."),
    Column("error", Text, nullable=True, comment="Why a failed run failed."),
    Column("started_at", Timestamp, nullable=False, server_default=func.now(),
           comment="When the run started."),
    Column("finished_at", Timestamp, nullable=True, comment="When the run ended; null while it "
           "runs."),
    CheckConstraint(_one_of("kind", LOAD_KINDS), name="kind_known"),
    CheckConstraint(_one_of("status", LOAD_STATUSES), name="status_known"),
    CheckConstraint("finished_at is null or finished_at >= started_at", name="finish_after_start"),
    schema="ops",
    comment="One row per seed or import run, whether it succeeded or failed.",
)  # fmt: skip

refresh_log = Table(
    "refresh_log",
    metadata,
    Column("refresh_id", BigInteger, Identity(), primary_key=True, comment="Surrogate key."),
    Column("view_name", Text, nullable=False, comment="Materialized view refreshed (in mart)."),
    Column("started_at", Timestamp, nullable=False, server_default=func.now(),
           comment="When the refresh started."),
    Column("finished_at", Timestamp, nullable=True, comment="When it ended."),
    Column("duration_ms", Integer, nullable=True, comment="How long it took, in milliseconds."),
    Column("row_count", BigInteger, nullable=True, comment="Rows in the view afterwards."),
    Column("is_rebuilt_beside", Boolean, nullable=False, comment="True when the view was "
           "rebuilt beside the one readers use and swapped in (they kept reading the previous "
           "data); false for an internal view refreshed in place."),
    Column("status", Text, nullable=False, comment="succeeded or failed."),
    Column("error", Text, nullable=True, comment="Why a failed refresh failed."),
    Column("data_through", Timestamp, nullable=True, comment="Latest order time the view "
           "covers (the newest order of the order_facts it was built from); null for views "
           "that read no orders."),
    CheckConstraint("status in ('succeeded', 'failed')", name="status_known"),
    Index(None, "view_name", "finished_at"),
    schema="ops",
    comment="One row per refresh of a materialized analytics view.",
)  # fmt: skip

rfm_segment_map = Table(
    "rfm_segment_map",
    metadata,
    Column("r_score", SmallInteger, nullable=False, comment="Recency score 1-5."),
    Column("f_score", SmallInteger, nullable=False, comment="Frequency score 1-5."),
    Column("m_score", SmallInteger, nullable=False, comment="Monetary score 1-5."),
    Column("segment", Text, nullable=False, comment="Segment name."),
    Column("description", Text, nullable=False, comment="Who the segment's customers are."),
    Column("suggested_action", Text, nullable=False, comment="What to do for them."),
    PrimaryKeyConstraint("r_score", "f_score", "m_score"),
    CheckConstraint("r_score between 1 and 5 and f_score between 1 and 5 "
                    "and m_score between 1 and 5", name="scores_1_to_5"),
    schema="mart",
    comment="One row per (R, F, M) combination: its segment. Loaded from seeds/rfm_segments.csv "
    "by salesdw refresh.",
)  # fmt: skip

import_rows = Table(
    "import_rows",
    metadata,
    Column("load_run_id", BigInteger, nullable=False, comment="The import that read the row "
           "(ops.load_runs; no foreign key, so COPY checks nothing per row)."),
    Column("line_number", BigInteger, nullable=False, comment="Record number in the file, the "
           "header counting as 1 (a quoted field spanning lines counts once); spreadsheet row "
           "for Excel; row from 1 for Parquet."),
    Column("order_key", Text, nullable=False, comment="Order number in the file, or "
           "'<customer>/<day>' when the file has none (one order per customer and day)."),
    Column("line_position", Integer, nullable=False, comment="Position of the row among the "
           "order's sale rows (its core.order_items.line_number), or among its return rows."),
    Column("is_return", Boolean, nullable=False, comment="True for a return: a negative "
           "quantity or amount, or a line of an invoice with a cancellation prefix."),
    Column("customer_key", Text, nullable=False, comment="Customer id in the file, or the "
           "lower-case e-mail when there is no id (core.customers.external_id)."),
    Column("email", Text, nullable=True, comment="E-mail address, when valid."),
    Column("first_name", Text, nullable=True, comment="Customer's given name."),
    Column("last_name", Text, nullable=True, comment="Customer's family name."),
    Column("country_code", String(2), nullable=True, comment="Country resolved to ISO alpha-2; "
           "null when the file has none."),
    Column("city", Text, nullable=True, comment="City."),
    Column("sku", Text, nullable=False, comment="Product code; the product name when there is "
           "no code; UNSPECIFIED when the file has neither."),
    Column("product_name", Text, nullable=True, comment="Product name."),
    Column("category", Text, nullable=True, comment="Top-level category name."),
    Column("subcategory", Text, nullable=True, comment="Subcategory name."),
    Column("brand", Text, nullable=True, comment="Brand."),
    Column("ordered_at", Timestamp, nullable=False, comment="When the order (or the return) "
           "was placed; naive times read in the import's time zone."),
    Column("quantity", Integer, nullable=False, comment="Units, always positive (a return's "
           "units returned)."),
    Column("unit_price", Money, nullable=False, comment="Price per unit; derived from the line "
           "amount when the file has no price."),
    Column("unit_cost", Money, nullable=True, comment="Cost per unit; null when unknown."),
    Column("discount_amount", Money, nullable=False, comment="Line discount in money (with a "
           "derived price: what rounding the price up to the cent added)."),
    Column("returned_quantity", Integer, nullable=False, comment="Units returned on this sale "
           "line, from a status or returned-quantity column (returns matched later add to it)."),
    Column("refund_amount", Money, nullable=False, comment="Money refunded on this line (for a "
           "return row: the money the return refunds)."),
    Column("status", Text, nullable=False, comment="Order status, mapped to core's: "
           + ", ".join(ORDER_STATUSES) + "."),
    Column("channel", Text, nullable=False, comment="Sales channel, mapped to core's: "
           + ", ".join(ORDER_CHANNELS) + "."),
    Column("raw_values", JSONB, nullable=True, comment="The row as read, for return rows only "
           "(a return that matches no sale is moved to rejected_rows with it)."),
    schema="staging",
    prefixes=["UNLOGGED"],  # migration 0012: it holds nothing a committed import still needs
    comment="One row per line of the latest import (salesdw import) that passed the row "
    "checks, typed and normalised, before the upsert into core. Emptied when the next import "
    "starts.",
)  # fmt: skip

rejected_rows = Table(
    "rejected_rows",
    metadata,
    Column("load_run_id", BigInteger, ForeignKey("ops.load_runs.load_run_id", ondelete="CASCADE"),
           nullable=False, comment="The import that rejected the row (ops.load_runs)."),
    Column("file_name", Text, nullable=False, comment="Name of the file imported (without its "
           "folder)."),
    Column("line_number", BigInteger, nullable=False, comment="Record number in the file, the "
           "header counting as 1; spreadsheet row for Excel; row from 1 for Parquet."),
    Column("reason", Text, nullable=False, comment="Why it was rejected: "
           + ", ".join(REJECT_REASONS) + "."),
    Column("detail", Text, nullable=True, comment="What exactly was wrong, e.g. the value "
           "that did not parse."),
    Column("raw_values", JSONB, nullable=False, comment="The row as read: column name (or "
           "position) to value, as text."),
    PrimaryKeyConstraint("load_run_id", "line_number"),
    CheckConstraint(_one_of("reason", REJECT_REASONS), name="reason_known"),
    schema="staging",
    comment="One row per line an import rejected, with the reason and the values as read: "
    "accepted + rejected = rows read, for every import.",
)  # fmt: skip

applied_returns = Table(
    "applied_returns",
    metadata,
    Column("return_key", Text, primary_key=True, comment="The return line in its file: "
           "'<order key>#<position among the order's returns>'."),
    Column("order_external_id", Text, nullable=False, comment="Sale order it was applied to "
           "(core.orders.external_id)."),
    Column("line_number", SmallInteger, nullable=False, comment="Sale line it was applied to "
           "(core.order_items.line_number)."),
    Column("returned_quantity", Integer, nullable=False, comment="Units it returns."),
    Column("refund_amount", Money, nullable=False, comment="Money it refunds."),
    Column("returned_at", Timestamp, nullable=False, comment="When the return was made."),
    Column("load_run_id", BigInteger, ForeignKey("ops.load_runs.load_run_id"), nullable=False,
           comment="The import that last wrote it (ops.load_runs)."),
    CheckConstraint("returned_quantity > 0", name="returned_quantity_positive"),
    CheckConstraint("refund_amount >= 0", name="refund_not_negative"),
    Index(None, "order_external_id", "line_number"),
    schema="staging",
    comment="One row per imported return line (negative quantity, cancellation invoice) and "
    "the sale line it was applied to: a sale line's returned quantity and refund are its own "
    "plus these rows', so importing a file again applies no return twice.",
)  # fmt: skip
