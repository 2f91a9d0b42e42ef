"""How right a reconciliation is, against the generator's truth."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import combinations

from benchmarks.reconciliation.lists import Truth
from reconciliation.schema import Reconciliation


@dataclass(frozen=True)
class Score:
    auto_precision: float
    auto_recall: float
    auto_or_review_recall: float
    review_share: float  # requested people left to a person (review, no auto)
    auto: int
    review_people: int
    wrong_auto: int
    matchable: int
    duplicates_precision: float
    duplicates_recall: float
    exchanged_precision: float
    exchanged_recall: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def score_reconciliation(result: Reconciliation, truth: Truth, requested: int) -> Score:
    auto = [m for m in result.matches if m.band == "auto"]
    right_auto = sum(1 for m in auto if m.held_id in truth.match_of.get(m.requested_id, ()))
    auto_people = {m.requested_id for m in auto}
    found = {
        m.requested_id
        for m in result.matches
        if m.held_id in truth.match_of.get(m.requested_id, ())
    }
    review_people = {m.requested_id for m in result.matches if m.band == "review"} - auto_people

    true_duplicates = {frozenset(pair) for pair in truth.duplicates}
    said_duplicates = {
        frozenset(pair)
        for group in result.held_duplicates
        for pair in combinations(group.held_ids, 2)
    }
    right_duplicates = len(said_duplicates & true_duplicates)

    said_exchanged = [(e.held_id, e.exchanged_id) for e in result.already_exchanged]
    right_exchanged = sum(1 for h, x in said_exchanged if truth.exchanged_of.get(h) == x)
    return Score(
        auto_precision=_ratio(right_auto, len(auto)),
        auto_recall=_ratio(right_auto, truth.matchable),
        auto_or_review_recall=_ratio(len(found), truth.matchable),
        review_share=_ratio(len(review_people), requested),
        auto=len(auto),
        review_people=len(review_people),
        wrong_auto=len(auto) - right_auto,
        matchable=truth.matchable,
        duplicates_precision=_ratio(right_duplicates, len(said_duplicates)),
        duplicates_recall=_ratio(right_duplicates, len(true_duplicates)),
        exchanged_precision=_ratio(right_exchanged, len(said_exchanged)),
        exchanged_recall=_ratio(
            len({h for h, x in said_exchanged if truth.exchanged_of.get(h) == x}),
            len(truth.exchanged_of),
        ),
    )
