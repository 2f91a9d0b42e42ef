"""The probability that two records are one person, over every one-to-one answer.

A one-to-one answer is a partial matching of the candidate graph: a set of candidate
pairs in which no record appears twice (anyone may stay unmatched). Each pair has a
weight w, its odds of being one person against both records being unmatched
(`decisions`). Taking every matching M as likely as the product of its pairs' weights,

    P(a is b) = sum of w(M) over the matchings M holding (a, b) / sum of w(M) over all M

(the empty matching weighs 1). Records that no chain of candidates joins are
independent, so the sums factor over connected groups of candidates, and each group is
worked out on its own:

- **exactly**, by enumerating the group's matchings, when it has at most
  `MAX_EXACT_MATCHINGS` of them: every group of a few namesakes, a person listed with a
  dozen weak candidates, two requested namesakes against two held ones (2 x 2, 7
  matchings: each pair about 1/2, never two rivals' odds multiplied);
- **approximately** for larger groups (long chains of common names without dates), by
  belief propagation on the matching (the Bethe approximation of the sums above), which
  is exact on a group without a cycle and, on matchings, converges to a single answer.

Weights are handled as logarithms: odds of 2^60 multiplied over a dozen pairs overflow
a float. The sums are kept per matching size, so that scaling every weight by the same
factor (the share of people held, which `decisions` learns in rounds) costs no new
enumeration.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

# Enumerate a group's matchings up to this many; past it, belief propagation.
MAX_EXACT_MATCHINGS = 4096
_BP_ROUNDS = 500
_BP_TOLERANCE = 1e-10
_BP_DAMPING = 0.5


def log_sum_exp(values: Sequence[float]) -> float:
    if not values:
        return -math.inf
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


@dataclass(frozen=True)
class Edge:
    """A candidate pair: its two records (left and right lists) and its log weight."""

    left: str
    right: str
    log_weight: float


class _ExactGroup:
    """A group's matchings summed by size (log sums): `total[k]` over all matchings of
    k pairs, `holding[e][k]` over those that hold edge e."""

    def __init__(self, total: dict[int, float], holding: dict[int, dict[int, float]]) -> None:
        self.total = total
        self.holding = holding

    @classmethod
    def enumerated(
        cls, edges: Sequence[Edge], indices: Sequence[int], max_exact: int
    ) -> _ExactGroup | None:
        """Every matching of the group, left record by left record (each unmatched, or
        with a free candidate); None when there are more than `max_exact`."""
        rights: dict[str, int] = {}
        by_left: dict[str, list[tuple[int, float, int]]] = defaultdict(list)
        for e in indices:
            edge = edges[e]
            bit = rights.setdefault(edge.right, len(rights))
            by_left[edge.left].append((bit, edge.log_weight, e))
        # (rights taken, log weight, pairs)
        matchings: list[tuple[int, float, tuple[int, ...]]] = [(0, 0.0, ())]
        for candidates in by_left.values():
            grown = []
            for taken, log_weight, pairs in matchings:
                grown.append((taken, log_weight, pairs))
                for bit, edge_weight, e in candidates:
                    if not taken >> bit & 1:
                        grown.append((taken | 1 << bit, log_weight + edge_weight, (*pairs, e)))
            if len(grown) > max_exact:
                return None
            matchings = grown
        by_size: dict[int, list[float]] = defaultdict(list)
        holding: dict[int, dict[int, list[float]]] = {e: defaultdict(list) for e in indices}
        for _, log_weight, pairs in matchings:
            by_size[len(pairs)].append(log_weight)
            for e in pairs:
                holding[e][len(pairs)].append(log_weight)
        return cls(
            {k: log_sum_exp(v) for k, v in by_size.items()},
            {e: {k: log_sum_exp(v) for k, v in sizes.items()} for e, sizes in holding.items()},
        )

    def probabilities(self, log_scale: float) -> dict[int, float]:
        norm = log_sum_exp([s + k * log_scale for k, s in self.total.items()])
        return {
            e: math.exp(log_sum_exp([s + k * log_scale for k, s in sizes.items()]) - norm)
            for e, sizes in self.holding.items()
        }


class _PropagatedGroup:
    """A group too large to enumerate: belief propagation on its matchings. Messages are
    kept between calls (a warm start when only the scale changed)."""

    def __init__(self, edges: Sequence[Edge], indices: Sequence[int]) -> None:
        self.indices = list(indices)
        self.log_weights = [edges[e].log_weight for e in indices]
        lefts: dict[str, list[int]] = defaultdict(list)
        rights: dict[str, list[int]] = defaultdict(list)
        for local, e in enumerate(indices):
            lefts[edges[e].left].append(local)
            rights[edges[e].right].append(local)
        self.left_edges = list(lefts.values())
        self.right_edges = list(rights.values())
        self.to_right = [1.0] * len(indices)  # per edge: from its left record to its right
        self.to_left = [1.0] * len(indices)

    def probabilities(self, log_scale: float) -> dict[int, float]:
        weights = [math.exp(min(w + log_scale, 700.0)) for w in self.log_weights]
        for _ in range(_BP_ROUNDS):
            new_right = _messages(self.left_edges, weights, self.to_left)
            new_left = _messages(self.right_edges, weights, self.to_right)
            change = max(
                _relative_change(new_right, self.to_right),
                _relative_change(new_left, self.to_left),
            )
            self.to_right = _damped(self.to_right, new_right)
            self.to_left = _damped(self.to_left, new_left)
            if change < _BP_TOLERANCE:
                break
        found = {}
        for local, e in enumerate(self.indices):
            both = weights[local] * self.to_right[local] * self.to_left[local]
            found[e] = both / (1.0 + both)
        return found


def _messages(
    node_edges: list[list[int]], weights: list[float], incoming: list[float]
) -> list[float]:
    """The message a record sends along each of its edges: 1 / (1 + the weighted messages
    it gets along its other edges). Sums without the edge (prefix and suffix sums), never
    a subtraction, which would cancel when one candidate outweighs the rest."""
    out = [0.0] * len(weights)
    for own in node_edges:
        terms = [weights[e] * incoming[e] for e in own]
        before = [0.0]
        for term in terms[:-1]:
            before.append(before[-1] + term)
        after = [0.0]
        for term in reversed(terms[1:]):
            after.append(after[-1] + term)
        after.reverse()
        for i, e in enumerate(own):
            out[e] = 1.0 / (1.0 + before[i] + after[i])
    return out


def _relative_change(new: list[float], old: list[float]) -> float:
    return max((abs(a - b) / max(a, b) for a, b in zip(new, old, strict=True)), default=0.0)


def _damped(old: list[float], new: list[float]) -> list[float]:
    return [_BP_DAMPING * a + (1.0 - _BP_DAMPING) * b for a, b in zip(old, new, strict=True)]


class MatchingPosterior:
    """The candidate graph split into its groups, each ready to give its pairs'
    probabilities for any common scale of the weights."""

    def __init__(self, edges: Sequence[Edge], max_exact: int = MAX_EXACT_MATCHINGS) -> None:
        self.edge_count = len(edges)
        self.exact: list[_ExactGroup] = []
        self.propagated: list[_PropagatedGroup] = []
        for indices in _groups(edges):
            group = _ExactGroup.enumerated(edges, indices, max_exact)
            if group is not None:
                self.exact.append(group)
            else:
                self.propagated.append(_PropagatedGroup(edges, indices))

    def probabilities(self, log_scale: float = 0.0) -> list[float]:
        """Each edge's probability, in the order given, every weight times e^log_scale."""
        found = [0.0] * self.edge_count
        groups: list[_ExactGroup | _PropagatedGroup] = [*self.exact, *self.propagated]
        for group in groups:
            for e, probability in group.probabilities(log_scale).items():
                found[e] = min(max(probability, 0.0), 1.0)
        return found


def _groups(edges: Sequence[Edge]) -> list[list[int]]:
    """Edges by connected group of records (left and right ids kept apart)."""
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def root(node: tuple[int, str]) -> tuple[int, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for edge in edges:
        a, b = root((0, edge.left)), root((1, edge.right))
        if a != b:
            parent[a] = b
    grouped: dict[tuple[int, str], list[int]] = defaultdict(list)
    for e, edge in enumerate(edges):
        grouped[root((0, edge.left))].append(e)
    return list(grouped.values())


def pair_probabilities(edges: Sequence[Edge], max_exact: int = MAX_EXACT_MATCHINGS) -> list[float]:
    """Each candidate pair's probability over every one-to-one answer (module doc)."""
    return MatchingPosterior(edges, max_exact).probabilities()
