"""The example catalogue: every example request, how it is made, and what lies beside it.

`./scripts/examples` runs this module. It rewrites the generated requests, the CSV form of
the main examples (each side's list as CSV and the terms as JSON, as the service's CSV
upload takes them), and the plan and chart of every request. `tests/test_examples.py`
checks that the files on disk are exactly what this module would write, so an example
never drifts from the solver that documents it.

Plans are written as `exchange-planner solve` writes them, without `solve_seconds` (the
only field that changes from run to run).

Some examples also have a day of the exchange (`Day`): events after the plan was agreed
(written by hand, or stage 1 executed and a share of the later stages' people dropping
out, drawn by seed), the body of a repair request, and the repaired plan with its chart.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solver import ExchangeRequest, Plan, repair, solve
from solver.chart import plan_chart_svg
from solver.events import apply_events
from solver.input_errors import parse_request
from solver.repair_request import parse_repair_request
from solver.schema import Detainee, Stage
from solver.synthetic import Shape, generate_request, request_json

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Generated:
    """A request written by `solver.synthetic`, with some generated terms replaced."""

    per_side: int
    side_b: int
    seed: int
    shape: Shape
    terms: Mapping[str, Any] = field(default_factory=dict)
    fake_names: bool = False


@dataclass(frozen=True)
class Day:
    """The day of the exchange of an example: its events and the repair they call for.

    With `dropouts` 0 the events are written by hand in `NAME.events.json`; otherwise
    stage 1 is executed as agreed and that share of the people agreed for the later
    stages drop out, drawn with `seed` (`day_events`), and the file is written here.
    """

    dropouts: float = 0.0
    seed: int = 0
    options: int = 0


@dataclass(frozen=True)
class Example:
    """One example request; `name` is its path under examples/ without `.json`."""

    name: str
    generated: Generated | None = None  # None: the request is written by hand
    csv: bool = False  # also write csv/<name>/side_a.csv, side_b.csv and terms.json
    chart: bool = False  # also write <name>.plan.svg
    big: bool = False  # its tests are marked slow
    day: Day | None = None  # also write NAME.events.json (if drawn), .repair.json, .repaired.*

    @property
    def request_path(self) -> Path:
        return ROOT / f"{self.name}.json"

    def day_path(self, suffix: str) -> Path:
        """events.json, repair.json (the service body), repaired.json, repaired.svg."""
        return ROOT / f"{self.name}.{suffix}"

    @property
    def plan_path(self) -> Path:
        return ROOT / f"{self.name}.plan.json"

    @property
    def chart_path(self) -> Path:
        return ROOT / f"{self.name}.plan.svg"

    @property
    def csv_folder(self) -> Path:
        return ROOT / "csv" / self.name


MAIN_EXAMPLES: tuple[Example, ...] = (
    # 23 people, every feature of the terms once; written by hand, as is its day.
    Example("teaching", csv=True, chart=True, day=Day(options=3)),
    # Seriously ill released on top of a balanced core, in unequal numbers (art. 109).
    Example(
        "mediated_swap",
        Generated(per_side=160, side_b=130, seed=109, shape="teaching", fake_names=True),
        csv=True,
        chart=True,
    ),
    # "All for all" for the seriously ill and the young: at least 1,000 a side, maybe more.
    Example(
        "all_for_all",
        Generated(
            per_side=1300,
            side_b=1180,
            seed=25,
            shape="thousand",
            terms={
                "min_per_side": 1000,
                "parity": "total",
                "release_all": ["seriously_ill", "young"],
                "stages": None,
            },
        ),
        csv=True,
        chart=True,
        big=True,
    ),
    # "1,000 for 1,000": three stages of 390, 307 and 303 a side, like for like by status.
    Example(
        "thousand_for_thousand",
        Generated(per_side=1400, side_b=1250, seed=1000, shape="thousand"),
        csv=True,
        chart=True,
        big=True,
        day=Day(dropouts=0.04, seed=1),
    ),
)


def terms_examples() -> tuple[Example, ...]:
    """The small requests that docs/terms.md works through, one per term; written by hand."""
    requests = sorted((ROOT / "terms").glob("*.json"))
    names = [f"terms/{path.stem}" for path in requests if not path.name.endswith(".plan.json")]
    return tuple(Example(name) for name in names)


def all_examples() -> tuple[Example, ...]:
    return (*MAIN_EXAMPLES, *terms_examples())


# The bodies of the README's verify and scenario examples: the teaching request with a
# mediator's draft (written by hand, with the mistakes drafts have) or with variants.
DRAFT_PATH = ROOT / "teaching.draft.json"
VERIFY_BODY_PATH = ROOT / "teaching.verify.json"
SCENARIOS_BODY_PATH = ROOT / "teaching.scenarios.json"
SCENARIO_VARIANTS: tuple[dict[str, Any], ...] = (
    {"name": "as agreed", "terms": {}},
    {"name": "cap 4", "terms": {"max_per_side": 4}},
    {"name": "7 for 7", "terms": {"min_per_side": 7, "max_per_side": 7}},
    {"name": "8 for 8", "terms": {"min_per_side": 8, "max_per_side": 8}},
    {"name": "seriously ill counted", "terms": {"outside_parity": []}},
    {"name": "civilians separately", "terms": {"civilians_separately": True}},
    {"name": "one stage", "terms": {"stages": None}},
)


# --------------------------------------------------------------------------- requests


def request_text(example: Example) -> str:
    """The request as it is committed: generated afresh, or read from the hand-written file."""
    recipe = example.generated
    if recipe is None:
        return example.request_path.read_text(encoding="utf-8")
    document = generate_request(
        recipe.per_side,
        recipe.seed,
        shape=recipe.shape,
        side_b=recipe.side_b,
        fake_names=recipe.fake_names,
    )
    terms = {**document["terms"], **recipe.terms}
    document["terms"] = {key: value for key, value in terms.items() if value is not None}
    return request_json(document)


def plan_text(plan: Plan) -> str:
    """The plan as `exchange-planner solve` writes it, without `solve_seconds`."""
    return plan.model_dump_json(indent=2, exclude={"solve_seconds"}) + "\n"


def plan_of(text: str) -> tuple[ExchangeRequest, Plan]:
    request = parse_request(text.encode("utf-8"))
    return request, solve(request)


# --------------------------------------------------------------------------- CSV


def csv_files(request_document: Mapping[str, Any]) -> dict[str, str]:
    """Each side's list as CSV (only the columns the list uses) and the terms as JSON."""
    files = {
        f"{side}.csv": side_csv(request_document[side]["detainees"])
        for side in ("side_a", "side_b")
    }
    files["terms.json"] = json.dumps(request_document.get("terms", {}), indent=2) + "\n"
    return files


