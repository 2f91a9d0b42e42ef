"""Where auto recall is lost: `python -m benchmarks.reconciliation.losses 1500x1500 --seed 0`.

Generates the benchmark's lists for one size and seed with the generator's noise
watched record by record (the same lists, byte for byte: the rates are the defaults,
only wrapped so that each draw that fired is recorded), reconciles them, and for every
requested person who is held but did not get an `auto` match with a held copy of
themselves, counts what went wrong (never compared, below the review threshold, in
review, or matched to someone else), which `auto` test failed, which kinds of noise
the two records carry, and which comparison levels the true pair hit. Prints counts
only: no name or birth date is printed.
"""

from __future__ import annotations

import argparse
import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from datetime import date
from typing import Any

from benchmarks.reconciliation import lists
from reconciliation.decisions import (
    Candidate,
    Thresholds,
    _agrees,
    best_assignment,
    copies_of,
    corroborated,
    dates_may_agree,
    decide_pairs,
    duplicate_groups,
    duplicate_probabilities,
    one_to_one_probabilities,
)
from reconciliation.identity_keys import keys_of
from reconciliation.linkage import compare_pairs, score
from reconciliation.reconcile import read_lists
from reconciliation.schema import ReconcileOptions

# The noise a record drew, by the Noise field whose draw fired, for the record being written.
_fired: set[str] | None = None


class _Watched(float):
    """A rate that records when a draw `random() < rate` fires (`rate.__gt__` is asked
    first, a float subclass on the right of a comparison with a float)."""

    name: str

    def __new__(cls, value: float, name: str) -> _Watched:
        rate = super().__new__(cls, value)
        rate.name = name
        return rate

    def __gt__(self, other: object) -> bool:
        fired = float(self) > other  # type: ignore[operator]
        if fired and _fired is not None:
            _fired.add(self.name)
        return fired


_WATCHED = (
    "held_latin",
    "requested_latin",
    "full_name",
    "swapped",
    "no_patronymic",
)


@contextlib.contextmanager
def watched_noise() -> Iterator[tuple[lists.Noise, dict[str, tuple[lists.Person, set[str]]]]]:
    """The default noise with its per-record draws watched, and per record id the person
    it describes and the noise it drew (typos counted by name part in the order drawn)."""
    global _fired
    seen: dict[str, tuple[lists.Person, set[str]]] = {}
    written, typo = lists._written, lists._typo

    def spy_written(
        rng: Any, noise: lists.Noise, clerk: Any, person: lists.Person, pid: str
    ) -> lists.Record:
        global _fired
        _fired = set()
        record = written(rng, noise, clerk, person, pid)
        seen[pid] = (person, _fired)
        _fired = None
        return record

    def spy_typo(rng: Any, text: str) -> str:
        if _fired is not None:
            _fired.add("typo")
        return typo(rng, text)

    default = lists.Noise()
    noise = lists.Noise(
        **{
            f.name: _Watched(getattr(default, f.name), f.name)
            if f.name in _WATCHED
            else getattr(default, f.name)
            for f in fields(lists.Noise)
        }
    )
    lists._written, lists._typo = spy_written, spy_typo
    try:
        yield noise, seen
    finally:
        lists._written, lists._typo = written, typo
        _fired = None


def _date_noise(record: lists.Record, born: date) -> str:
    text = record.get("birth_date")
    if not isinstance(text, str):
        return "date_missing"
    if "." in text:
        day, month, year = (int(x) for x in text.split("."))
    else:
        year, month, day = (int(x) for x in text.split("-"))
    kinds = []
    if (month, day) == (born.day, born.month) and born.day != born.month:
        kinds.append("day_month_swapped")
    if year != born.year:
        kinds.append("year_off")
    return "+".join(kinds) or "date_ok"


def _labels(record: lists.Record, person: lists.Person, fired: set[str], side: str) -> list[str]:
    tags = [f"{side}:{name.replace('held_', '').replace('requested_', '')}" for name in fired]
    tags.append(f"{side}:{_date_noise(record, person.born)}")
    return tags


def _auto_tests(candidate: Candidate, thresholds: Thresholds) -> list[str]:
    failed = []
    if candidate.probability < thresholds.auto_probability:
        failed.append("probability")
    if not dates_may_agree(candidate.pair):
        failed.append("dates")
    if not corroborated(candidate.pair):
        failed.append("corroboration")
    return failed


