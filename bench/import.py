"""Benchmark of `salesdw import`: a 1M-line order file end to end, against pandas alone.

1. Writes a CSV of --lines order lines (default 1,000,000) shaped like UCI Online Retail
   (InvoiceNo, StockCode, Description, Quantity, InvoiceDate as m/d/Y H:M, UnitPrice,
   CustomerID, Country in names and variants such as UK, EIRE, USA, Deutschland): about 20 lines
   per invoice, 2% returns on 'C' invoices, 0.3% bad rows (dates, quantities, customers,
   countries) and 0.2% duplicated lines. Not timed.
2. Imports it into a freshly migrated scratch database `salesdw_bench_import<run>_<pid>` with
   `salesdw.load.run` (sniffing, mapping, validation, staging with COPY, upsert into core, one
   transaction), in a child process that reports its wall time, rows/s and peak RSS (its own
   plus that of the process it forks to read the file, an upper bound); then
   imports the same file again (nothing may change) and refreshes the views, each timed.
   Goal: 100k rows/s or more end to end, peak RSS 1 GB or less. The first import is timed
   --runs times (default 3), each into a new scratch database, and the median reported with
   every run's time: successive runs of the same code vary by 20% or more here.
3. Baseline, in the same run: `pandas.read_csv` of the same file alone (default options, all
   in memory), in its own child process, just before each import, with its wall time and peak
   RSS; the ratios compare the medians.

The scratch database lives on the configured server (the embedded one unless DATABASE_URL is
set) and is dropped at the end, also on failure; the `salesdw` database is never touched.
Timings are noisy on shared machines, so read the ratios; nothing is asserted. From the
repository root:

    .venv/bin/python bench/import.py [--lines 1000000] [--runs 3] [--keep-file PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import conninfo, say, scratch_database  # bench/seed.py's helpers

from salesdw.db.connect import database_url, libpq_url

COUNTRIES = ["United Kingdom"] * 30 + ["UK", "EIRE", "Germany", "Deutschland", "France",
             "Netherlands", "Spain", "España", "Belgium", "Switzerland", "Portugal", "Italy",
             "Norway", "Australia", "USA", "United States", "Japan", "Sweden", "Denmark",
             "Finland", "Austria", "Österreich", "Poland", "Greece", "Czech Republic", "RSA",
             "Canada", "Brazil", "Singapore", "Israel"]  # fmt: skip
#: Peak RSS of the child itself: VmHWM (ru_maxrss after fork and exec starts from the parent's).
PEAK = """
def peak_kib():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
IMPORT_CHILD = (
    PEAK
    + """
import json, os, resource, sys, time
from pathlib import Path
from salesdw.load import ImportOptions, run
conninfo, path = os.environ["SALESDW_BENCH_CONNINFO"], Path(sys.argv[1])
stages, started = {}, time.perf_counter()
def progress(stage, done, total):
    stages.setdefault(stage, time.perf_counter() - started)
result = run(conninfo, path, ImportOptions(), progress=progress)
wall = time.perf_counter() - started
print(json.dumps({
    "seconds": wall, "rows_read": result.rows_read, "accepted": result.accepted,
    "rejected": result.rejected, "written": result.written, "stages": stages,
    "rss_kib": peak_kib(),
    # the forked process that reads the file (its pages shared with the importer included)
    "reader_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""
)
PANDAS_CHILD = (
    PEAK
    + """
import json, sys, time
import pandas as pd
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "rows": len(frame),
                  "rss_kib": peak_kib()}))
