"""`salesdw refresh`: rebuild the analytics views, with a line per view and a summary."""

from __future__ import annotations

import threading
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

out = Console(soft_wrap=True, highlight=False)


def refresh(
    only: Annotated[
        str | None,
        typer.Option(help="Refresh just this view (e.g. customer_rfm); default: all of them."),
    ] = None,
) -> None:
    """Refresh the materialized analytics views, in dependency order.

    Readers keep reading while it runs: each view is rebuilt beside the one they read and
    swapped in when it is ready. SALESDW_REFRESH_JOBS views (default 2) build at once, each
    as soon as the views it reads are done. The RFM segment map is reloaded from
    seeds/rfm_segments.csv first. Each refresh is logged in ops.refresh_log and shown in
    analytics.data_freshness.
    """
    from salesdw.db.connect import get_engine, libpq_url

    engine = get_engine()
    run_refresh(libpq_url(engine.url, hide_password=False), only=only)
    engine.dispose()


def run_refresh(conninfo: str, *, only: str | None = None) -> None:
    from salesdw.refresh import refresh as refresh_views

    started = time.perf_counter()
    building: list[str] = []
    lock = threading.Lock()
    columns = (
        SpinnerColumn(),
        TextColumn("Refreshing views"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=out, transient=True) as progress:
        task = progress.add_task("", total=1 if only else _count_views(conninfo))

        def show() -> None:
            progress.update(task, description=", ".join(building))

        def started_one(name: str) -> None:
            with lock:
                building.append(name)
                show()

        def finished_one(result) -> None:
            with lock:
                building.remove(result.view_name)
                progress.advance(task)
                show()

        results = refresh_views(conninfo, only=only, on_view=started_one, on_done=finished_one)
    table = Table(title=f"Refreshed {len(results)} views in {time.perf_counter() - started:.1f} s")
    table.add_column("view")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("how", justify="center")
    for result in results:
        how = "rebuilt beside" if result.readers_kept_reading else "in place (internal)"
        table.add_row(result.view_name, f"{result.rows:,}", f"{result.seconds:.2f}", how)
    out.print(table)


def _count_views(conninfo: str) -> int | None:
    """How many views a full refresh builds (for the progress bar); None if unknown yet."""
    import psycopg

    from salesdw.refresh import has_views, view_dependencies

    with psycopg.connect(conninfo) as conn:
        return len(view_dependencies(conn)) if has_views(conn) else None
