"""`salesdw seed`: fill the warehouse with generated history, showing progress per table."""

from __future__ import annotations

import time
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

out = Console(soft_wrap=True, highlight=False)


class Scale(StrEnum):
    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"


class RowsAndRate(ProgressColumn):
    """Rows loaded so far and rows per second, for tables (stages show nothing)."""

    def render(self, task: Task) -> Text:
        if not task.fields.get("is_table"):
            return Text("")
        rate = task.completed / task.elapsed if task.elapsed else 0.0
        return Text(f"{task.completed:>10,.0f} rows {rate:>9,.0f}/s")


def seed(
    scale: Annotated[
        Scale,
        typer.Option(
            help="Size preset: about 5k (tiny), 100k (small), 1M (medium) or 10M (large) "
            "orders. --orders, --customers and --products override it."
        ),
    ] = Scale.small,
    orders: Annotated[
        int | None, typer.Option(help="Orders to generate (about; the process is random).")
    ] = None,
    customers: Annotated[
        int | None,
        typer.Option(help="Customers; default: orders / 2.8, each placing at least one order."),
    ] = None,
    products: Annotated[int | None, typer.Option(help="Products in the catalogue.")] = None,
    start_date: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="First day of the history; default: --years before today, so it ends today.",
        ),
    ] = None,
    years: Annotated[int, typer.Option(min=1, max=20, help="Years of history.")] = 3,
    seed: Annotated[
        int, typer.Option(min=0, help="Random seed: the same options give identical data.")
    ] = 42,
    locale: Annotated[
        str | None,
        typer.Option(
            help="Faker locale of the home market, e.g. de_DE: 60% of customers live there. "
            "Default: an international mix (US, GB, DE, FR, ... and a long tail)."
        ),
    ] = None,
    pure_btyd: Annotated[
        bool,
        typer.Option(
            "--pure-btyd",
            help="No seasonality, trend or anomalies: a pure BG/NBD process, for testing that "
            "the models recover the true parameters.",
        ),
    ] = False,
    replace_all: Annotated[
        bool,
        typer.Option(
            "--replace-all", help="Replace imported data too (seed refuses to by default)."
        ),
    ] = False,
) -> None:
    """Fill the warehouse with years of realistic, deterministic e-commerce history.

    Runs in one transaction: if it fails or is interrupted, the previous data stays.
    Replaces earlier synthetic data; refuses to replace imported data without --replace-all.
    """
    from salesdw.db.connect import get_engine, libpq_url
    from salesdw.generate import resolve_options, seed_warehouse

    options = resolve_options(
        scale=scale.value, customers=customers, orders=orders, products=products,
        start_date=start_date.date() if start_date else None, years=years, seed=seed,
        locale=locale, pure_btyd=pure_btyd,
    )  # fmt: skip
    engine = get_engine()
    conninfo = libpq_url(engine.url, hide_password=False)
    engine.dispose()
    out.print(
        f"Seeding about {options.orders:,} orders from {options.customers:,} customers and "
        f"{options.products:,} products, {options.start_date} to {options.end_date} "
        f"(seed {options.seed}{', pure BG/NBD' if options.pure_btyd else ''})."
    )
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description:<20}"), BarColumn(bar_width=10),
        RowsAndRate(), TimeElapsedColumn(), console=out, transient=False,
    ) as progress:  # fmt: skip
        tasks: dict[str, int] = {}
        current_stage: list[int] = []

        def report(name: str, rows: int, total: int | None) -> None:
            is_table = name.startswith("core.")
            if name not in tasks:
                if current_stage:
                    progress.update(current_stage.pop(), completed=1, total=1)
                tasks[name] = progress.add_task(name, total=total, is_table=is_table)
                if not is_table:
                    current_stage.append(tasks[name])
            progress.update(tasks[name], advance=rows, total=total or None)

        result = seed_warehouse(conninfo, options, replace_all=replace_all, progress=report)
        for task in progress.tasks:  # finished: every bar full
            progress.update(task.id, total=task.completed or 1, completed=task.completed or 1)
    _summary(result, time.perf_counter() - started)
    _refresh_views_if_any(conninfo)


def _refresh_views_if_any(conninfo: str) -> None:
    """After a seed, the analytics views show the new data (once their migration has run)."""
    import psycopg

    from salesdw.cli.refresh import run_refresh
    from salesdw.refresh import has_views

    with psycopg.connect(conninfo) as conn:
        exists = has_views(conn)
    if exists:
        run_refresh(conninfo)


def _summary(result, wall: float) -> None:
    table = Table(title=f"Seeded in {wall:.1f} s (load run {result.load_run_id})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("rows/s", justify="right")
    for name, rows in result.rows.items():
        seconds = result.seconds.get(name, 0.0)
        rate = f"{rows / seconds:,.0f}" if seconds > 0 else "-"
        table.add_row(name, f"{rows:,}", f"{seconds:.2f}", rate)
    for name, seconds in result.seconds.items():
        if not name.startswith("core."):
            table.add_row(f"[dim]{name}[/]", "", f"{seconds:.2f}", "")
    total_rows = sum(result.rows.values())
    table.add_row("[bold]total[/]", f"[bold]{total_rows:,}[/]", f"[bold]{wall:.2f}[/]",
                  f"[bold]{total_rows / wall:,.0f}[/]")  # fmt: skip
    out.print(table)
