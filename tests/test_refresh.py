"""`salesdw refresh`: dependency order, logging, the segment map, and readers never blocked."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.db import rebuild
from salesdw.refresh import (
    RFM_CSV,
    RefreshError,
    chain_lengths,
    load_rfm_segments,
    refresh,
    view_dependencies,
    views_in_order,
)
from salesdw.settings import Settings

SALESDW = str(Path(sys.executable).with_name("salesdw"))


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_views_refresh_after_the_views_they_read(db: Engine) -> None:
    with psycopg.connect(conninfo(db)) as conn:
        order = views_in_order(conn)
    assert order.index("category_bits") < order.index("orders_daily")
    assert order.index("sales_daily") < order.index("kpi_monthly")
    assert order.index("orders_daily") < order.index("kpi_monthly")
    assert order.index("customer_summary") < order.index("customer_rfm")
    assert order.index("customer_rfm") < order.index("rfm_segment_summary")
    assert order.index("category_tree") < order.index("order_facts")
    assert order.index("order_facts") < order.index("order_line_facts")
    assert order.index("order_line_facts") < order.index("product_sales_periods")
    assert order.index("product_sales_periods") < order.index("product_performance")
    assert order.index("product_sales_periods") < order.index("product_sales_running")


def test_views_build_two_at_a_time_each_after_the_views_it_reads(seeded_db: Engine) -> None:
    url = conninfo(seeded_db)
    refresh(url, settings=Settings(refresh_jobs=2))
    with psycopg.connect(url) as conn:
        graph = view_dependencies(conn)
        spans = {name: (start, end) for name, start, end in conn.execute(
            "select view_name, started_at, finished_at from ops.refresh_log"
        )}  # fmt: skip
    assert set(spans) == set(graph)
    for view, sources in graph.items():
        for source in sources:
            assert spans[view][0] >= spans[source][1], (view, source)
    overlapping = [
        (a, b)
        for a in spans
        for b in spans
        if a < b and spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]
    ]
    assert overlapping, "no two views were ever built at the same time"


def test_a_chain_is_as_long_as_its_slowest_path_of_readers() -> None:
    graph = {"a": set(), "b": {"a"}, "c": {"a"}, "d": set(), "e": {"b", "d"}}
    lengths = chain_lengths(graph, {"a": 1.0, "b": 10.0, "c": 5.0, "d": 2.0, "e": 3.0})
    assert lengths == {"a": 14.0, "b": 13.0, "c": 5.0, "d": 5.0, "e": 3.0}
    # never timed: each view counts as the average of those that were (here 4 s)
    assert chain_lengths(graph, {"a": 2.0, "b": 6.0})["c"] == 4.0
    assert chain_lengths({"x": set(), "y": {"x"}}, {}) == {"x": 2.0, "y": 1.0}


def test_of_the_views_ready_the_longest_chain_starts_first(seeded_db: Engine) -> None:
    url = conninfo(seeded_db)
    refresh(url, settings=Settings(refresh_jobs=2))
    with psycopg.connect(url) as conn:
        graph = view_dependencies(conn)
        durations = {name: ms / 1000 for name, ms in conn.execute(
            "select distinct on (view_name) view_name, duration_ms from ops.refresh_log"
            " where status = 'succeeded' order by view_name, refresh_id desc"
        )}  # fmt: skip
        lengths = chain_lengths(graph, durations)
        last = conn.execute("select max(refresh_id) from ops.refresh_log").fetchone()[0]
        refresh(url, settings=Settings(refresh_jobs=1))
        started = [name for (name,) in conn.execute(
            "select view_name from ops.refresh_log where refresh_id > %s order by started_at",
            [last],
        )]  # fmt: skip
    assert set(started) == set(graph)
    done: set[str] = set()
    for name in started:
        ready = [view for view in graph if view not in done and graph[view] <= done]
        assert lengths[name] == max(lengths[view] for view in ready), (name, ready)
        done.add(name)


def test_refresh_logs_each_view_and_freshness_shows_it(seeded_db: Engine) -> None:
    results = refresh(conninfo(seeded_db))
    internal = {"order_facts", "order_line_facts"}
    assert all(r.readers_kept_reading for r in results if r.view_name not in internal)
    assert not any(r.readers_kept_reading for r in results if r.view_name in internal)
    with seeded_db.connect() as conn:
        freshness = conn.execute(text("select * from analytics.data_freshness")).mappings().all()
        latest_order = conn.scalar(text("select max(ordered_at) from core.orders"))
        counted = {r.view_name: conn.scalar(text(f"select count(*) from mart.{r.view_name}"))
                   for r in results}  # fmt: skip
    assert {row["view_name"] for row in freshness} == {r.view_name for r in results}
    without_orders = {"category_bits", "category_tree", "traffic_daily"}
    for row in freshness:
        covers = None if row["view_name"] in without_orders else latest_order
        assert row["refreshed_at"] is not None and row["data_through"] == covers, row
        assert row["row_count"] == next(r.rows for r in results if r.view_name == row["view_name"])
        assert row["row_count"] == counted[row["view_name"]], row


def test_only_refreshes_one_view(seeded_db: Engine) -> None:
    results = refresh(conninfo(seeded_db), only="kpi_monthly")
    assert [r.view_name for r in results] == ["kpi_monthly"]


def test_a_view_refreshed_alone_covers_what_its_order_facts_cover(seeded_db: Engine) -> None:
    """New orders after the last full refresh are not in order_facts yet: kpi_monthly rebuilt
    alone does not claim them."""
    url = conninfo(seeded_db)
    with seeded_db.begin() as conn:
        before = conn.scalar(text("select max(ordered_at) from core.orders"))
        conn.execute(text(
            "insert into core.orders (customer_id, ordered_at, status, channel, payment_method, "
            "shipping_country_code, shipping_city, shipping_fee, discount_amount) "
            "select customer_id, ordered_at + interval '1 day', status, channel, payment_method, "
            "shipping_country_code, shipping_city, shipping_fee, discount_amount "
            "from core.orders order by ordered_at desc limit 1"
        ))  # fmt: skip
    refresh(url, only="kpi_monthly")
    with seeded_db.connect() as conn:
        through = conn.scalar(text(
            "select data_through from analytics.data_freshness where view_name = 'kpi_monthly'"
        ))  # fmt: skip
    assert through == before


def test_unknown_view_names_the_ones_there_are(db: Engine) -> None:
    with pytest.raises(RefreshError, match=r"no materialized view named 'nope'.*kpi_monthly"):
        refresh(conninfo(db), only="nope")


def test_incomplete_segment_map_is_refused_and_the_old_one_kept(db: Engine, tmp_path) -> None:
    lines = RFM_CSV.read_text().splitlines()
    broken = tmp_path / "rfm_segments.csv"
    broken.write_text("\n".join(lines[:-1]) + "\n")  # (5, 5, 5) missing
    with psycopg.connect(conninfo(db)) as conn:
        with pytest.raises(RefreshError, match="each of the 125"):
            load_rfm_segments(conn, broken)
        conn.rollback()
        assert conn.execute("select count(*) from mart.rfm_segment_map").fetchone()[0] == 125


def test_readers_are_never_blocked_nor_shown_an_empty_view(seeded_db: Engine) -> None:
    """8 readers loop over every view a refresh rebuilds while a full refresh runs: no error,
    never an empty view."""
    url = conninfo(seeded_db)
    stop = threading.Event()
    errors: list[str] = []
    empties: list[str] = []
    reads: list[int] = []
    with psycopg.connect(url) as conn:
        views = [row[0] for row in conn.execute(
            "select matviewname from pg_matviews where schemaname = 'mart' and "
            "to_regclass(format('analytics.%I', matviewname)) is not null order by 1"
        )]  # fmt: skip
    assert len(views) >= 15

    def reader(offset: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            turn = offset
            while not stop.is_set():
                view = views[turn % len(views)]
                turn += 1
                try:
                    count = conn.execute(f"select count(*) from analytics.{view}").fetchone()[0]
                except psycopg.Error as exc:
                    errors.append(f"{view}: {exc}")
                    return
                if count == 0:
                    empties.append(view)
                reads.append(1)

    threads = [threading.Thread(target=reader, args=(i * 3,)) for i in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.2)
        refresh(url)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == [] and empties == []
    assert len(reads) > 50


def test_a_query_holding_a_view_too_long_fails_the_swap_and_names_it(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The swap never queues readers behind it: it gives up, names the holder, keeps the data."""
    monkeypatch.setattr(rebuild, "ATTEMPTS", 3)
    url = conninfo(db)
    refresh(url)
    with psycopg.connect(url) as holder, psycopg.connect(url, autocommit=True) as reader:
        holder.execute("select count(*) from analytics.kpi_monthly")  # holds it, in a transaction
        pid = holder.info.backend_pid
        with pytest.raises(RefreshError, match=rf"pid {pid}.*refresh --only kpi_monthly"):
            refresh(url, only="kpi_monthly")
        # meanwhile, and after, other readers read the view as it was
        assert reader.execute("select count(*) from analytics.kpi_monthly").fetchone() is not None
        holder.rollback()
    with psycopg.connect(url) as conn:
        status = conn.execute(
            "select status from ops.refresh_log where view_name = 'kpi_monthly' "
            "order by refresh_id desc limit 1"
        ).fetchone()[0]
    assert status == "failed"
    assert refresh(url, only="kpi_monthly")[0].view_name == "kpi_monthly"


def test_cli_refresh_prints_a_summary_and_errors_in_one_line(db: Engine) -> None:
    env = {**os.environ, "DATABASE_URL": conninfo(db)}
    done = subprocess.run([SALESDW, "refresh"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with db.connect() as conn:
        views = conn.scalar(text("select count(*) from pg_matviews where schemaname = 'mart'"))
    assert f"Refreshed {views} views" in done.stdout and "kpi_monthly" in done.stdout
    bad = subprocess.run([SALESDW, "refresh", "--only", "nope"], env=env, capture_output=True,
                         text=True, timeout=120, check=False)  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0


def test_cli_seed_refreshes_the_views(db: Engine) -> None:
    env = {**os.environ, "DATABASE_URL": conninfo(db)}
    done = subprocess.run(
        [SALESDW, "seed", "--orders", "2000", "--products", "50", "--years", "1"], env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with db.connect() as conn:
        assert conn.scalar(text("select sum(orders) from analytics.kpi_monthly")) > 1500
        never = conn.scalar(text("select count(*) from analytics.data_freshness "
                                 "where refreshed_at is null"))  # fmt: skip
    assert never == 0