"""
)


def write_file(path: Path, lines: int, seed: int = 7) -> dict[str, int]:
    """The benchmark's order file; returns how many lines of each kind it holds."""
    rng = np.random.default_rng(seed)
    invoices = lines // 20
    sizes = np.maximum(1, rng.poisson(19, invoices))
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), lines) + 1]
    sizes[-1] -= sizes.sum() - lines
    invoice_of = np.repeat(np.arange(len(sizes)), sizes)[:lines]
    customers = rng.integers(12346, 12346 + max(lines // 170, 10), len(sizes))
    country_of_customer = rng.choice(len(COUNTRIES), customers.max() + 1)
    start = np.datetime64("2010-12-01T08:00")
    minutes = np.sort(rng.integers(0, 365 * 24 * 60, len(sizes)))
    products = max(lines // 250, 50)
    code = rng.integers(0, products, lines)
    price_cents = (np.exp(rng.normal(0.8, 0.9, products)) * 100).astype(np.int64) + 10
    frame = pd.DataFrame({
        "InvoiceNo": (536365 + invoice_of).astype(str),
        "StockCode": (20000 + code).astype(str),
        "Description": np.char.add("PRODUCT ", (20000 + code).astype(str)),
        "Quantity": rng.integers(1, 25, lines).astype(str),
        "at": start + minutes[invoice_of].astype("timedelta64[m]"),
        "UnitPrice": (price_cents[code] / 100).astype(str),
        "CustomerID": customers[invoice_of].astype(str),
        "Country": np.array(COUNTRIES, dtype=object)[country_of_customer[customers[invoice_of]]],
    })  # fmt: skip
    returns = rng.random(lines) < 0.02  # a return of part of the line, 1-10 days later
    back = frame[returns].copy()
    back["InvoiceNo"] = "C" + (600000 + np.arange(len(back))).astype(str)
    back["Quantity"] = "-" + np.maximum(1, frame.loc[returns, "Quantity"].astype(int) // 2
                                        ).astype(str)  # fmt: skip
    back["at"] = back["at"] + rng.integers(1, 11, len(back)).astype("timedelta64[D]")
    frame = pd.concat([frame[: lines - len(back)], back]).sort_values("at", kind="stable")
    bad = rng.random(len(frame)) < 0.003
    kind = rng.integers(0, 4, len(frame))
    frame.loc[bad & (kind == 0), "at"] = pd.NaT
    frame.loc[bad & (kind == 1), "Quantity"] = "abc"
    frame.loc[bad & (kind == 2), "CustomerID"] = ""
    frame.loc[bad & (kind == 3), "Country"] = "Atlantis"
    text = frame["at"].dt.strftime("%-m/%-d/%Y %-H:%M")
    frame["InvoiceDate"] = text.where(frame["at"].notna(), "13/45/2011 99:99")
    frame = frame.drop(columns="at")
    duplicate = np.flatnonzero(rng.random(len(frame)) < 0.002)
    frame = pd.concat([frame, frame.iloc[duplicate]]).sort_index(kind="stable")
    frame = frame[["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                   "UnitPrice", "CustomerID", "Country"]].iloc[:lines]  # fmt: skip
    frame.to_csv(path, index=False)
    return {
        "lines": len(frame),
        "returns": int(frame["InvoiceNo"].str.startswith("C").sum()),
        "bad (planted)": int(bad.sum()),
        "duplicates (planted)": len(duplicate),
    }


def child(script: str, path: Path, env: dict[str, str] | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep-file", type=Path, help="write the CSV here and keep it")
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="first imports to time, each into a fresh database (median)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the scratch database goes
    server = database_url()
    say(f"server: {libpq_url(server)} (scratch databases salesdw_bench_import<run>_{os.getpid()})")
    with tempfile.TemporaryDirectory(prefix="salesdw-bench-") as folder:
        path = args.keep_file or Path(folder) / "online_retail_1m.csv"
        started = time.perf_counter()
        kinds = write_file(path, args.lines)
        size_mb = path.stat().st_size / 1e6
        say(f"file: {path.name}, {size_mb:.0f} MB, {kinds} (written in "
            f"{time.perf_counter() - started:.1f} s, not timed)")  # fmt: skip

        # Each run: the baseline, then a first import into a fresh scratch database, so that
        # each ratio compares two figures taken moments apart on this noisy machine.
        baselines, firsts = [], []
        for run in range(1, args.runs + 1):
            baseline = child(PANDAS_CHILD, path)
            say(f"run {run}: baseline pandas.read_csv alone: {baseline['seconds']:.2f} s, "
                f"{baseline['rows'] / baseline['seconds']:,.0f} rows/s, peak RSS "
                f"{baseline['rss_kib'] / 1e6:.2f} GB")  # fmt: skip
            baselines.append(baseline)
            last = run == args.runs
            with scratch_database(server, f"import{run}") as url:
                env = {"SALESDW_BENCH_CONNINFO": conninfo(url)}
                first = child(IMPORT_CHILD, path, env)
                firsts.append(first)
                say(f"run {run}: import: {first['seconds']:.2f} s, "
                    f"{first['rows_read'] / first['seconds']:,.0f} rows/s, peak RSS "
                    f"{first['rss_kib'] / 1e6:.2f} GB (its reader process "
                    f"{first['reader_rss_kib'] / 1e6:.2f} GB); read {first['rows_read']:,}, "
                    f"accepted {first['accepted']:,}, rejected {first['rejected']}")  # fmt: skip
                say(f"    stages (seconds from the start): {first['stages']}")
                if not last:
                    continue
                say(f"    written: {first['written']}")
                again = child(IMPORT_CHILD, path, env)
                changed = {k: v for k, v in again["written"].items()
                           if v and k != "returns matched"}  # fmt: skip
                say(f"same file again: {again['seconds']:.2f} s, changed {changed or 'nothing'}")
                from salesdw.refresh import refresh

                refreshed = time.perf_counter()
                refresh(conninfo(url))
                refresh_s = time.perf_counter() - refreshed
                say(f"refresh of the views after it: {refresh_s:.2f} s")

    seconds = sorted(f["seconds"] for f in firsts)
    median = float(np.median(seconds))
    base = float(np.median([b["seconds"] for b in baselines]))
    rows_read = firsts[0]["rows_read"]
    rate, base_rate = rows_read / median, baselines[0]["rows"] / base
    # the importer's peak plus its reader's: an upper bound, as pages they share count twice
    rss = max(f["rss_kib"] + f["reader_rss_kib"] for f in firsts)
    base_rss = max(b["rss_kib"] for b in baselines)
    spread = (f" (runs: {', '.join(f'{s:.1f}' for s in seconds)} s)" if len(seconds) > 1
              else "")  # fmt: skip
    rates = (f" ({rows_read / seconds[-1]:,.0f}-{rows_read / seconds[0]:,.0f})"
             if len(seconds) > 1 else "")  # fmt: skip
    say("\nsummary (noisy machine: read the ratios)")
    label = f"median of {len(seconds)} runs" if len(seconds) > 1 else "one run"
    rows = [
        ("figure", "value", "baseline", "ratio", "goal"),
        (f"import of {rows_read:,} lines, end to end, {label}", f"{median:.1f} s{spread}",
         f"read_csv {base:.2f} s", f"{median / base:.1f}x", "-"),
        ("rows/s", f"{rate:,.0f}{rates}", f"{base_rate:,.0f}", f"{rate / base_rate:.3f}x",
         ">= 100,000"),
        ("peak RSS, importer + reader (largest run)", f"{rss / 1e6:.2f} GB",
         f"{base_rss / 1e6:.2f} GB", f"{rss / base_rss:.2f}x", "<= 1 GB"),
        ("same file again (changes nothing)", f"{again['seconds']:.1f} s", "-", "-", "-"),
        ("refresh of the views after", f"{refresh_s:.1f} s", "-", "-", "-"),
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
