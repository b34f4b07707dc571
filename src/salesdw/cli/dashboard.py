"""`salesdw dashboard`: serve the Streamlit dashboard over the warehouse."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from salesdw.errors import SalesdwError

out = Console(soft_wrap=True, highlight=False)

#: dashboard/app.py of the checkout salesdw runs from (an editable install: src/salesdw/...).
APP = Path(__file__).resolve().parents[3] / "dashboard" / "app.py"


class DashboardError(SalesdwError):
    exit_code = 2


def dashboard(
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="TCP port of the dashboard's web server.")
    ] = 8501,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; 0.0.0.0 to let other machines connect."),
    ] = "127.0.0.1",
    headless: Annotated[
        bool,
        typer.Option(
            "--headless/--open",
            help="--open also opens it in a browser (the default where there is a display).",
        ),
    ] = False,
) -> None:
    """Serve the dashboard on http://HOST:PORT until Ctrl-C.

    It reads the warehouse salesdw uses (DATABASE_URL, else the embedded server, started if
    needed). Seed, refresh and train first (make demo does all of it) for every page to fill.
    """
    from salesdw.db.connect import get_engine, libpq_url
    from salesdw.settings import get_settings

    if not APP.exists():
        raise DashboardError(
            f"the dashboard is not where salesdw expects it ({APP}); run salesdw from its "
            "repository checkout (make install), or: streamlit run dashboard/app.py"
        )
    engine = get_engine()  # a one-line error now, rather than a broken page, when unreachable
    with engine.connect():
        pass
    where = libpq_url(engine.url)
    engine.dispose()
    problem = _listen_problem(host, port)
    if problem:
        raise DashboardError(problem)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host
    out.print(f"Dashboard on http://{shown}:{port} over {where} (Ctrl-C stops it)")
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port), "--server.address", host,
        "--browser.gatherUsageStats", "false", "--server.showEmailPrompt", "false",
        # dashboard/static/ holds the world map's outlines, which Plotly would fetch from its
        # CDN: served here, the map draws without internet access
        "--server.enableStaticServing", "true",
        # the Import page's upload limit (SALESDW_MAX_UPLOAD_MB)
        "--server.maxUploadSize", str(get_settings().max_upload_mb),
    ]  # fmt: skip
    if headless:
        command += ["--server.headless", "true"]
    try:
        code = subprocess.call(command)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


def _listen_problem(host: str, port: int) -> str | None:
    """Why the dashboard could not listen on host:port, in words; None when it can."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror:
        return f"--host {host} is not an address or a known host name"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is in use (another dashboard?); stop it or pick "
                    "another with --port"
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return (
                    f"--host {host} is not an address of this machine; use 127.0.0.1 (this "
                    "machine only) or 0.0.0.0 (every network interface)"
                )
            return f"cannot listen on {host} port {port}: {exc.strerror or exc}"
    return None
