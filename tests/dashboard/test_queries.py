"""dashboard.queries: cached service calls, and calls run in the background (Pending)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from dashboard import queries
from salesdw.services import FilterError


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A fake service `probe` (no database): it waits for `release`, counts its calls and answers
    double its argument, or raises FilterError for a negative one."""
    state = {"calls": 0, "release": threading.Event(), "started": threading.Event()}

    def probe(engine, value: int) -> int:
        state["started"].set()
        assert state["release"].wait(timeout=30), "never released"
        state["calls"] += 1
        if value < 0:
            raise FilterError(f"{value} is negative")
        return value * 2

    monkeypatch.setitem(queries.SERVICES, "probe", probe)
    monkeypatch.setattr(queries, "engine", lambda: None)
    queries._cached.clear()
    yield state
    state["release"].set()
    queries._cached.clear()


def test_a_pending_call_runs_in_the_background_and_answers_what_call_answers(service):
    pending = queries.Pending("probe", 21)  # returns while the service still waits
    assert service["started"].wait(timeout=30)
    assert service["calls"] == 0
    service["release"].set()
    assert pending.result() == 42
    assert service["calls"] == 1


def test_a_pending_call_keeps_its_answer_in_the_cache_the_page_reads(service):
    service["release"].set()
    assert queries.Pending("probe", 5).result() == 10
    assert queries.call("probe", 5) == 10
    assert service["calls"] == 1  # the second answer came from the cache


def test_a_pending_call_raises_its_error_where_the_answer_is_taken(service):
    service["release"].set()
    pending = queries.Pending("probe", -1)
    with pytest.raises(FilterError, match="-1 is negative"):
        pending.result()
