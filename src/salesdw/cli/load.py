"""`salesdw import FILE`: the mapping table, a progress bar while it loads, a summary table,
then the analytics views refreshed (as `salesdw seed` does)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
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

_STAGES = {"upsert": "Upserting into core", "done": "Done"}


class Amount(ProgressColumn):
    """Bytes (CSV) or rows (Excel, Parquet) read so far; nothing for the later stages."""

    def __init__(self, in_bytes: bool) -> None:
        super().__init__()
        self.bytes = DownloadColumn() if in_bytes else None

    def render(self, task: Task) -> Text:
        if not task.fields.get("is_read"):
            return Text("")
        if self.bytes is not None:
            return self.bytes.render(task)
        return Text(f"{task.completed:>12,.0f} rows")


def import_file(
    file: Annotated[
        Path, typer.Argument(help="CSV, Excel (.xlsx) or Parquet file, one row per order line.")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="YAML file naming the columns (see the README)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check everything and show the summary; write nothing."),
    ] = False,
    timezone: Annotated[
        str | None,
        typer.Option(help="Time zone of times without an offset; default SALESDW_TIMEZONE."),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(help="ISO 4217 code of the file's money; default SALESDW_CURRENCY."),
    ] = None,
) -> None:
    """Import your own order lines (CSV, Excel or Parquet) into the warehouse.

    Columns are detected from their names (or values, without a header); --mapping overrides
    them. Bad rows go to staging.rejected_rows with the reason; good rows are upserted into
    core by their natural keys, in one transaction, so importing the same file again changes
    nothing. The analytics views are refreshed at the end.
    """
    from salesdw.db.connect import get_engine, libpq_url
    from salesdw.load import ImportOptions, plan, run

    engine = get_engine()
    conninfo = libpq_url(engine.url, hide_password=False)
    engine.dispose()
    options = ImportOptions(mapping_file=mapping, dry_run=dry_run, timezone=timezone,
                            currency=currency)  # fmt: skip
    started = time.perf_counter()
    plan_ = plan(conninfo, file, options)
    _mapping_table(plan_)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description:<22}"), BarColumn(bar_width=24),
        Amount(plan_.format.kind == "csv"), TimeElapsedColumn(), console=out, transient=False,
    ) as progress:  # fmt: skip
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int | None) -> None:
            if stage == "read":
                if stage not in tasks:
                    tasks[stage] = progress.add_task("Reading and checking", total=total,
                                                     is_read=True)  # fmt: skip
                progress.update(tasks[stage], completed=done)
                return
            for task in progress.tasks:
                if not task.finished:
                    progress.update(task.id, total=task.completed or 1,
                                    completed=task.completed or 1)  # fmt: skip
            if stage in _STAGES and stage != "done":
                tasks[stage] = progress.add_task(_STAGES[stage], total=None)

        result = run(conninfo, file, options, plan_=plan_, progress=report)
    _summary(result, time.perf_counter() - started)
    if not dry_run:
        from salesdw.cli.seed import _refresh_views_if_any

        _refresh_views_if_any(conninfo)


def _mapping_table(plan_) -> None:
    table = Table(title=f"{plan_.file_name}: {plan_.format.describe()}")
    table.add_column("field")
    table.add_column("column")
    table.add_column("found by")
    table.add_column("example")
    for name, column, how, example in plan_.report:
        style = "dim" if how == "not in the file" else ""
        table.add_row(name, column, how, example, style=style)
    out.print(table)
    out.print(f"Dates read as {plan_.dates.label}, in {plan_.timezone}; money in "
              f"{plan_.currency}.")  # fmt: skip
    for note in plan_.notes:
        out.print(f"[yellow]note:[/] {note}")


def _summary(result, wall: float) -> None:
    from salesdw.load import REASONS

    what = "Dry run (nothing written)" if result.dry_run else f"Load run {result.load_run_id}"
    table = Table(title=f"{what}: {result.file_name} in {wall:.1f} s")
    table.add_column("")
    table.add_column("rows", justify="right")
    table.add_row("rows read", f"{result.rows_read:,}")
    table.add_row("accepted", f"{result.accepted:,}")
    table.add_row("rejected", f"{result.rejected_total:,}")
    for reason, count in result.rejected.items():
        table.add_row(f"  {reason}", f"{count:,}", style="red")
    shown = ("new customers", "updated customers", "new products", "updated products",
             "new orders", "updated orders", "order lines inserted", "order lines updated",
             "order lines deleted", "returns matched")  # fmt: skip
    for key in shown:
        if key in result.written:
            table.add_row(key, f"{result.written[key]:,}")
    if result.first_order_at:
        table.add_row("orders from", f"{result.first_order_at:%Y-%m-%d %H:%M} UTC")
        table.add_row("orders to", f"{result.last_order_at:%Y-%m-%d %H:%M} UTC")
    rate = result.rows_read / result.seconds if result.seconds else 0
    table.add_row("rows/s", f"{rate:,.0f}")
    out.print(table)
    for reason in result.rejected:
        out.print(f"[red]{reason}[/]: {REASONS[reason]}")
    if result.rejected and not result.dry_run:
        out.print(
            f"Rejected rows are in staging.rejected_rows (load_run_id = {result.load_run_id}), "
            "with their line numbers and values."
        )
    for note in result.notes:
        out.print(f"[yellow]note:[/] {note}")