def side_csv(detainees: Sequence[Mapping[str, Any]]) -> str:
    """One row per person, columns in the order of the detainee fields; empty = default."""
    used = {key for person in detainees for key in person}
    columns = [name for name in Detainee.model_fields if name in used]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for person in detainees:
        writer.writerow([_cell(person.get(column)) for column in columns])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------- files


def expected_files(example: Example) -> dict[Path, str]:
    """Every file this example owns, with the text it must hold."""
    text = request_text(example)
    request, plan = plan_of(text)
    files = {example.request_path: text, example.plan_path: plan_text(plan)}
    if example.chart:
        files[example.chart_path] = plan_chart_svg(request, plan)
    if example.day is not None:
        files.update(day_files(example, example.day, text, plan))
    if example.csv:
        for name, content in csv_files(json.loads(text)).items():
            files[example.csv_folder / name] = content
    return files


# --------------------------------------------------------------------------- the day


REASONS = ("refused", "unfit_to_travel", "not_found", "deceased", "held_back")


def day_events(stages: Sequence[Stage], share: float, seed: int) -> list[dict[str, Any]]:
    """Stage 1 executed as agreed, then `share` of the people agreed for the later stages
    dropping out (both sides, drawn with `seed`, reasons in turn)."""
    later = sorted(
        (side, pid)
        for stage in stages
        if stage.number > 1
        for side, ids in (("side_a", stage.side_a), ("side_b", stage.side_b))
        for pid in ids
    )
    chosen = random.Random(seed).sample(later, round(share * len(later)))
    events: list[dict[str, Any]] = [{"type": "stage_executed", "number": 1}]
    events += [
        {"type": "dropout", "side": side, "id": pid, "reason": REASONS[k % len(REASONS)]}
        for k, (side, pid) in enumerate(chosen)
    ]
    return events


def day_files(example: Example, day: Day, text: str, plan: Plan) -> dict[Path, str]:
    """The example's events (when drawn), the body of its repair, the repaired plan and
    (for examples with a chart) its chart."""
    files: dict[Path, str] = {}
    events_path = example.day_path("events.json")
    if day.dropouts:
        events = day_events(plan.stages, day.dropouts, day.seed)
        files[events_path] = events_json(events)
    else:
        events = json.loads(events_path.read_text(encoding="utf-8"))
    agreed = {"stages": [stage.model_dump() for stage in plan.stages]}
    body = {**json.loads(text), "plan": agreed, "events": events}
    if day.options:
        body["repair"] = {"policy": "priorities_first", "options": day.options}
    files[example.day_path("repair.json")] = request_json(body)
    request = parse_repair_request(body)
    repaired = repair(request)
    files[example.day_path("repaired.json")] = plan_text(repaired)
    if example.chart:
        lists = apply_events(request).request
        files[example.day_path("repaired.svg")] = plan_chart_svg(lists, repaired)
    return files


def events_json(events: list[dict[str, Any]]) -> str:
    """One event per line."""
    return "[\n" + ",\n".join(f"  {json.dumps(event)}" for event in events) + "\n]\n"


def service_bodies() -> dict[Path, str]:
    """The verify and scenario request bodies, built from the teaching request."""
    request = json.loads((ROOT / "teaching.json").read_text(encoding="utf-8"))
    draft = json.loads(DRAFT_PATH.read_text(encoding="utf-8"))
    return {
        VERIFY_BODY_PATH: request_json({**request, "plan": draft}),
        SCENARIOS_BODY_PATH: request_json({**request, "variants": list(SCENARIO_VARIANTS)}),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m examples.build",
        description="Rewrite the example requests, their CSV forms, plans and charts.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file would change"
    )
    parser.add_argument("names", nargs="*", help="only these examples (default: all)")
    args = parser.parse_args(argv)
    chosen = [e for e in all_examples() if not args.names or e.name in args.names]
    files = service_bodies() if not args.names or "teaching" in args.names else {}
    for example in chosen:
        files.update(expected_files(example))
    stale: list[Path] = []
    for path, content in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    verb = "would change" if args.check else "wrote"
    for path in stale:
        sys.stderr.write(f"{verb} {path.relative_to(ROOT.parent)}\n")
    if not stale:
        sys.stderr.write("examples are up to date\n")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
