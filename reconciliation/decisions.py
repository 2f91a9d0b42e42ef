"""From scored pairs to decisions a person can trust: `auto`, `review`, or nothing.

The linkage model scores each pair on its own: how much likelier its agreements are
for one person than for two, against the odds that two random records match. Who is
who is a one-to-one question, though, and the other candidates are evidence too: a
requested person whose full name and birth date agree with exactly one held person, and
with no one else, is that person far more surely than the pair alone says; one with two
equally good namesakes is neither for sure. So each pair's probability is taken over
every one-to-one answer (`matching_posterior`): every way of pairing the candidates
with no one twice, each as likely as the product of its pairs' weights, where a pair's
weight is its odds against both people being unmatched (its odds divided by
(1 - share_a) * (1 - share_b), share_a being the share of a's list that has a match at
all). Two equally good rivals get 1/2 each; two requested namesakes against two held
ones, all four pairs strong, get about 1/2 each too. The share of requested people who
are held is learnt from the lists (a few rounds of expectation maximisation).

A held person listed twice (an `auto` group of `held_duplicates`) is one person here,
not two rivals: a requested person is matched to the group, by the group's record that
agrees best, and the answer says which held records the match stands for.

Then an exact one-to-one assignment (maximum sum of probabilities, a min-cost flow from
OR-Tools) chooses, and the bands follow:

- `auto`: a chosen pair whose probability reaches the auto threshold, whose birth
  dates, when both are given, agree up to a day/month swap or a year, and that is
  corroborated: both names agree, and a birth date, a patronymic or a service number
  (or, where only the surname differs, the exact birth date and the patronymic);
- `review`: any other candidate pair at or above the review threshold; two close
  candidates of one person both land here, since neither can reach the auto threshold
  while the other holds a share of the probability. A person decides, never a coin.
  A person with a pair in review is shown every candidate from `RIVAL_PROBABILITY` on,
  so that a close rival is never hidden from the mediator who decides.

Weaker candidates are not returned.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ortools.graph.python import min_cost_flow

from reconciliation.linkage import PairSet, ScoredPair
from reconciliation.linkage_model import AGREEING_LEVELS, DATE_LEVELS_THAT_MAY_AGREE
from reconciliation.matching_posterior import Edge, MatchingPosterior
from reconciliation.schema import Band

_COST_SCALE = 1_000_000
_SHARE_ROUNDS = 12
_SHARE_BOUNDS = (0.02, 0.98)
# Odds beyond 2^200 say nothing more (and would overflow a float's exponent later).
_MAX_BITS = 200.0
# A person in review is shown every candidate from this probability on (module doc).
RIVAL_PROBABILITY = 0.05


@dataclass(frozen=True)
class Thresholds:
    auto_probability: float
    review_probability: float


@dataclass(frozen=True)
class Candidate:
    """Two people and the probability that they are one, over every one-to-one answer.

    `left` and `right` are the people: a record id, or for a person listed more than
    once, the key of their duplicate group (`copies`). `pair` is the pair of records
    whose evidence is shown: for a group, the copy that agrees best."""

    pair: ScoredPair
    probability: float
    left: str
    right: str

    @classmethod
    def of(cls, pair: ScoredPair, probability: float) -> Candidate:
        return cls(pair, probability, pair.left, pair.right)


@dataclass(frozen=True)
class Decided:
    candidate: Candidate
    band: Band


def dates_may_agree(pair: ScoredPair) -> bool:
    """Both birth dates given and disagreeing beyond a swap or a year: never `auto`."""
    level = pair.evidence.get("birth_date", "missing")
    return level == "missing" or level in DATE_LEVELS_THAT_MAY_AGREE


def _agrees(pair: ScoredPair, field: str) -> bool:
    return pair.evidence.get(field, "missing") in AGREEING_LEVELS[field]


def corroborated(pair: ScoredPair) -> bool:
    """Both names agree, and so does a birth date, a patronymic or a service number; or
    the given name, the patronymic and the exact birth date agree where the surname does
    not (a surname mistyped beyond recognition, or written as no standard writes it).

    A probability alone can be high on thin evidence (a rare surname and given name, no
    date on one list): such a pair is left to a person, whatever its probability. A given
    name that differs is never passed over: twins share surname, patronymic and birth
    date, and only their given names tell them apart.
    """
    if not _agrees(pair, "given_name"):
        return False
    if _agrees(pair, "surname"):
        return any(_agrees(pair, field) for field in ("birth_date", "patronymic", "serial_number"))
    return pair.evidence.get("birth_date") == "exact" and _agrees(pair, "patronymic")


def clearly_right(candidate: Candidate, thresholds: Thresholds) -> bool:
    """The tests of `auto` other than being chosen in the one-to-one assignment."""
    return (
        candidate.probability >= thresholds.auto_probability
        and dates_may_agree(candidate.pair)
        and corroborated(candidate.pair)
    )


def _odds(match_weight: float) -> float:
    return math.pow(2.0, min(match_weight, _MAX_BITS))


def _probability(
    odds: float, share_a: float, rivals_a: float, share_b: float, rivals_b: float
) -> float:
    """A pair against both people unmatched and against each one's rivals, the rivals
    taken as disjoint (used within one list, where `duplicate_probabilities` excludes
    the candidates two records share); `odds` and the rivals' sums are Splink's odds,
    against a random pair."""
    unmatched = (1.0 - share_a) * (1.0 - share_b)
    ratio = odds / unmatched
    return ratio / (ratio + (1.0 + rivals_a / unmatched) * (1.0 + rivals_b / unmatched))


Side = Literal["left", "right"]


def person_pairs(
    scored: PairSet, copies: Mapping[str, str] | None = None, side: Side = "right"
) -> list[tuple[str, str, ScoredPair]]:
    """The pairs as pairs of people: on `side`, each record read as its duplicate
    group's key (`copies`: record id -> group key), and of a person's pairs with one
    group only the strongest kept (its copies are one candidate, not rivals)."""
    group_of = copies or {}
    best: dict[tuple[str, str], ScoredPair] = {}
    for pair in scored.pairs:
        left, right = pair.left, pair.right
        if side == "right":
            right = group_of.get(right, right)
        else:
            left = group_of.get(left, left)
        key = (left, right)
        if key not in best or pair.match_weight > best[key].match_weight:
            best[key] = pair
    return [(left, right, pair) for (left, right), pair in best.items()]


def one_to_one_probabilities(
    scored: PairSet,
    *,
    learn_share: bool = False,
    copies: Mapping[str, str] | None = None,
    side: Side = "right",
) -> list[Candidate]:
    """Each pair's probability over every one-to-one answer (see the module doc).

    `learn_share`: re-estimate the share of left records that have a match, starting
    from the prior the pairs were scored under (expectation maximisation). `copies`:
    records of `side` that are one person listed more than once (`person_pairs`).
    """
    people = person_pairs(scored, copies, side)
    if not people:
        return []
    merged = len(copies or {}) - len(set((copies or {}).values()))
    left_count = max(scored.left_count - (merged if side == "left" else 0), 1)
    right_count = max(scored.right_count - (merged if side == "right" else 0), 1)
    share_left = min(scored.prior * right_count, _SHARE_BOUNDS[1])
    share_right = min(scored.prior * left_count, _SHARE_BOUNDS[1])
    bits = math.log(2.0)
    posterior = MatchingPosterior(
        [
            Edge(left, right, min(pair.match_weight, _MAX_BITS) * bits)
            for left, right, pair in people
        ]
    )
    log_scale = 0.0
    probabilities: list[float] = []
    for _ in range(_SHARE_ROUNDS if learn_share else 1):
        unmatched = math.log1p(-share_left) + math.log1p(-share_right)
        probabilities = posterior.probabilities(log_scale - unmatched)
        if learn_share:
            expected = sum(probabilities)
            learnt = min(max(expected / left_count, _SHARE_BOUNDS[0]), _SHARE_BOUNDS[1])
            log_scale += math.log(learnt / share_left)
            share_left = learnt
            share_right = min(expected / right_count, _SHARE_BOUNDS[1])
    return [
        Candidate(pair, probability, left, right)
        for (left, right, pair), probability in zip(people, probabilities, strict=True)
    ]


def duplicate_probabilities(scored: PairSet) -> list[Candidate]:
    """Within one list the question is who is listed more than once, not who is whom
    one to one: a record's rivals are its other candidates, except those that are
    candidates of the other record too (three records linked each to each are one
    person listed three times, not three people competing)."""
    if not scored.pairs:
        return []
    share = min(scored.prior * max(scored.left_count - 1, 1), 0.5)
    neighbours: dict[str, dict[str, float]] = defaultdict(dict)
    for pair in scored.pairs:
        odds = _odds(pair.match_weight)
        neighbours[pair.left][pair.right] = odds
        neighbours[pair.right][pair.left] = odds

    def rivals(record: str, partner: str) -> float:
        theirs = neighbours[partner]
        return sum(
            odds
            for other, odds in neighbours[record].items()
            if other != partner and other not in theirs
        )

    return [
        Candidate.of(
            pair,
            _probability(
                _odds(pair.match_weight),
                share,
                rivals(pair.left, pair.right),
                share,
                rivals(pair.right, pair.left),
            ),
        )
        for pair in scored.pairs
    ]


def best_assignment(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The one-to-one choice of candidates with the largest sum of probabilities."""
    if not candidates:
        return []
    lefts = sorted({c.left for c in candidates})
    rights = sorted({c.right for c in candidates})
    left_node = {name: 1 + i for i, name in enumerate(lefts)}
    right_node = {name: 1 + len(lefts) + i for i, name in enumerate(rights)}
    source, sink = 0, 1 + len(lefts) + len(rights)
    flow = min_cost_flow.SimpleMinCostFlow()
    for node in left_node.values():
        flow.add_arc_with_capacity_and_unit_cost(source, node, 1, 0)
    for node in right_node.values():
        flow.add_arc_with_capacity_and_unit_cost(node, sink, 1, 0)
    # Leaving a person unmatched costs nothing.
    flow.add_arc_with_capacity_and_unit_cost(source, sink, len(lefts), 0)
    ordered = sorted(candidates, key=lambda c: (c.left, c.right))
    arcs = [
        flow.add_arc_with_capacity_and_unit_cost(
            left_node[c.left], right_node[c.right], 1, -round(c.probability * _COST_SCALE)
        )
        for c in ordered
    ]
    flow.set_node_supply(source, len(lefts))
    flow.set_node_supply(sink, -len(lefts))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"the assignment could not be solved (status {status})")
    return [c for c, arc in zip(ordered, arcs, strict=True) if flow.flow(arc) > 0]


