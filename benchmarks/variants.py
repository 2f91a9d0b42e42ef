"""Other terms on lists of the same size: is the planner fast under every agreement?

`python -m benchmarks.variants [--per-side 100000] [--seed 11] [--repeat 1]`

The main benchmark times one shape of terms: per-status parity, three stages, a floor
that fills every place. Mediators try other terms on the same lists ("what if the floor
were lower?", "civilians in their own convoys?"), and a search that is quick on one
shape can stall on another. This writes the benchmark's request and a few variants of
it, runs `exchange-planner solve` on each, and reports each one's status, CLI time and
ratio to `json.loads` of the same file. Writes `variants.md` and `variants.json` to
`--out`; exits 1 when a variant ends unproven (`feasible` or `timeout`).

The variants named "independent lists: ..." time the planner on lists from
`benchmarks.independent_lists`, a generator written apart from the planner, so that the
speed measured is not only the speed on lists of the texture the planner's authors made.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import independent_lists
from benchmarks.measure import Instance, floor_seconds, run_cli
from benchmarks.report import machine, seconds_text
from solver.synthetic import Mix, generate_request, request_json

RESULTS = Path(__file__).parent / "results"
PROVEN = ("optimal", "infeasible")

Request = dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """Terms (or lists) that differ from the benchmark's, and how to make them."""

    name: str
    differs: str
    make: Callable[[int, int], Request]  # (people per side, seed) -> request

    def write(self, per_side: int, seed: int, folder: Path) -> tuple[Request, Path]:
        """The variant's request, and the file in `folder` it is written to (named after
        the variant)."""
        request = self.make(per_side, seed)
        path = folder / f"{re.sub(r'[^a-z0-9]+', '-', self.name.lower()).strip('-')}.json"
        path.write_text(request_json(request), encoding="utf-8")
        return request, path


def _benchmark_shape(per_side: int, seed: int) -> Request:
    return generate_request(per_side, seed)


def _with_terms(**changes: Callable[[Request], object]) -> Callable[[int, int], Request]:
    """The benchmark's request with some terms set from it (each a function of it)."""

    def make(per_side: int, seed: int) -> Request:
        request = _benchmark_shape(per_side, seed)
        # Every value is worked out from the benchmark's terms before any is changed.
        values = {name: value(request) for name, value in changes.items()}
        request["terms"].update(values)
        return request

    return make


def _floor(request: Request) -> int:
    return int(request["terms"]["min_per_side"])


def _below_capacity(request: Request) -> int:
    return round(0.85 * _floor(request))


def _independent(name: str) -> Callable[[int, int], Request]:
    """Lists and terms from the independently written generator's variant `name`."""

    def make(per_side: int, seed: int) -> Request:
        return independent_lists.generate(per_side, seed, name)

    return make


# The independent generator's variants that add something: its "floor below capacity"
# repeats terms tried above, and its "exactly n for n" cap is what the stages already
# impose when the floor fills every place.
INDEPENDENT = ("base", "dates spread", "side b half", "civilians separately", "many small families")


