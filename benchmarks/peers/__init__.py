"""The planner's peers: other ways to plan the same exchange, run on the same inputs.

Each peer takes a parsed request and a time limit and returns a `PeerOutcome`; the
registry below lists them by the names the benchmark table uses.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.peers.greedy import solve_greedy
from benchmarks.peers.milp_highs import solve_milp
from benchmarks.peers.outcome import PeerOutcome
from benchmarks.peers.per_person_cpsat import solve_per_person_cpsat
from solver.schema import ExchangeRequest

Peer = Callable[[ExchangeRequest, float], PeerOutcome]

PEERS: dict[str, Peer] = {
    "per_person_cpsat": solve_per_person_cpsat,
    "milp_highs": solve_milp,
    "greedy": solve_greedy,
}
"""Every peer by name, in the order the table shows them."""

__all__ = ["PEERS", "Peer", "PeerOutcome"]