def decide_pairs(candidates: Iterable[Candidate], thresholds: Thresholds) -> list[Decided]:
    """Bands for the pairs of a one-to-one question (requested-held, held-exchanged):
    the assignment's clear pairs `auto`, every other pair from the review threshold on
    `review`, and beside a person in review, every rival from `RIVAL_PROBABILITY` on."""
    candidates = list(candidates)
    kept = [c for c in candidates if c.probability >= thresholds.review_probability]
    chosen = {(c.left, c.right) for c in best_assignment(kept)}
    decided = []
    for candidate in kept:
        clear = (candidate.left, candidate.right) in chosen and clearly_right(candidate, thresholds)
        decided.append(Decided(candidate, "auto" if clear else "review"))
    in_review_left = {d.candidate.left for d in decided if d.band == "review"}
    in_review_right = {d.candidate.right for d in decided if d.band == "review"}
    floor = min(RIVAL_PROBABILITY, thresholds.review_probability)
    decided += [
        Decided(c, "review")
        for c in candidates
        if floor <= c.probability < thresholds.review_probability
        and (c.left in in_review_left or c.right in in_review_right)
    ]
    return sorted(
        decided, key=lambda d: (d.candidate.left, -d.candidate.probability, d.candidate.right)
    )


@dataclass(frozen=True)
class DuplicateGroup:
    held_ids: list[str]
    weakest: Candidate
    band: Band


