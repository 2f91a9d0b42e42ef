"""The entry point: three lists in, who is who out (`reconcile`).

The HTTP service, the command line and the benchmark call it the same way. Steps, each
reported to `on_step` by name only (never a person): read and check the lists, build
each record's comparable keys, train and score (`linkage`), decide (`decisions`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from reconciliation.decisions import (
    Thresholds,
    copies_of,
    decide_pairs,
    duplicate_groups,
    duplicate_probabilities,
    one_to_one_probabilities,
)
from reconciliation.identity_keys import keys_of
from reconciliation.linkage import Scores, score
from reconciliation.records import InvalidLists, read_records
from reconciliation.schema import (
    AlreadyExchanged,
    HeldDuplicate,
    IdentityRecord,
    Match,
    ReconcileOptions,
    Reconciliation,
    RunSummary,
)
from reconciliation.steps import StepReport


def _rounded(probability: float) -> float:
    return round(probability, 4)


def read_lists(
    held: Sequence[object], requested: Sequence[object], exchanged: Sequence[object]
) -> tuple[list[IdentityRecord], list[IdentityRecord], list[IdentityRecord]]:
    """The three lists checked; `InvalidLists` names every problem of all three at once."""
    read = [
        read_records("held", held),
        read_records("requested", requested),
        read_records("exchanged", exchanged),
    ]
    problems = [problem for one in read for problem in one.problems]
    if problems:
        raise InvalidLists(problems)
    return read[0].records, read[1].records, read[2].records


def reconcile(
    held: Sequence[IdentityRecord],
    requested: Sequence[IdentityRecord],
    exchanged: Sequence[IdentityRecord] = (),
    options: ReconcileOptions | None = None,
    on_step: StepReport | None = None,
) -> Reconciliation:
    """Match the requested people to the held ones, find duplicates within the held
    list and held people already exchanged."""
    options = options or ReconcileOptions()
    report = on_step or (lambda _step: None)
    started = time.perf_counter()
    report("building comparable keys")
    held_keys = keys_of(held)
    requested_keys = keys_of(requested)
    exchanged_keys = keys_of(exchanged) if exchanged else None
    scores = None
    if held and requested:
        scores = score(
            requested_keys,
            held_keys,
            exchanged_keys,
            backend=options.backend,
            seed=options.seed,
            on_step=report,
        )
    report("deciding")
    thresholds = Thresholds(options.auto_probability, options.review_probability)
    result = decide(scores, thresholds) if scores is not None else Reconciliation()
    found = {match.requested_id for match in result.matches}
    result.unmatched_requested = [r.id for r in requested if r.id not in found]
    result.summary = RunSummary(
        held=len(held),
        requested=len(requested),
        exchanged=len(exchanged),
        compared_pairs=len(scores.requested_held.pairs) if scores is not None else 0,
        auto=sum(1 for m in result.matches if m.band == "auto"),
        review=sum(1 for m in result.matches if m.band == "review"),
        backend=options.backend,
        seconds=round(time.perf_counter() - started, 3),
    )
    return result


def decide(scores: Scores, thresholds: Thresholds) -> Reconciliation:
    """The decisions on scored pairs: duplicates first (a person listed twice is one
    candidate, not two rivals), then who is who, then who was already exchanged."""
    duplicates = duplicate_probabilities(scores.held_held)
    groups = duplicate_groups(duplicates, thresholds)
    copies = copies_of(groups)
    members: dict[str, list[str]] = {}
    for held_id, key in copies.items():
        members.setdefault(key, []).append(held_id)

    def held_ids(person: str, best: str) -> list[str]:
        """The copy with the best evidence first, then the others in id order."""
        return [best, *sorted(set(members.get(person, [best])) - {best})]

    matches = [
        Match(
            requested_id=decided.candidate.left,
            held_id=decided.candidate.pair.right,
            held_ids=held_ids(decided.candidate.right, decided.candidate.pair.right),
            probability=_rounded(decided.candidate.probability),
            band=decided.band,
            evidence=decided.candidate.pair.evidence,
        )
        for decided in decide_pairs(
            one_to_one_probabilities(
                scores.requested_held, learn_share=True, copies=copies, side="right"
            ),
            thresholds,
        )
    ]
    already_exchanged = [
        AlreadyExchanged(
            held_id=decided.candidate.pair.left,
            held_ids=held_ids(decided.candidate.left, decided.candidate.pair.left),
            exchanged_id=decided.candidate.right,
            probability=_rounded(decided.candidate.probability),
            band=decided.band,
            evidence=decided.candidate.pair.evidence,
        )
        for decided in decide_pairs(
            one_to_one_probabilities(scores.held_exchanged, copies=copies, side="left"),
            thresholds,
        )
    ]
    held_duplicates = [
        HeldDuplicate(
            held_ids=group.held_ids,
            probability=_rounded(group.weakest.probability),
            band=group.band,
        )
        for group in groups
    ]
    return Reconciliation(
        matches=matches, held_duplicates=held_duplicates, already_exchanged=already_exchanged
    )