def analyse(held_size: int, requested_size: int, seed: int) -> dict[str, Counter[str]]:
    with watched_noise() as (noise, seen):
        synthetic = lists.generate_lists(held_size, requested_size, seed, noise)
    held, requested, exchanged = read_lists(
        synthetic.held, synthetic.requested, synthetic.exchanged
    )
    options = ReconcileOptions()
    thresholds = Thresholds(options.auto_probability, options.review_probability)
    scores = score(keys_of(requested), keys_of(held), keys_of(exchanged))
    groups = duplicate_groups(duplicate_probabilities(scores.held_held), thresholds)
    copies = copies_of(groups)
    candidates = one_to_one_probabilities(
        scores.requested_held, learn_share=True, copies=copies, side="right"
    )
    decided = decide_pairs(candidates, thresholds)
    records = {str(r["id"]): r for r in (*synthetic.held, *synthetic.requested)}
    compared = {(p.left, p.right) for p in scores.requested_held.pairs}
    by_left: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_left.setdefault(candidate.left, []).append(candidate)
    auto = {d.candidate.left: d.candidate for d in decided if d.band == "auto"}
    in_review = {d.candidate.left for d in decided if d.band == "review"}

    found: dict[str, Counter[str]] = {
        name: Counter()
        for name in (
            "outcome",
            "auto_test_failed",
            "noise",
            "levels",
            "probability",
            "rival",
            "corroboration_gap",
            "blocking_miss",
            "only_corroboration_failed_chosen",
        )
    }
    chosen_pairs = best_assignment(
        [c for c in candidates if c.probability >= thresholds.review_probability]
    )
    for candidate in chosen_pairs:
        if _auto_tests(candidate, thresholds) != ["corroboration"]:
            continue
        right = candidate.pair.right in synthetic.truth.match_of.get(candidate.left, ())
        found["only_corroboration_failed_chosen"][
            f"{_gap(candidate)} p>={_floor(candidate.probability)} {'right' if right else 'WRONG'}"
        ] += 1
    missed_pairs: list[tuple[str, str]] = []
    for requested_id, truth in synthetic.truth.match_of.items():
        if not truth:
            continue
        chosen = auto.get(requested_id)
        if chosen is not None and chosen.pair.right in truth:
            found["outcome"]["auto right"] += 1
            continue
        true_candidates = [c for c in by_left.get(requested_id, []) if c.pair.right in truth]
        if chosen is not None:
            outcome = "auto, wrong person"
        elif not any((requested_id, held_id) in compared for held_id in truth):
            outcome = "not a candidate (never blocked together, or pairwise < 0.001)"
        elif not true_candidates:
            outcome = "compared, dropped (pairwise < 0.001)"
        elif requested_id in in_review:
            outcome = "review"
        else:
            outcome = "below review threshold"
        found["outcome"][outcome] += 1
        person, fired_r = seen[requested_id]
        tags = _labels(records[requested_id], person, fired_r, "req")
        for held_id in truth:
            tags += _labels(records[held_id], *seen[held_id], "held")
        found["noise"].update(set(tags))
        if outcome.startswith("not a candidate"):
            missed_pairs += [(requested_id, held_id) for held_id in truth]
        if not true_candidates:
            continue
        best = max(true_candidates, key=lambda c: c.probability)
        failed = _auto_tests(best, thresholds)
        found["auto_test_failed"]["+".join(failed) or "not chosen"] += 1
        if "corroboration" in failed:
            found["corroboration_gap"][_gap(best)] += 1
        for field, level in best.pair.evidence.items():
            if level not in ("missing",):
                found["levels"][f"{field}:{level}"] += 1
        bucket = min(int(best.probability * 10), 9) / 10
        found["probability"][f"{bucket:.1f}-{bucket + 0.1:.1f}"] += 1
        rivals = [c for c in by_left[requested_id] if c.pair.right not in truth]
        top_rival = max((c.probability for c in rivals), default=0.0)
        pairwise = best.pair.probability
        found["rival"][
            f"pairwise {'>=0.95' if pairwise >= 0.95 else '<0.95'}, "
            f"rival {'>=0.05' if top_rival >= 0.05 else '<0.05'}"
        ] += 1
    if missed_pairs:
        by_id = {r.id: r for r in (*held, *requested)}
        evidence = compare_pairs(
            keys_of([by_id[r] for r, _ in missed_pairs]),
            keys_of([by_id[h] for _, h in missed_pairs]),
        )
        for levels in evidence:
            found["blocking_miss"][
                " ".join(
                    f"{f}={levels[f]}"
                    for f in ("surname", "given_name", "patronymic", "birth_date")
                )
            ] += 1
    return found


def _gap(candidate: Candidate) -> str:
    """Why a pair is not corroborated: which names disagree, or what the third field is."""
    names = [f for f in ("surname", "given_name") if not _agrees(candidate.pair, f)]
    if names:
        return "name differs: " + ",".join(f"{f}={candidate.pair.evidence.get(f)}" for f in names)
    return "no third field: " + " ".join(
        f"{f}={candidate.pair.evidence.get(f, 'missing')}"
        for f in ("birth_date", "patronymic", "serial_number")
    )


def _floor(probability: float) -> str:
    for bound in (0.999, 0.99, 0.95):
        if probability >= bound:
            return str(bound)
    return "0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reconciliation.losses")
    parser.add_argument("size", help="HELDxREQUESTED, e.g. 1500x1500")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    held_size, _, requested_size = args.size.partition("x")
    found = analyse(int(held_size), int(requested_size), args.seed)
    for name, counts in found.items():
        print(f"== {name}")
        for key, count in counts.most_common():
            print(f"{count:6d}  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
