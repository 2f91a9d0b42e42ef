"""Training and scoring on lists that give different fields (a field on one side only)."""

from __future__ import annotations

import random
from functools import cache

import pytest

from benchmarks.reconciliation.lists import SyntheticLists, generate_lists
from benchmarks.reconciliation.scoring import score_reconciliation
from reconciliation.identity_keys import keys_of
from reconciliation.linkage import _model_for, columns_given, in_dialect, score
from reconciliation.linkage_model import MIN_PAIRS_TO_TRAIN
from reconciliation.reconcile import read_lists, reconcile

Records = list[dict[str, object]]
_PLACES = ("Київ", "Харків", "Львів", "Одеса", "Дніпро", "Полтава", "Суми", "Чернігів")


@cache
def _lists() -> SyntheticLists:
    # 600 x 600: 360,000 possible pairs, so the model is trained (u, EM), not scored on
    # its priors; lists shorter than MIN_PAIRS_TO_TRAIN never reach the failing steps.
    lists = generate_lists(600, 600, 7)
    assert len(lists.held) * len(lists.requested) >= MIN_PAIRS_TO_TRAIN
    return lists


def _without(records: Records, field: str) -> Records:
    return [{k: v for k, v in record.items() if k != field} for record in records]


def _with_places(records: Records) -> Records:
    rng = random.Random(3)
    return [{**record, "birth_place": rng.choice(_PLACES)} for record in records]


def test_a_request_list_without_birth_dates_is_trained_and_scored() -> None:
    lists = _lists()
    held, requested, exchanged = read_lists(
        lists.held, _without(lists.requested, "birth_date"), lists.exchanged
    )
    scores = score(keys_of(requested), keys_of(held), keys_of(exchanged))
    # The prior comes from a sure-match rule that needs no date: hundreds of expected
    # matches, not the floor of one.
    expected = scores.requested_held.prior * len(requested) * len(held)
    assert 200 <= expected <= len(requested)
    # The link compares no birth date (the requests have none), the registry does.
    assert all("birth_date" not in p.evidence for p in scores.requested_held.pairs)
    assert any(p.evidence.get("birth_date") == "exact" for p in scores.held_exchanged.pairs)
    assert any(p.evidence.get("birth_date") == "exact" for p in scores.held_held.pairs)

    result = reconcile(held, requested, exchanged)
    measured = score_reconciliation(result, lists.truth, len(requested))
    assert measured.auto_precision == 1.0
    assert measured.auto_recall >= 0.4  # patronymics and service numbers corroborate
    assert measured.auto_or_review_recall >= 0.9


def test_a_model_is_rewritten_for_another_backends_sql() -> None:
    """Splink reads a model's SQL in its backend's dialect, where DuckDB's "column" is a
    string to Spark: a model moves between backends rewritten, m and u kept."""
    small = generate_lists(40, 40, 7)
    held, requested, exchanged = read_lists(
        small.held, _without(small.requested, "birth_date"), small.exchanged
    )
    model = score(keys_of(requested), keys_of(held), keys_of(exchanged)).model
    on_spark = in_dialect(model, "spark")
    conditions = [
        level["sql_condition"]
        for comparison in on_spark["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    assert conditions
    assert all('"' not in condition for condition in conditions)
    assert in_dialect(on_spark, "duckdb") == model
    # A field the requests lack (birth dates) joins the model at its priors for the held
    # list against itself: written in the model's dialect too.
    within_held = _model_for(on_spark, columns_given(keys_of(held), keys_of(held)))
    added = [c for c in within_held["comparisons"] if c["output_column_name"] == "birth_date"]
    assert added
    assert all('"' not in lvl["sql_condition"] for lvl in added[0]["comparison_levels"])


@pytest.mark.slow
@pytest.mark.parametrize("side", ["requested", "held"])
@pytest.mark.parametrize(
    "field", ["birth_date", "patronymic", "serial_number", "unit", "birth_place"]
)
def test_a_field_on_one_side_only_is_not_compared(field: str, side: str) -> None:
    lists = _lists()
    held_records, requested_records = lists.held, lists.requested
    if field == "birth_place":  # the generator writes no places: give them to one side
        if side == "requested":
            held_records = _with_places(held_records)
        else:
            requested_records = _with_places(requested_records)
    elif side == "requested":
        requested_records = _without(requested_records, field)
    else:
        held_records = _without(held_records, field)
    held, requested, exchanged = read_lists(held_records, requested_records, lists.exchanged)
    result = reconcile(held, requested, exchanged)
    if field != "patronymic":  # full names still carry one, on both sides
        assert all(field not in match.evidence for match in result.matches)
    measured = score_reconciliation(result, lists.truth, len(requested))
    assert measured.auto_precision >= 0.995
    assert measured.auto_or_review_recall >= 0.9
