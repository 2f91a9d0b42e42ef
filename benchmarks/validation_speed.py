"""How long the independent re-check of a plan takes, before and after it went column-wise.

`python -m benchmarks.validation_speed [--per-side N] [--seed S] [--repeat K]` builds
the synthetic request of that size (the same one `exchange-planner generate` writes),
solves it once, and then times, on that request and plan, best of K runs each:

- `json.loads` of the request text: the floor every solve pays anyway;
- the person-by-person checker (`tests.reference_validation`, the code before);
- the column-wise checker (`solver.validation`, the code now).

Each checker is timed as `check_plan` + `level_values` (two reads of the lists) and as
`recheck` (one read; what the planner runs). The plan is checked as the service would
receive it, parsed from JSON. Both checkers must agree, or the script fails.
`--request FILE` and `--plan FILE` time a stored request (and plan) instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import tests.reference_validation as before
from solver import solve
from solver import validation as after
from solver.schema import ExchangeRequest, Plan
from solver.synthetic import generate_request

T = TypeVar("T")
_Checked = tuple[list[Any], tuple[int, ...]]


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The shortest wall time of `repeat` runs, and the last result."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def _separately(checker: ModuleType, request: ExchangeRequest, plan: Plan) -> _Checked:
    return checker.check_plan(request, plan), checker.level_values(request, plan)


def _together(checker: ModuleType, request: ExchangeRequest, plan: Plan) -> _Checked:
    return checker.recheck(request, plan)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-side", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--request", type=Path, help="a stored request instead of a synthetic one")
    parser.add_argument("--plan", type=Path, help="a stored plan for it (default: solve it)")
    args = parser.parse_args(argv)

    if args.request is not None:
        text = args.request.read_text()
    else:
        text = json.dumps(generate_request(args.per_side, args.seed))
    request = ExchangeRequest.model_validate_json(text)
    solved = None if args.plan is not None else solve(request).model_dump_json()
    plan = Plan.model_validate_json(args.plan.read_text() if solved is None else solved)

    rows: list[tuple[str, float]] = []
    seconds, _ = best_of(args.repeat, lambda: json.loads(text))
    rows.append(("json.loads of the request", seconds))
    results = []
    for name, checker in (("before", before), ("after", after)):
        seconds, separate = best_of(args.repeat, partial(_separately, checker, request, plan))
        rows.append((f"{name}: check_plan + level_values", seconds))
        seconds, together = best_of(args.repeat, partial(_together, checker, request, plan))
        rows.append((f"{name}: recheck", seconds))
        violations, values = together
        assert separate[1] == values
        results.append(([(v.rule, v.side, v.ids, v.message) for v in violations], values))
    if results[0] != results[1]:
        sys.stderr.write("the two checkers disagree\n")
        return 1

    sizes = f"{len(request.side_a.detainees):,} x {len(request.side_b.detainees):,} listed"
    released = f"{len(plan.released.side_a):,} + {len(plan.released.side_b):,} released"
    lines = [f"{sizes}, {released}; best of {args.repeat}"]
    lines += [f"  {label:<36} {seconds:7.3f} s" for label, seconds in rows]
    lines.append(f"  violations: {len(results[1][0])}; levels agree: {results[1][1]}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
