"""docker-compose.yml: Docker does not run on CI machines, so its promises are checked here."""

from __future__ import annotations

import re

import pytest
import yaml

from salesdw.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_db_is_the_official_image_with_a_health_check(compose: dict) -> None:
    db = compose["services"]["db"]
    assert re.fullmatch(r"postgres:\d+", db["image"])
    test = db["healthcheck"]["test"]
    assert "pg_isready" in " ".join(test)


def test_db_keeps_its_data_in_a_named_volume(compose: dict) -> None:
    db = compose["services"]["db"]
    named = [v.split(":")[0] for v in db["volumes"] if not v.startswith((".", "/"))]
    assert named and all(name in compose["volumes"] for name in named)


def test_password_must_be_set_never_defaulted(compose: dict) -> None:
    password = compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?.+\}", password)
    lines = (PROJECT_ROOT / "docker-compose.yml").read_text().splitlines()
    settings = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert "POSTGRES_PASSWORD:-" not in settings and "POSTGRES_PASSWORD=" not in settings


def test_app_waits_for_a_healthy_db_then_migrates(compose: dict) -> None:
    app = compose["services"]["app"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "salesdw migrate" in " ".join(app["command"])
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]


def test_app_serves_the_dashboard_after_migrating(compose: dict) -> None:
    app = compose["services"]["app"]
    command = " ".join(app["command"])
    assert command.index("salesdw migrate") < command.index("salesdw dashboard --host 0.0.0.0")
    assert any(port.endswith(":8501") for port in app["ports"])


def test_metabase_is_optional_and_points_at_db(compose: dict) -> None:
    metabase = compose["services"]["metabase"]
    assert metabase["profiles"] == ["bi"]
    assert metabase["depends_on"]["db"]["condition"] == "service_healthy"
    assert metabase["environment"]["MB_DB_HOST"] == "db"
    initdb = PROJECT_ROOT / "docker" / "initdb" / "01-metabase.sql"
    assert "create database metabase" in initdb.read_text()


def test_app_image_installs_the_package() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile
    for path in re.findall(r"^COPY (\S+) ", dockerfile, flags=re.M):
        assert (PROJECT_ROOT / path).exists(), path
