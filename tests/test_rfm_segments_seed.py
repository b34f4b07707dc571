"""The RFM segment seed: each of the 125 (R, F, M) score combinations maps to exactly one segment.

R, F and M are scores 1-5, 5 being best (most recent, most frequent, highest spend). The rules
use R and FM = round((F + M) / 2), rounding halves up, i.e. FM = (F + M + 1) // 2. They are
evaluated in order and the first match wins:

1. Champions:          R 5 and FM 4-5, or R 4 and FM 5
2. Loyal Customers:    R 3-4 and FM 4-5
3. Can't Lose Them:    R 1-2 and FM 5
4. At Risk:            R 1-2 and FM 3-4
5. Potential Loyalist: R 4-5 and FM 2-3
6. New Customers:      R 5 and FM 1
7. Promising:          R 4 and FM 1
8. Need Attention:     R 3 and FM 3
9. About To Sleep:     R 3 and FM 1-2
10. Hibernating:       R 2 and FM 1-2
11. Lost:              R 1 and FM 1-2

Every combination matches a rule, and `seeds/rfm_segments.csv` holds the result, one row per
combination, with the segment's description and suggested action.
"""

from __future__ import annotations

import csv
from collections import Counter
from itertools import product

from salesdw.settings import PROJECT_ROOT

SEGMENTS = {
    "Champions",
    "Loyal Customers",
    "Potential Loyalist",
    "New Customers",
    "Promising",
    "Need Attention",
    "About To Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
}
HEADER = ["r_score", "f_score", "m_score", "segment", "description", "suggested_action"]
SCORES = range(1, 6)


def _rows() -> list[dict[str, str]]:
    with (PROJECT_ROOT / "seeds" / "rfm_segments.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _scores(row: dict[str, str]) -> tuple[int, int, int]:
    return int(row["r_score"]), int(row["f_score"]), int(row["m_score"])


def _segment_by_rules(r: int, f: int, m: int) -> str:
    """The rule set from the module docstring, first match wins."""
    fm = (f + m + 1) // 2
    rules = [
        ("Champions", (r == 5 and fm >= 4) or (r == 4 and fm == 5)),
        ("Loyal Customers", r in (3, 4) and fm >= 4),
        ("Can't Lose Them", r in (1, 2) and fm == 5),
        ("At Risk", r in (1, 2) and fm in (3, 4)),
        ("Potential Loyalist", r in (4, 5) and fm in (2, 3)),
        ("New Customers", r == 5 and fm == 1),
        ("Promising", r == 4 and fm == 1),
        ("Need Attention", r == 3 and fm == 3),
        ("About To Sleep", r == 3 and fm in (1, 2)),
        ("Hibernating", r == 2 and fm in (1, 2)),
        ("Lost", r == 1 and fm in (1, 2)),
    ]
    return next(segment for segment, matches in rules if matches)


def _segment_of(r: int, f: int, m: int) -> str:
    (row,) = [row for row in _rows() if _scores(row) == (r, f, m)]
    return row["segment"]


def test_header_names_the_columns() -> None:
    with (PROJECT_ROOT / "seeds" / "rfm_segments.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == HEADER


def test_scores_are_integers_from_1_to_5() -> None:
    for row in _rows():
        for column in ("r_score", "f_score", "m_score"):
            assert row[column] in {"1", "2", "3", "4", "5"}, row


def test_every_score_combination_appears_exactly_once() -> None:
    combinations = [_scores(row) for row in _rows()]
    assert len(combinations) == 125
    assert not [c for c, n in Counter(combinations).items() if n > 1]
    assert set(combinations) == set(product(SCORES, SCORES, SCORES))


def test_rows_are_sorted_by_r_f_m() -> None:
    combinations = [_scores(row) for row in _rows()]
    assert combinations == sorted(combinations)


def test_exactly_the_eleven_named_segments_appear() -> None:
    assert {row["segment"] for row in _rows()} == SEGMENTS


def test_rows_follow_the_documented_rule_set() -> None:
    for row in _rows():
        assert row["segment"] == _segment_by_rules(*_scores(row)), row


def test_each_segment_has_one_non_empty_description_and_action() -> None:
    texts: dict[str, set[tuple[str, str]]] = {}
    for row in _rows():
        texts.setdefault(row["segment"], set()).add((row["description"], row["suggested_action"]))
    for segment, pairs in texts.items():
        assert len(pairs) == 1, segment
        ((description, action),) = pairs
        assert description.strip(), segment
        assert action.strip(), segment


def test_descriptions_and_actions_differ_between_segments() -> None:
    pairs = {(row["description"], row["suggested_action"]) for row in _rows()}
    assert len({description for description, _ in pairs}) == len(SEGMENTS)
    assert len({action for _, action in pairs}) == len(SEGMENTS)


def test_best_scores_are_champions() -> None:
    assert _segment_of(5, 5, 5) == "Champions"


def test_worst_scores_are_lost() -> None:
    assert _segment_of(1, 1, 1) == "Lost"


def test_very_recent_single_small_order_is_a_new_customer() -> None:
    assert _segment_of(5, 1, 1) == "New Customers"


def test_former_best_customers_gone_quiet_are_cant_lose_them() -> None:
    assert _segment_of(1, 5, 5) == "Can't Lose Them"
