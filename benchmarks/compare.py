"""Two versions of the planner on the same requests: is a change faster, request by request?

`python -m benchmarks.compare --before PATH [--per-side 100000] [--seed 11] [--rounds 2]
[--only TEXT] [FILES...]`

PATH is another checkout of this project, say the commit before a change
(`git worktree add /tmp/before HEAD~1`). The requests are the variants'
(`benchmarks.variants`, at `--per-side` and `--seed`), or the JSON files given. Each is
solved in fresh processes, alternating the checkout at PATH and this one for `--rounds`
rounds; each process solves it twice and keeps the quicker, so the first solve's
warming up is left out. The table gives each request's best solve time (and its search
phase) under both versions, and their sums. One change in the search can speed up some
requests and slow down others: this is how the notes on such changes were measured.
The machine is shared, so the rounds alternate and the best is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.report import seconds_text
from benchmarks.variants import chosen_variants

HERE = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter with one checkout first on the path: solve a request twice.
_SOLVE_TWICE = """
import json, sys, time
from pathlib import Path
import solver.planner
from solver.input_errors import read_request
from solver.planner import solve_with_stats
request = read_request(Path(sys.argv[1]).read_bytes())
runs = []
for _ in range(2):
    started = time.perf_counter()
    plan, stats = solve_with_stats(request)
    runs.append((time.perf_counter() - started, stats.phases.get("search", 0.0)))
seconds, search = min(runs)
where = solver.planner.__file__
print(json.dumps({"seconds": seconds, "search": search, "status": plan.status, "where": where}))
"""


@dataclass(frozen=True)
class Timing:
    seconds: float
    search: float
    status: str


def solve_with(checkout: Path, request: Path) -> Timing:
    """The best of two solves of `request` by the planner in `checkout`, in a new process."""
    # Run from the checkout, and with it first on the path: `python -c` puts the current
    # folder before PYTHONPATH, and this project is also installed in the environment.
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", _SOLVE_TWICE, str(request.resolve())],
        capture_output=True,
        text=True,
        env=environment,
        cwd=checkout,
        check=True,
        timeout=600,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(result["where"]).resolve().is_relative_to(checkout.resolve()):
        raise RuntimeError(f"the planner imported was {result['where']}, not {checkout}'s")
    return Timing(float(result["seconds"]), float(result["search"]), str(result["status"]))


def compare(before: Path, requests: list[Path], rounds: int) -> list[tuple[str, Timing, Timing]]:
    """Per request: (name, best timing before, best timing now), alternating the two."""
    rows = []
    for request in requests:
        runs: dict[Path, list[Timing]] = {before: [], HERE: []}
        for _ in range(rounds):
            for checkout in (before, HERE):
                runs[checkout].append(solve_with(checkout, request))
        best = {c: min(t, key=lambda timing: timing.seconds) for c, t in runs.items()}
        rows.append((request.stem, best[before], best[HERE]))
        sys.stderr.write(
            f"{request.stem}: {seconds_text(best[before].seconds)} -> "
            f"{seconds_text(best[HERE].seconds)}\n"
        )
    return rows


def markdown(rows: list[tuple[str, Timing, Timing]], before: Path) -> str:
    lines = [
        f"Before: the checkout at `{before}`; now: `{HERE}`.",
        "",
        "| request | before | now | change | search before | search now | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, old, new in rows:
        change = (new.seconds - old.seconds) / old.seconds
        status = new.status if new.status == old.status else f"{old.status} -> {new.status}"
        lines.append(
            f"| {name} | {seconds_text(old.seconds)} | {seconds_text(new.seconds)} | "
            f"{change:+.0%} | {seconds_text(old.search)} | {seconds_text(new.search)} | "
            f"{status} |"
        )
    total_old = sum(old.seconds for _, old, _ in rows)
    total_new = sum(new.seconds for _, _, new in rows)
    lines.append(
        f"| all | {seconds_text(total_old)} | {seconds_text(total_new)} | "
        f"{(total_new - total_old) / total_old:+.0%} | | | |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="another checkout")
    parser.add_argument("--per-side", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", help="the variants whose name contains this text")
    parser.add_argument("files", nargs="*", type=Path, help="requests (default: the variants)")
    args = parser.parse_args(argv)
    if not (args.before / "solver" / "planner.py").is_file():
        parser.error(f"{args.before} is not a checkout of this project")
    variants = [] if args.files else chosen_variants(args.only)
    if not args.files and not variants:
        names = ", ".join(v.name for v in chosen_variants(None))
        parser.error(f"no variant's name contains {args.only!r}; the names: {names}")
    with tempfile.TemporaryDirectory(prefix="exchange-compare-") as scratch:
        requests = list(args.files) or [
            variant.write(args.per_side, args.seed, Path(scratch))[1] for variant in variants
        ]
        rows = compare(args.before.resolve(), requests, args.rounds)
    sys.stdout.write(markdown(rows, args.before))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