def duplicate_groups(
    candidates: Iterable[Candidate], thresholds: Thresholds
) -> list[DuplicateGroup]:
    """Held records joined by candidate pairs, grouped (a person may be listed 3 times).

    A group is `auto` when every pair that joins it would be `auto` on its own."""
    ordered = sorted(
        (c for c in candidates if c.probability >= thresholds.review_probability),
        key=lambda c: (-c.probability, c.left, c.right),
    )
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    joining: list[Candidate] = []
    for candidate in ordered:  # strongest first: a spanning forest of the strongest pairs
        a, b = root(candidate.left), root(candidate.right)
        if a != b:
            parent[a] = b
            joining.append(candidate)
    members: dict[str, set[str]] = defaultdict(set)
    links: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in joining:
        group = root(candidate.left)
        members[group].update((candidate.left, candidate.right))
        links[group].append(candidate)
    groups = []
    for group, ids in members.items():
        weakest = min(links[group], key=lambda c: c.probability)
        clear = all(clearly_right(c, thresholds) for c in links[group])
        groups.append(DuplicateGroup(sorted(ids), weakest, "auto" if clear else "review"))
    return sorted(groups, key=lambda g: g.held_ids)


def copies_of(groups: Sequence[DuplicateGroup]) -> dict[str, str]:
    """Each held record of an `auto` duplicate group, and its group's key (the group's
    first id): one person listed more than once, whom the one-to-one questions treat
    as one person."""
    return {
        held_id: group.held_ids[0]
        for group in groups
        if group.band == "auto"
        for held_id in group.held_ids
    }
