"""Benchmark of `salesdw seed`: its figures and their baselines, printed as ratios in one run.

1. The main scale (default medium: 1M orders) end to end: wall seconds of `seed_warehouse` on a
   freshly migrated database, rows per table, rows/s; then the refresh of the analytics views
   that `salesdw seed` runs after loading, so seed + refresh is what a user waits for.
2. Baseline: COPY of the same rows from prepared CSV files into the same tables and indexes (keys
   dropped and rebuilt, ANALYZE, one transaction), the floor any loader of these rows sits on.
3. Baseline: the naive way (Faker per row, one SQLAlchemy INSERT per row) on 10k orders, against
   the seeder's time per order, at the main scale (the headline) and on 10k orders.
4. The large scale (10M orders) in a child process, for its wall time and peak RSS (about five
   minutes; --no-large skips it).

Every run goes into scratch databases `salesdw_bench_*` on the configured server (the embedded
one unless DATABASE_URL is set), each dropped once its figure is taken, also on failure; the
`salesdw` database is never touched. Timings are noisy on shared machines, so ratios matter
more than seconds; nothing is asserted. Run from the repository root:

    .venv/bin/python bench/seed.py [--scale medium] [--no-large]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

import psycopg
from faker import Faker
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import URL

from salesdw import migrate, schema
from salesdw.db import bulk
from salesdw.db.connect import database_url, libpq_url
from salesdw.generate import SCALES, SeedOptions, resolve_options, seed_warehouse
from salesdw.generate.seed import LOAD_TABLES
from salesdw.refresh import refresh
from salesdw.schema import ORDER_CHANNELS, ORDER_STATUSES, PAYMENT_METHODS

NAIVE_ORDERS = 10_000
NAIVE_PRODUCTS = 200
BLOCK = 1 << 20  # COPY writes the CSV files in 1 MB blocks
LARGE_CHILD = """
import json, os, time
from salesdw.generate import resolve_options, seed_warehouse
started = time.perf_counter()
result = seed_warehouse(os.environ["SALESDW_BENCH_CONNINFO"], resolve_options(scale="large"))
print(json.dumps({"rows": result.rows, "seconds": time.perf_counter() - started}))
"""


def say(text: str = "") -> None:
    print(text, flush=True)


@contextmanager
def scratch_database(server: URL, label: str) -> Iterator[URL]:
    """A freshly migrated database `salesdw_bench_<label>_<pid>`, dropped on the way out."""
    name = f"salesdw_bench_{label}_{os.getpid()}"
    admin = libpq_url(server.set(database="postgres"), hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(f'create database "{name}"')
        url = server.set(database=name)
        engine = create_engine(url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def peak_rss_gib(who: int) -> float:
    """Peak resident memory of this process or its children; ru_maxrss is KiB (bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024**3 if sys.platform == "darwin" else 1024**2)


def conninfo(url: URL) -> str:
    return libpq_url(url, hide_password=False)


def timed_seed(url: URL, options: SeedOptions) -> tuple[float, dict[str, int]]:
    """Wall seconds of `seed_warehouse` and the rows it loaded."""
    started = time.perf_counter()
    result = seed_warehouse(conninfo(url), options)
    return time.perf_counter() - started, result.rows


def export_csv(url: URL, folder: Path) -> int:
    """Write every loaded table to `folder/<table>.csv` (untimed); return the bytes written."""
    with psycopg.connect(conninfo(url)) as conn, conn.cursor() as cur:
        for table in LOAD_TABLES:
            sql = f"copy (select * from {table} order by 1) to stdout (format csv)"
            with (folder / f"{table}.csv").open("wb") as out, cur.copy(sql) as copy:
                for block in copy:
                    out.write(block)
    return sum(path.stat().st_size for path in folder.iterdir())


def copy_csv(url: URL, folder: Path) -> float:
    """Seconds to load the CSV files the way the seeder loads: one transaction, keys dropped."""
    started = time.perf_counter()
    with psycopg.connect(conninfo(url)) as conn:
        saved = bulk.save_and_drop_keys(conn, LOAD_TABLES)
        conn.execute(f"truncate {', '.join(LOAD_TABLES)}")
        with conn.cursor() as cur:
            for table in LOAD_TABLES:
                sql = f"copy {table} from stdin (format csv)"
                with (folder / f"{table}.csv").open("rb") as source, cur.copy(sql) as copy:
                    while block := source.read(BLOCK):
                        copy.write(block)
        bulk.restore_keys(conn, saved)
        bulk.reset_identities(conn, LOAD_TABLES)
        conn.execute(f"analyze {', '.join(LOAD_TABLES)}")
        conn.commit()
    return time.perf_counter() - started


