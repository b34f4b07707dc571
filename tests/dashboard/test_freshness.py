"""The frame's freshness badge: fresh or stale (data loaded since the refresh, a view behind the
others, a refresh long ago), with the times in SALESDW_TIMEZONE."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.status import warehouse_status
from tests.dashboard.conftest import OpenPage, assert_clean


def badges(at) -> list[str]:
    return [m.value for m in at.markdown if "-badge[" in m.value]


def warnings(at) -> str:
    return " ".join(warning.value for warning in at.warning)


def test_fresh_views_get_a_green_badge(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained, "sales")
    assert_clean(at)
    [badge] = badges(at)
    assert badge.startswith(":green-badge[") and "Fresh" in badge
    assert "refreshed" in badge and "ago" in badge
    assert warnings(at) == ""


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "UTC"])
def test_times_are_shown_in_the_configured_time_zone(
    open_page: OpenPage, trained: Engine, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    monkeypatch.setenv("SALESDW_TIMEZONE", zone)
    at = open_page(trained)
    status = warehouse_status(trained)
    local = status.data_through.astimezone(ZoneInfo(zone))
    shown = " ".join(caption.value for caption in at.caption)
    assert f"Data through {local:%d %b %Y %H:%M %Z}" in shown
    refreshed = status.refreshed_at.astimezone(ZoneInfo(zone))
    assert f"views refreshed {refreshed:%d %b %Y %H:%M %Z}" in shown
    if zone != "UTC":
        assert " UTC" not in shown


def test_data_loaded_after_the_refresh_gets_a_stale_badge_and_says_to_refresh(
    open_page: OpenPage, seeded_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESDW_TIMEZONE", "Europe/Berlin")
    with seeded_db.begin() as conn:
        loaded = conn.execute(text(
            "insert into ops.load_runs (kind, status, started_at, finished_at) "
            "values ('import', 'succeeded', now(), now()) returning finished_at"
        )).scalar_one()  # fmt: skip
    at = open_page(seeded_db)
    assert_clean(at)
    [badge] = badges(at)
    assert badge.startswith(":orange-badge[") and "Stale" in badge
    said = warnings(at)
    assert "Data was loaded at" in said and "run `make refresh`" in said
    assert f"{loaded.astimezone(ZoneInfo('Europe/Berlin')):%d %b %Y %H:%M %Z}" in said
    assert len(at.metric) == 8  # a warning, not a stop: the page still shows the figures


def test_views_refreshed_long_ago_get_a_stale_badge(open_page: OpenPage, seeded_db: Engine) -> None:
    with seeded_db.begin() as conn:
        for table in ("ops.refresh_log", "ops.load_runs"):
            conn.execute(text(f"update {table} set started_at = started_at - interval '5 days', "
                              "finished_at = finished_at - interval '5 days'"))  # fmt: skip
    at = open_page(seeded_db)
    assert_clean(at)
    assert badges(at)[0].startswith(":orange-badge[")
    assert "The views were last refreshed 5 days ago" in warnings(at)


def test_a_view_behind_the_others_gets_a_stale_badge(
    open_page: OpenPage, seeded_db: Engine
) -> None:
    with seeded_db.begin() as conn:
        conn.execute(text("update ops.refresh_log set data_through = data_through - "
                          "interval '2 days' where view_name = 'geo_sales'"))  # fmt: skip
    at = open_page(seeded_db)
    assert badges(at)[0].startswith(":orange-badge[")
    assert "Some views were refreshed before the latest order" in warnings(at)
