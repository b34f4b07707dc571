"""`salesdw refresh`: rebuild the analytics views, with a line per view and a summary."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
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
    swapped in when it is ready. The RFM segment
    map is reloaded from seeds/rfm_segments.csv first. Each refresh is logged in
    ops.refresh_log and shown in analytics.data_freshness.
    """
    from salesdw.db.connect import get_engine, libpq_url

    engine = get_engine()
    run_refresh(libpq_url(engine.url, hide_password=False), only=only)
    engine.dispose()


def run_refresh(conninfo: str, *, only: str | None = None) -> None:
    from salesdw.refresh import refresh as refresh_views

    started = time.perf_counter()
    with out.status("Refreshing analytics views...") as status:
        results = refresh_views(
            conninfo, only=only, on_view=lambda name: status.update(f"Refreshing {name}...")
        )
    table = Table(title=f"Refreshed {len(results)} views in {time.perf_counter() - started:.1f} s")
    table.add_column("view")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("how", justify="center")
    for result in results:
        how = "rebuilt beside" if result.readers_kept_reading else "in place (internal)"
        table.add_row(result.view_name, f"{result.rows:,}", f"{result.seconds:.2f}", how)
    out.print(table)