def naive_load(url: URL, orders: int) -> tuple[float, float, dict[str, int]]:
    """Faker per row and one INSERT per row, as reference projects do, in one transaction.

    Returns the setup seconds (categories and products, not counted), the seconds for the
    orders with their customers and lines (the figure), and the rows inserted.
    """
    fake, rng = Faker("en_US"), random.Random(42)
    Faker.seed(42)
    countries = ["US", "GB", "DE", "FR", "CA"]
    engine = create_engine(url)
    rows = {"customers": 0, "orders": 0, "order_items": 0}
    try:
        with engine.begin() as conn:
            started = time.perf_counter()
            category_ids = [
                conn.execute(
                    insert(schema.categories).values(name=name).returning(
                        schema.categories.c.category_id)
                ).scalar_one()
                for name in ["Electronics", "Home & Garden"]
            ]  # fmt: skip
            products = []
            for _ in range(NAIVE_PRODUCTS):
                price = round(rng.uniform(5, 500), 2)
                product_id = conn.execute(
                    insert(schema.products).values(
                        sku=fake.unique.bothify("SKU-#####-??"), name=fake.catch_phrase(),
                        category_id=rng.choice(category_ids), brand=fake.company(),
                        list_price=price, unit_cost=round(price * 0.6, 2),
                        launched_at=fake.date_time_between("-6y", "-3y", tzinfo=UTC),
                    ).returning(schema.products.c.product_id)
                ).scalar_one()  # fmt: skip
                products.append((product_id, price))
            setup = time.perf_counter() - started

            started = time.perf_counter()
            customers = []
            for _ in range(max(round(orders / 2.8), 1)):
                country, city = rng.choice(countries), fake.city()
                customer_id = conn.execute(
                    insert(schema.customers).values(
                        email=fake.unique.email(), first_name=fake.first_name(),
                        last_name=fake.last_name(), country_code=country, city=city,
                        signup_at=fake.date_time_between("-3y", "now", tzinfo=UTC),
                    ).returning(schema.customers.c.customer_id)
                ).scalar_one()  # fmt: skip
                customers.append((customer_id, country, city))
            for _ in range(orders):
                customer_id, country, city = rng.choice(customers)
                order_id = conn.execute(
                    insert(schema.orders).values(
                        customer_id=customer_id,
                        ordered_at=fake.date_time_between("-3y", "now", tzinfo=UTC),
                        status=rng.choice(ORDER_STATUSES), channel=rng.choice(ORDER_CHANNELS),
                        payment_method=rng.choice(PAYMENT_METHODS),
                        shipping_country_code=country, shipping_city=city,
                        shipping_fee=rng.choice([0, 4.99, 9.99]),
                    ).returning(schema.orders.c.order_id)
                ).scalar_one()  # fmt: skip
                for line_number in range(1, rng.randint(1, 4) + 1):  # 2.5 lines on average
                    product_id, price = rng.choice(products)
                    conn.execute(
                        insert(schema.order_items).values(
                            order_id=order_id, line_number=line_number, product_id=product_id,
                            quantity=rng.randint(1, 3), unit_price=price,
                            unit_cost=round(price * 0.6, 2),
                        )
                    )  # fmt: skip
                    rows["order_items"] += 1
            rows["customers"], rows["orders"] = len(customers), orders
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    return setup, seconds, rows