VARIANTS: tuple[Variant, ...] = (
    Variant("benchmark", "the benchmark's terms", _benchmark_shape),
    Variant(
        "floor below capacity",
        "min_per_side 85% of the places in the stages",
        _with_terms(min_per_side=_below_capacity),
    ),
    Variant(
        "civilians separately",
        "civilians_separately, min_per_side 85% of the places",
        _with_terms(civilians_separately=lambda _: True, min_per_side=_below_capacity),
    ),
    Variant(
        "civilians separately, total parity",
        "as above, parity total",
        _with_terms(
            civilians_separately=lambda _: True,
            parity=lambda _: "total",
            min_per_side=_below_capacity,
        ),
    ),
    Variant(
        "a cap",
        "min_per_side 40%, max_per_side 55% of the places",
        _with_terms(
            min_per_side=lambda r: round(0.40 * _floor(r)),
            max_per_side=lambda r: round(0.55 * _floor(r)),
        ),
    ),
    Variant(
        "ill outside parity",
        "outside_parity seriously_ill, min_per_side 70% of the places",
        _with_terms(
            outside_parity=lambda _: ["seriously_ill"],
            min_per_side=lambda r: round(0.70 * _floor(r)),
        ),
    ),
    Variant(
        "five stages",
        "five equal stages, min_per_side 85% of their places",
        _with_terms(
            stages=lambda r: [-(-_floor(r) // 5)] * 5,
            min_per_side=_below_capacity,
        ),
    ),
    Variant(
        "families everywhere",
        "90% of civilians and 50% of military people in families",
        lambda n, seed: generate_request(
            n, seed, mix=Mix(civilians_in_families=0.9, military_in_families=0.5)
        ),
    ),
    Variant(
        "mediated swap",
        "the `teaching` shape: ill on top of a capped core, civilians separately",
        lambda n, seed: generate_request(n, seed, shape="teaching"),
    ),
    *(
        Variant(
            f"independent lists: {name}",
            f"another generator's lists: {independent_lists.VARIANTS[name].what}",
            _independent(name),
        )
        for name in INDEPENDENT
    ),
)


def chosen_variants(only: str | None) -> list[Variant]:
    """The variants whose name contains `only` (all of them for None)."""
    return [v for v in VARIANTS if only is None or only in v.name]


@dataclass(frozen=True)
class VariantResult:
    name: str
    differs: str
    json_loads_s: float
    cli_s: float
    status: str
    solve_seconds: float | None

    @property
    def ratio(self) -> float:
        return self.cli_s / self.json_loads_s


def measure(variant: Variant, per_side: int, seed: int, repeat: int, work: Path) -> VariantResult:
    """Write the variant's request, time `json.loads` of it and the CLI on it."""
    request, path = variant.write(per_side, seed, work)
    raw = path.read_bytes()
    people_b = len(request["side_b"]["detainees"])
    instance = Instance(variant.name, per_side, people_b, path)
    run, plan = run_cli(instance, path.with_suffix(".plan.json"), repeat)
    floor = floor_seconds(raw, repeat=3)
    status = plan.status if plan is not None else f"exit {run.exit_code}"
    solved = plan.solve_seconds if plan is not None else None
    return VariantResult(variant.name, variant.differs, floor, run.seconds, status, solved)


def markdown(results: list[VariantResult], settings: dict[str, Any]) -> str:
    lines = [
        "# Other terms, same lists",
        "",
        f"`{settings['command']}` on {settings['machine']['cpus']} CPUs, Python "
        f"{settings['machine']['python']}, OR-Tools {settings['machine']['ortools']}; "
        f"{settings['started']}. "
        f"{settings['per_side']:,} people on side A (about 90% of that on B unless a row "
        "says otherwise), seed "
        f"{settings['seed']}; the CLI the best of {settings['repeat']}, json.loads the "
        "best of 3. The machine is shared: read the ratios, not the absolute times.",
        "",
        "| terms | what differs | json.loads | CLI | CLI / json | status | solve_seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        solved = "-" if r.solve_seconds is None else seconds_text(r.solve_seconds)
        lines.append(
            f"| {r.name} | {r.differs} | {seconds_text(r.json_loads_s)} | "
            f"{seconds_text(r.cli_s)} | {r.ratio:.1f}x | {r.status} | {solved} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.variants", description=__doc__)
    parser.add_argument("--per-side", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=1, help="CLI runs per variant (best)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only", help="run the variants whose name contains this text")
    args = parser.parse_args(argv)
    chosen = chosen_variants(args.only)
    settings = {
        "command": " ".join(["python -m benchmarks.variants", *(argv or [])]).strip(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "per_side": args.per_side,
        "seed": args.seed,
        "repeat": args.repeat,
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="exchange-variants-") as scratch:
        for variant in chosen:
            result = measure(variant, args.per_side, args.seed, args.repeat, Path(scratch))
            results.append(result)
            sys.stderr.write(
                f"{result.name}: {result.status}, CLI {seconds_text(result.cli_s)} "
                f"= {result.ratio:.1f}x json.loads\n"
            )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "variants.md").write_text(markdown(results, settings), encoding="utf-8")
    document = {"settings": settings, "results": [asdict(r) for r in results]}
    (args.out / "variants.json").write_text(json.dumps(document, indent=2) + "\n")
    sys.stderr.write(f"results in {args.out / 'variants.md'} and variants.json\n")
    # A proof either way is an answer; a search cut short by the time limit is not.
    return 0 if all(r.status in PROVEN for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
