"""`salesdw seed`: generate the history and load it into core, all in one transaction.

Everything random comes from numpy generators seeded with (seed, stream, chunk), and chunks have
a fixed size, so the same options give byte-identical tables. Memory stays bounded: the order
skeleton (a few numbers per order) is held whole; lines, reviews and their CSV are built and
loaded a chunk at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from salesdw import __version__
from salesdw.db import bulk, load_runs
from salesdw.errors import SalesdwError
from salesdw.generate import marketing
from salesdw.generate.behaviour import Customers, draw_customers, draw_orders
from salesdw.generate.calendar import build_calendar
from salesdw.generate.catalog import Catalog, build_catalog
from salesdw.generate.options import SeedOptions
from salesdw.generate.orders import build_chunk
from salesdw.generate.people import (
    ACQUISITION_MIX,
    MARKETS,
    acquisition_channels,
    build_name_pools,
    market_weights,
)

LOAD_TABLES = [
    "core.categories", "core.products", "core.customers", "core.orders", "core.order_items",
    "core.reviews", "core.marketing_spend", "core.web_traffic",
]  # fmt: skip
CHUNK_ORDERS = 250_000  # fixed: part of what makes the output deterministic
COPY_SLICE = 250_000
_STREAMS = {"calendar": 1, "catalog": 2, "customers": 3, "names": 4, "orders": 5,
            "chunk": 6, "traffic": 7, "spend": 8}  # fmt: skip
_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (table, rows added, expected total or None); a name that is not a core table
announces a stage without rows (preparing, rebuilding keys)."""


class ImportedDataError(SalesdwError):
    exit_code = 2


class SchemaMissingError(SalesdwError):
    exit_code = 2


@dataclass
class SeedResult:
    load_run_id: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    total_seconds: float = 0.0


def _rng(options: SeedOptions, stream: str, index: int = 0) -> np.random.Generator:
    return np.random.default_rng([options.seed, _STREAMS[stream], index])


def check_can_seed(conn: psycopg.Connection, *, replace_all: bool) -> None:
    """Refuse to seed into a database without the schema, or over imported data."""
    exists = conn.execute("select to_regclass('core.orders') is not null").fetchone()[0]
    if not exists:
        raise SchemaMissingError(
            "the warehouse schema is missing; run `salesdw migrate` first (`make seed` does)"
        )
    if replace_all:
        return
    imported = conn.execute(
        """
        select exists (select 1 from core.orders where external_id is not null)
            or exists (select 1 from core.customers where external_id is not null)
            or coalesce((select max(started_at) from ops.load_runs
                         where kind = 'import' and status = 'succeeded'), '-infinity')
               > coalesce((select max(started_at) from ops.load_runs
                           where kind = 'seed' and status = 'succeeded'), '-infinity')
        """
    ).fetchone()[0]
    if imported:
        raise ImportedDataError(
            "the warehouse holds imported data, which seeding would replace; "
            "pass --replace-all to replace everything with synthetic data"
        )


def seed_warehouse(
    conninfo: str,
    options: SeedOptions,
    *,
    replace_all: bool = False,
    progress: ProgressCallback | None = None,
) -> SeedResult:
    """Generate and load; the previous data stays as it was if anything fails."""
    started = time.perf_counter()
    report = progress or (lambda table, rows, total: None)
    with psycopg.connect(conninfo, autocommit=True) as bookkeeping:
        check_can_seed(bookkeeping, replace_all=replace_all)
        run_id = load_runs.start_run(
            bookkeeping, "seed", f"salesdw {__version__} generator", options.as_dict()
        )
        try:
            with psycopg.connect(conninfo) as conn:
                result = _seed(conn, options, run_id, report, replace_all=replace_all)
                result.total_seconds = time.perf_counter() - started
                load_runs.finish_run(conn, run_id, result.rows, result.params)
                conn.commit()
        except BaseException as exc:
            reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
            load_runs.fail_run(bookkeeping, run_id, reason or type(exc).__name__)
            raise
    return result