def show_rows(rows: dict[str, int], seconds: float) -> None:
    for table, count in rows.items():
        say(f"    {table:<22} {count:>12,}")
    total = sum(rows.values())
    say(f"    {'total':<22} {total:>12,} rows in {seconds:.2f} s = {total / seconds:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", choices=list(SCALES), default="medium", help="main scale (default: medium)"
    )
    parser.add_argument(
        "--large", action=argparse.BooleanOptionalAction, default=True,
        help="also seed 10M orders in a child process (about 5 minutes; default: yes)",
    )  # fmt: skip
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so scratch databases get dropped
    server = database_url()
    say(f"server: {libpq_url(server)} (scratch databases salesdw_bench_*_{os.getpid()})")
    summary: list[tuple[str, str, str, str, str]] = []
    scale = args.scale

    say(f"\n1. {scale} seed end to end")
    with tempfile.TemporaryDirectory(prefix="salesdw_bench_") as tmp:
        with scratch_database(server, "seed") as url:
            seed_wall, seed_rows = timed_seed(url, resolve_options(scale=scale))
            seed_rss = peak_rss_gib(resource.RUSAGE_SELF)
            show_rows(seed_rows, seed_wall)
            say(f"    peak RSS of this process so far: {seed_rss:.2f} GiB")
            started = time.perf_counter()
            refresh(conninfo(url))
            refresh_wall = time.perf_counter() - started
            say(f"    then the views' refresh, as `salesdw seed` does: {refresh_wall:.1f} s")
            size = export_csv(url, Path(tmp))
            with psycopg.connect(conninfo(url)) as conn:
                db_size = conn.execute("select pg_database_size(current_database())").fetchone()[0]
            say(f"    scratch database size: {db_size / 1024**3:.2f} GiB")
        summary.append((f"{scale} seed, wall", f"{seed_wall:.1f} s", "-", "-", "<= 30 s (medium)"))
        summary.append((f"{scale} seed + view refresh", f"{seed_wall + refresh_wall:.1f} s",
                        f"refresh {refresh_wall:.1f} s", "-", "-"))  # fmt: skip

        say(f"\n2. baseline: COPY of the same rows from CSV files ({size / 1024**2:,.0f} MiB)")
        with scratch_database(server, "copy") as url:
            copy_wall = copy_csv(url, Path(tmp))
        say(f"    COPY, keys rebuilt, ANALYZE: {copy_wall:.1f} s")
        say(f"    seed / COPY: {seed_wall / copy_wall:.2f}x")
        summary.append((f"{scale} seed vs COPY", f"{seed_wall:.1f} s", f"COPY {copy_wall:.1f} s",
                        f"{seed_wall / copy_wall:.2f}x", "<= 2.5x (medium)"))  # fmt: skip

    say(f"\n3. baseline: the naive way on {NAIVE_ORDERS:,} orders")
    with scratch_database(server, "10k") as url:
        options = resolve_options(orders=NAIVE_ORDERS, products=NAIVE_PRODUCTS)
        small_wall, small_rows = timed_seed(url, options)
    with scratch_database(server, "naive") as url:
        setup, naive_wall, naive_rows = naive_load(url, NAIVE_ORDERS)
    say(f"    naive: setup (2 categories, {NAIVE_PRODUCTS} products) {setup:.1f} s, not counted")
    show_rows(naive_rows, naive_wall)
    naive_per_order = naive_wall / naive_rows["orders"]
    for label, wall, rows in [(f"{scale} run (headline)", seed_wall, seed_rows),
                              (f"{NAIVE_ORDERS:,}-order run", small_wall, small_rows)]:  # fmt: skip
        per_order = wall / rows["core.orders"]
        speedup = naive_per_order / per_order
        say(f"    seeder, {label}: {rows['core.orders']:,} orders "
            f"({sum(rows.values()):,} rows in all) in {wall:.2f} s")  # fmt: skip
        say(f"      {per_order * 1e6:,.1f} us/order against naive {naive_per_order * 1e6:,.0f} "
            f"us/order: {speedup:,.0f}x faster")  # fmt: skip
        summary.append((f"per order, seeder {label}", f"{per_order * 1e6:,.1f} us",
                        f"naive {naive_per_order * 1e6:,.0f} us", f"{speedup:,.0f}x faster",
                        ">= 50x"))  # fmt: skip
    say("    (the seeder also writes reviews, 3 years of web traffic and marketing spend, which")
    say("     weigh most on small runs; the naive loader writes none of them)")

    say("\n4. large seed (10M orders) in a child process")
    if not args.large:
        say("    skipped (--no-large)")
    else:
        with scratch_database(server, "large") as url:
            started = time.perf_counter()
            child = subprocess.run(
                [sys.executable, "-c", LARGE_CHILD], stdout=subprocess.PIPE, check=True,
                env={**os.environ, "SALESDW_BENCH_CONNINFO": conninfo(url)}, text=True,
            )  # fmt: skip
            large_wall = time.perf_counter() - started
        report = json.loads(child.stdout.strip().splitlines()[-1])
        rss = peak_rss_gib(resource.RUSAGE_CHILDREN)  # the child is the only one waited for
        show_rows(report["rows"], large_wall)
        say(f"    seed_warehouse {report['seconds']:.1f} s; child end to end {large_wall:.1f} s")
        linear = seed_wall * report["rows"]["core.orders"] / seed_rows["core.orders"]
        say(f"    peak RSS of the child: {rss:.2f} GiB = {rss * 1.024**3:.2f} GB "
            f"({scale} in-process: {seed_rss:.2f} GiB)")  # fmt: skip
        summary.append(("large seed, wall", f"{large_wall:.0f} s", f"{scale} linear {linear:.0f} s",
                        f"{large_wall / linear:.2f}x", "<= 300 s"))  # fmt: skip
        summary.append(("large seed, peak RSS", f"{rss:.2f} GiB", f"{scale} {seed_rss:.2f} GiB",
                        f"{rss / seed_rss:.2f}x", "<= 3 GB"))  # fmt: skip

    say("\nsummary (noisy machine: read the ratios)")
    header = ("figure", "value", "baseline", "ratio", "goal")
    widths = [max(len(row[i]) for row in [header, *summary]) for i in range(5)]
    for row in [header, *summary]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
