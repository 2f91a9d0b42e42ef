"""From scored pairs to decisions a person can trust: `auto`, `review`, or nothing.

The linkage model scores each pair on its own: how much likelier its agreements are
for one person than for two, against the odds that two random records match. Who is
who is a one-to-one question, though, and the other candidates are evidence too: a
requested person whose full name and birth date agree with exactly one held person, and
with no one else, is that person far more surely than the pair alone says; one with two
equally good namesakes is neither for sure. So each pair's probability is taken among
its person's candidates, on both sides (`one_to_one_probabilities`):

    P(a is b) = r / (r + (1 + A) * (1 + B))

where r is the pair's odds against a and b both being unmatched, (its odds divided by
(1 - share_a) * (1 - share_b), share_a being the share of a's list that has a match at
all), A the sum of r over a's other candidates and B over b's. That is the pair against
every other way its two people could be: both unmatched (1), a with a rival (A), b
with a rival (B), both with rivals (A * B). Two equally good rivals get 1/2 each. The
share of requested people who are held is learnt from the lists (a few rounds of
expectation maximisation).

Then an exact one-to-one assignment (maximum sum of probabilities, a min-cost flow from
OR-Tools) chooses, and the bands follow:

- `auto`: a chosen pair whose probability reaches the auto threshold, whose birth
  dates, when both are given, agree up to a day/month swap or a year, and that is
  corroborated: both names agree, and a birth date, a patronymic or a service number;
- `review`: any other candidate pair at or above the review threshold; two close
  candidates of one person both land here, since neither can reach the auto threshold
  while the other holds a share of the probability. A person decides, never a coin.

Weaker candidates are not returned.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.graph.python import min_cost_flow

from reconciliation.linkage import PairSet, ScoredPair
from reconciliation.linkage_model import AGREEING_LEVELS, DATE_LEVELS_THAT_MAY_AGREE
from reconciliation.schema import Band

_COST_SCALE = 1_000_000
_SHARE_ROUNDS = 12
_SHARE_BOUNDS = (0.02, 0.98)


@dataclass(frozen=True)
class Thresholds:
    auto_probability: float
    review_probability: float


@dataclass(frozen=True)
class Candidate:
    """A scored pair and its one-to-one probability."""

    pair: ScoredPair
    probability: float

    @property
    def left(self) -> str:
        return self.pair.left

    @property
    def right(self) -> str:
        return self.pair.right


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
    """Both names agree, and so does a birth date, a patronymic or a service number.

    A probability alone can be high on thin evidence (a rare surname and given name, no
    date on one list): such a pair is left to a person, whatever its probability.
    """
    return (
        _agrees(pair, "surname")
        and _agrees(pair, "given_name")
        and any(_agrees(pair, field) for field in ("birth_date", "patronymic", "serial_number"))
    )


def clearly_right(candidate: Candidate, thresholds: Thresholds) -> bool:
    """The tests of `auto` other than being chosen in the one-to-one assignment."""
    return (
        candidate.probability >= thresholds.auto_probability
        and dates_may_agree(candidate.pair)
        and corroborated(candidate.pair)
    )


def _odds(match_weight: float) -> float:
    return math.pow(2.0, min(match_weight, 200.0))


def _probability(
    odds: float, share_a: float, rivals_a: float, share_b: float, rivals_b: float
) -> float:
    """The pair against every other way its two people could be (module doc); `odds`
    and the rivals' sums are Splink's odds, against a random pair."""
    unmatched = (1.0 - share_a) * (1.0 - share_b)
    ratio = odds / unmatched
    return ratio / (ratio + (1.0 + rivals_a / unmatched) * (1.0 + rivals_b / unmatched))


def one_to_one_probabilities(scored: PairSet, *, learn_share: bool = False) -> list[Candidate]:
    """Each pair's probability among its two people's candidates (see the module doc).

    `learn_share`: re-estimate the share of left records that have a match, starting
    from the prior the pairs were scored under (expectation maximisation).
    """
    pairs = scored.pairs
    if not pairs:
        return []
    share_left = min(scored.prior * scored.right_count, _SHARE_BOUNDS[1])
    share_right = min(scored.prior * scored.left_count, _SHARE_BOUNDS[1])
    base = [_odds(pair.match_weight) for pair in pairs]
    scale = 1.0
    probabilities: list[float] = []
    for _ in range(_SHARE_ROUNDS if learn_share else 1):
        odds = [o * scale for o in base]
        left_sums: dict[str, float] = defaultdict(float)
        right_sums: dict[str, float] = defaultdict(float)
        for pair, value in zip(pairs, odds, strict=True):
            left_sums[pair.left] += value
            right_sums[pair.right] += value
        probabilities = [
            _probability(
                value,
                share_left,
                left_sums[pair.left] - value,
                share_right,
                right_sums[pair.right] - value,
            )
            for pair, value in zip(pairs, odds, strict=True)
        ]
        if learn_share:
            expected = sum(probabilities)
            learnt = min(max(expected / max(scored.left_count, 1), _SHARE_BOUNDS[0]), 0.98)
            scale *= learnt / share_left
            share_left = learnt
            share_right = min(expected / max(scored.right_count, 1), _SHARE_BOUNDS[1])
    return [Candidate(pair, p) for pair, p in zip(pairs, probabilities, strict=True)]


def duplicate_probabilities(scored: PairSet) -> list[Candidate]:
    """The same, within one list. A record's rivals are its other candidates, except
    those that are candidates of the other record too: three records linked each to
    each are one person listed three times, not three people competing."""
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
        Candidate(
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
    """Bands for the pairs of a one-to-one question (requested-held, held-exchanged)."""
    kept = [c for c in candidates if c.probability >= thresholds.review_probability]
    chosen = {(c.left, c.right) for c in best_assignment(kept)}
    decided = []
    for candidate in kept:
        clear = (candidate.left, candidate.right) in chosen and clearly_right(candidate, thresholds)
        decided.append(Decided(candidate, "auto" if clear else "review"))
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


def one_per_duplicate_group(pairs: PairSet, groups: Sequence[DuplicateGroup]) -> PairSet:
    """A held person listed twice (an `auto` group) is one candidate, not two rivals:
    keep each requested person's best pair per group."""
    group_of = {
        held_id: group.held_ids[0]
        for group in groups
        if group.band == "auto"
        for held_id in group.held_ids
    }
    best: dict[tuple[str, str], ScoredPair] = {}
    for pair in pairs.pairs:
        key = (pair.left, group_of.get(pair.right, pair.right))
        if key not in best or pair.match_weight > best[key].match_weight:
            best[key] = pair
    return PairSet(list(best.values()), pairs.prior, pairs.left_count, pairs.right_count)