def _seed(
    conn: psycopg.Connection, options: SeedOptions, run_id: int, report: ProgressCallback, *,
    replace_all: bool,
) -> SeedResult:  # fmt: skip
    result = SeedResult(run_id)
    timer = _Timer(result, report)
    # Writers wait from here on (readers do not), so no import can commit between this check
    # and the truncate below.
    conn.execute(f"lock table {', '.join(LOAD_TABLES)} in share row exclusive mode")
    check_can_seed(conn, replace_all=replace_all)

    with timer("prepare"):
        calendar = build_calendar(options.start_date, options.days, _rng(options, "calendar"),
                                  pure=options.pure_btyd)  # fmt: skip
        catalog = build_catalog(options.products, options.days, _rng(options, "catalog"))
        customers, true_params = draw_customers(
            options.customers, options.orders / options.customers, calendar,
            _rng(options, "customers"), pure=options.pure_btyd,
        )  # fmt: skip
        skeleton = draw_orders(customers, true_params, calendar, _rng(options, "orders"))
    result.params = {
        **options.as_dict(),
        "generator": f"salesdw {__version__}",
        "btyd": true_params.as_dict(),
        "anomalies": [
            {"date": a.day.isoformat(), "kind": a.kind, "factor": a.factor}
            for a in calendar.anomalies
        ],
        "seasonal_factors": calendar.seasonal_factors,
        "orders_generated": skeleton.size,
    }

    with timer("drop keys"):
        saved = bulk.save_and_drop_keys(conn, LOAD_TABLES)
        conn.execute(f"truncate {', '.join(LOAD_TABLES)}")
        # the imported returns' bookkeeping goes with the imported orders (--replace-all)
        if conn.execute("select to_regclass('staging.applied_returns')").fetchone()[0]:
            conn.execute("truncate staging.applied_returns")

    epoch_us = (options.start_date.toordinal() - _EPOCH_ORDINAL) * 86_400_000_000
    markets = np.array(list(MARKETS))

    with timer("core.categories"):
        _copy(conn, "core.categories", _categories_table(catalog), result, report)
    with timer("core.products"):
        _copy(conn, "core.products", _products_table(catalog, epoch_us), result, report)

    report("core.customers", 0, customers.size)
    with timer("core.customers"):
        customer_market, customer_city, customer_channel = _load_customers(
            conn, options, customers, epoch_us, result, report
        )

    days = options.days
    orders_by_day_market = np.zeros((days, len(markets)))
    next_review_id = 1
    report("core.orders", 0, skeleton.size)
    report("core.order_items", 0, int(skeleton.size * 2.45))  # an estimate, for the display
    for index, lo in enumerate(range(0, skeleton.size, CHUNK_ORDERS)):
        hi = min(lo + CHUNK_ORDERS, skeleton.size)
        built = time.perf_counter()
        chunk = build_chunk(
            skeleton, lo, hi, customer_market=customer_market, customer_city=customer_city,
            market_codes=markets, catalog=catalog, calendar=calendar, epoch_us=epoch_us,
            first_review_id=next_review_id, rng=_rng(options, "chunk", index),
        )  # fmt: skip
        build_seconds = time.perf_counter() - built
        rows = chunk.orders.num_rows + chunk.order_items.num_rows + chunk.reviews.num_rows
        for table, data in [("core.orders", chunk.orders), ("core.order_items", chunk.order_items),
                            ("core.reviews", chunk.reviews)]:  # fmt: skip
            result.seconds[table] = result.seconds.get(table, 0.0) + build_seconds * (
                data.num_rows / max(rows, 1)
            )
            with timer(table):
                _copy(conn, table, data, result, report)
        next_review_id += chunk.reviews.num_rows
        np.add.at(orders_by_day_market, (chunk.day, chunk.country), 1)

    start_ordinal = options.start_date.toordinal()
    with timer("core.web_traffic"):
        traffic = marketing.web_traffic(
            orders_by_day_market, markets, start_ordinal, _rng(options, "traffic")
        )
        _copy(conn, "core.web_traffic", traffic, result, report)
    with timer("core.marketing_spend"):
        new_customers = np.zeros((days, len(markets), len(ACQUISITION_MIX)))
        np.add.at(new_customers, (customers.first_day, customer_market, customer_channel), 1)
        spend = marketing.marketing_spend(new_customers, markets, start_ordinal,
                                          _rng(options, "spend"))  # fmt: skip
        _copy(conn, "core.marketing_spend", spend, result, report)

    with timer("rebuild keys"):
        bulk.restore_keys(conn, saved)
        bulk.reset_identities(conn, LOAD_TABLES)
    with timer("analyze"):
        conn.execute(f"analyze {', '.join(LOAD_TABLES)}")
    return result


class _Timer:
    """Adds the time spent in a `with timer(name)` block to result.seconds[name]."""

    def __init__(self, result: SeedResult, report: ProgressCallback) -> None:
        self.result, self.report = result, report

    def __call__(self, name: str) -> _Timer.Span:
        return _Timer.Span(self, name)

    class Span:
        def __init__(self, timer: _Timer, name: str) -> None:
            self.result, self.name = timer.result, name
            self.report = timer.report

        def __enter__(self) -> None:
            if not self.name.startswith("core."):
                self.report(self.name, 0, None)
            self.started = time.perf_counter()

        def __exit__(self, *exc: object) -> None:
            spent = time.perf_counter() - self.started
            self.result.seconds[self.name] = self.result.seconds.get(self.name, 0.0) + spent


