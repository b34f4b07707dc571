"""The embedded server: created on first use, reused, stopped with its data kept."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from salesdw.db.embedded import EmbeddedServer
from salesdw.errors import EmbeddedServerError
from tests.pg_servers import _free_port


def _query(server: EmbeddedServer, sql: str):
    url = server.url()
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(tmp_path_factory.mktemp("embedded"), _free_port())
    yield embedded
    embedded.stop()


def test_fresh_folder_is_not_initialised(tmp_path: Path) -> None:
    state = EmbeddedServer(tmp_path, _free_port()).status()
    assert (state.initialized, state.running) == (False, False)


def test_first_use_creates_and_starts_a_postgresql_18_server(server: EmbeddedServer) -> None:
    url = server.ensure_running()
    assert (url.host, url.port, url.database) == ("127.0.0.1", server.port, "salesdw")
    assert server.status().running
    assert server.server_version().startswith("18.")
    assert _query(server, "show timezone") == [("UTC",)]


def test_second_use_reuses_the_running_server(server: EmbeddedServer) -> None:
    server.ensure_running()
    pid = server.status().pid
    server.ensure_running()
    assert server.status().pid == pid


def test_stop_keeps_the_data(server: EmbeddedServer) -> None:
    server.ensure_running()
    _query(server, "create table if not exists kept (x int)")
    _query(server, "insert into kept values (7)")
    assert server.stop() is True
    assert server.status().running is False
    assert server.stop() is False
    server.ensure_running()
    assert _query(server, "select x from kept") == [(7,)]


def test_taken_port_gives_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(EmbeddedServerError, match="SALESDW_PG_PORT"):
            EmbeddedServer(tmp_path, port).ensure_running()


def test_folder_that_is_not_a_cluster_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "pgdata").mkdir()
    (tmp_path / "pgdata" / "notes.txt").write_text("mine")
    with pytest.raises(EmbeddedServerError, match="holds no PostgreSQL cluster"):
        EmbeddedServer(tmp_path, _free_port()).ensure_running()
    assert (tmp_path / "pgdata" / "notes.txt").read_text() == "mine"


@pytest.mark.skipif(os.geteuid() != 0, reason="this run is already an ordinary user's")
def test_works_for_an_ordinary_user(tmp_path: Path) -> None:
    """Root runs the server as a system user; an ordinary user runs it as themselves."""
    user = pwd.getpwnam("nobody")
    # This interpreter may sit in root's home; the same Python from the system will do, given
    # this run's import path (the virtualenv and the checkout must be readable by others).
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    python = next(
        (
            candidate
            for candidate in (
                sys.executable,
                f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}",
            )
            if _runs_as(user, [candidate, "-c", "import salesdw.db.embedded"], env)
        ),
        None,
    )
    if python is None:
        pytest.skip("no Python interpreter and salesdw checkout that user nobody can read")
    tmp_path.chmod(0o755)
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, user.pw_uid, user.pw_gid)
    script = (
        "from salesdw.db.embedded import EmbeddedServer; import sys; "
        f"s = EmbeddedServer('{data}', {_free_port()}); s.ensure_running(); "
        "print(s.server_version()); s.stop()"
    )
    done = subprocess.run(
        [python, "-c", script], user=user.pw_uid, group=user.pw_gid, extra_groups=[],
        capture_output=True, text=True, cwd="/", env=env, check=False,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("18.")
    assert (data / "pgdata").stat().st_uid == user.pw_uid


def _runs_as(user: pwd.struct_passwd, argv: list[str], env: dict[str, str]) -> bool:
    try:
        done = subprocess.run(
            argv, user=user.pw_uid, group=user.pw_gid, extra_groups=[], env=env, cwd="/",
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
    except OSError:
        return False
    return done.returncode == 0