def _copy(
    conn: psycopg.Connection, table: str, data: pa.Table, result: SeedResult,
    report: ProgressCallback,
) -> None:  # fmt: skip
    for offset in range(0, max(data.num_rows, 1), COPY_SLICE):
        part = data.slice(offset, COPY_SLICE)
        written = bulk.copy_table(conn, table, part)
        result.rows[table] = result.rows.get(table, 0) + written
        report(table, written, None)


def _categories_table(catalog: Catalog) -> pa.Table:
    ids, parents, names = zip(*catalog.category_rows, strict=True)
    return pa.table({
        "category_id": pa.array(ids, pa.int32()),
        "parent_category_id": pa.array(parents, pa.int32()),
        "name": pa.array(names, pa.string()),
    })  # fmt: skip


def _products_table(catalog: Catalog, epoch_us: int) -> pa.Table:
    n = catalog.size
    launched = epoch_us + catalog.launch_day.astype(np.int64) * 86_400_000_000  # at midnight
    return pa.table({
        "product_id": np.arange(1, n + 1, dtype=np.int32),
        "sku": pa.array(catalog.sku, pa.string()),
        "name": pa.array(catalog.name, pa.string()),
        "category_id": catalog.product_category,
        "brand": pa.array(catalog.brand, pa.string()),
        "list_price": pa.array(catalog.price_cents / 100.0),
        "unit_cost": pa.array(catalog.cost_cents / 100.0),
        "launched_at": pa.array(launched, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "is_active": catalog.is_active,
    })  # fmt: skip


def _load_customers(
    conn: psycopg.Connection, options: SeedOptions, customers: Customers, epoch_us: int,
    result: SeedResult, report: ProgressCallback,
) -> tuple[np.ndarray, pa.Array, np.ndarray]:  # fmt: skip
    """Build and load core.customers; return each customer's market, city and channel index."""
    n = customers.size
    rng = _rng(options, "names")
    market = rng.choice(len(MARKETS), n, p=market_weights(options.home_market)).astype(np.int8)
    pools = build_name_pools(options.seed, pool_size=int(np.clip(n // 20, 40, 400)))
    domains = [np.array(d, dtype=object) for _, _, d in MARKETS.values()]
    first, first_ascii = _draw(list(zip(pools.first, pools.first_ascii, strict=True)), market, rng)
    last, last_ascii = _draw(list(zip(pools.last, pools.last_ascii, strict=True)), market, rng)
    (city,) = _draw([(c,) for c in pools.city], market, rng)
    (domain,) = _draw([(d,) for d in domains], market, rng)
    customer_id = np.arange(1, n + 1, dtype=np.int64)
    email = pc.binary_join_element_wise(
        first_ascii, last_ascii, pc.cast(pa.array(customer_id), pa.string()), ".",
    )  # fmt: skip
    email = pc.binary_join_element_wise(email, domain, "@")
    progress = customers.first_day / max(options.days - 1, 1)
    channel_index = acquisition_channels(progress, rng)
    # Sign-up at checkout, minutes before the first order and on the same day (so marketing
    # spend, keyed by day, and new customers by sign-up date agree).
    day_start = customers.first_day.astype(np.int64) * 86_400
    first_order = day_start + customers.first_second
    signup = np.maximum(first_order - rng.integers(0, 20 * 60, n), day_start)
    channels = pa.array(list(ACQUISITION_MIX), pa.string())
    countries = pa.array(list(MARKETS), pa.string())
    table = pa.table({
        "customer_id": customer_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "country_code": countries.take(pa.array(market)),
        "city": city,
        "signup_at": pa.array(epoch_us + signup * 1_000_000, pa.int64()).cast(
            pa.timestamp("us", tz="UTC")
        ),
        "acquisition_channel": channels.take(pa.array(channel_index)),
    })  # fmt: skip
    _copy(conn, "core.customers", table, result, report)
    return market, city, channel_index


def _draw(
    pools: list[tuple[np.ndarray, ...]], market: np.ndarray, rng: np.random.Generator
) -> list[pa.Array]:
    """Per customer, one entry of their market's pool; a pool may hold aligned columns (a name
    and its ASCII form), drawn together. Arrow's take() builds the strings, so no Python
    object per customer is made."""
    sizes = np.array([len(pool[0]) for pool in pools])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    index = pa.array(offsets[market] + (rng.random(len(market)) * sizes[market]).astype(np.int64))
    columns = []
    for k in range(len(pools[0])):
        values = np.concatenate([np.asarray(pool[k], dtype=object) for pool in pools])
        columns.append(pa.array(values, pa.string()).take(index))
    return columns
