"""The command line: solve, repair, verify and generate requests without the web service.

It calls the solver exactly as the service does (read, check, solve), so a plan made here
is the plan the service would make. Exit codes: 0 done (a proven-infeasible verdict is a
result too), 1 the verified plan breaks the terms, 2 unusable input, 3 an internal error,
141 stdout's reader left early (`... | head`).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from solver.categories import reference_date_of
from solver.decoding import DecodedRequest
from solver.input_errors import InvalidRequest, parse_request, problems_as_text, read_request
from solver.levels import Level, levels_for, repair_levels_for
from solver.planner import Progress, solve
from solver.schema import (
    Changes,
    ExchangeRequest,
    NotReleased,
    Objective,
    Plan,
    Released,
    RepairedPlan,
    RepairObjective,
    RepairRequest,
    RequestRecord,
    Stage,
)
from solver.synthetic import REFERENCE_DATE, SHAPES, generate_request, request_json
from solver.validation import Violation, recheck

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3
# The status a shell gives a command ended by a closed pipe (128 + SIGPIPE), as for
# `yes | head`: the reader left early, which is a normal end, not an error of ours.
EXIT_CLOSED_PIPE = 141

# A list with thousands of bad entries would bury the first ones; the count is still shown.
_PROBLEMS_SHOWN = 100
_STDIO = "-"


class UsageError(Exception):
    """Input the command cannot use; the message is for the person at the terminal."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InvalidRequest as error:
        print(f"error: {args.input}: the request was rejected", file=sys.stderr)
        print(problems_as_text(error.problems, limit=_PROBLEMS_SHOWN), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_left()
    except Exception:
        # A bug, not a bad request: the traceback is what a maintainer needs.
        print("internal error, please report it:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exchange-planner",
        description="Plan a detainee exchange: who each side releases, in which stage.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    solve_cmd = commands.add_parser(
        "solve",
        help="plan an exchange request",
        description="Solve a request; the plan is written as JSON. Exit 0 for every verdict, "
        "including a proven-infeasible one; 2 when the request is unusable.",
    )
    solve_cmd.add_argument("input", metavar="INPUT.json", help="the request ('-' for stdin)")
    solve_cmd.add_argument("-o", "--output", metavar="PLAN.json", help="default: stdout")
    solve_cmd.add_argument(
        "--time-limit", type=_seconds, metavar="S", help="overrides options.time_limit_s"
    )
    solve_cmd.add_argument("--compact", action="store_true", help="JSON on one line")
    solve_cmd.add_argument(
        "--progress", action="store_true", help="report each proven level on stderr"
    )
    solve_cmd.add_argument(
        "--chart", metavar="CHART.svg", help="also draw the plan at a glance as SVG"
    )
    solve_cmd.set_defaults(run=_run_solve)

    chart_cmd = commands.add_parser(
        "chart",
        help="draw a plan at a glance as SVG",
        description="Draw a plan (from `solve`, or fetched from the service) of a request "
        "as an SVG picture: per stage, per side, by category, and who is not released.",
    )
    chart_cmd.add_argument("input", metavar="INPUT.json", help="the request")
    chart_cmd.add_argument("plan", metavar="PLAN.json", help="the plan of that request")
    chart_cmd.add_argument("-o", "--output", metavar="CHART.svg", help="default: stdout")
    chart_cmd.set_defaults(run=_run_chart)

    repair_cmd = commands.add_parser(
        "repair",
        help="repair an agreed plan after the day's events, with the fewest changes",
        description="Repair an agreed plan after the events of the day (dropouts, executed "
        "stages, people listed late, changed facts); the repaired plan is written as JSON. "
        "The policy is read from the request's `repair` object (default priorities_first). "
        "Exit 0 for every verdict; 2 when the input is unusable.",
    )
    repair_cmd.add_argument(
        "input", metavar="REQUEST.json", help="the request the agreed plan was made from"
    )
    repair_cmd.add_argument("plan", metavar="PLAN.json", help="the agreed plan")
    repair_cmd.add_argument("events", metavar="EVENTS.json", help="the events, a JSON list")
    repair_cmd.add_argument("-o", "--output", metavar="OUT.json", help="default: stdout")
    repair_cmd.add_argument(
        "--options",
        type=_option_count,
        metavar="K",
        help="rank up to K repaired plans that differ in who is released (printed on stderr)",
    )
    repair_cmd.add_argument("--time-limit", type=_seconds, metavar="S")
    repair_cmd.add_argument("--compact", action="store_true", help="JSON on one line")
    repair_cmd.add_argument("--chart", metavar="CHART.svg", help="also draw the repaired plan")
    repair_cmd.set_defaults(run=_run_repair)

    verify_cmd = commands.add_parser(
        "verify",
        help="check a proposed plan against the terms and compare it with the optimum",
        description="Check a plan (or a bare proposal with `released` and optional "
        "`stages`). Exit 0 when it meets the terms, 1 when it breaks some, 2 on bad input.",
    )
    verify_cmd.add_argument("input", metavar="INPUT.json", help="the request")
    verify_cmd.add_argument("plan", metavar="PLAN.json", help="the plan or proposal")
    verify_cmd.add_argument(
        "--no-optimum", action="store_true", help="skip solving for the optimum"
    )
    verify_cmd.add_argument("--time-limit", type=_seconds, metavar="S")
    verify_cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    verify_cmd.add_argument(
        "--events",
        metavar="EVENTS.json",
        help="PLAN.json is a repaired plan: check it against these events (with --agreed)",
    )
    verify_cmd.add_argument(
        "--agreed", metavar="AGREED.json", help="the agreed plan the repaired one changes"
    )
    verify_cmd.set_defaults(run=_run_verify)

    generate_cmd = commands.add_parser(
        "generate",
        help="write a synthetic request (no real people)",
        description="Write a realistic synthetic request; the same seed gives the same file.",
    )
    generate_cmd.add_argument("--per-side", type=_count, required=True, metavar="N")
    generate_cmd.add_argument(
        "--side-b", type=_count, metavar="M", help="side B's list length (default 0.9 N)"
    )
    generate_cmd.add_argument("--seed", type=int, default=0)
    generate_cmd.add_argument("--shape", choices=SHAPES, default="thousand")
    generate_cmd.add_argument("--reference-date", type=date.fromisoformat, metavar="YYYY-MM-DD")
    generate_cmd.add_argument(
        "--fake-names", action="store_true", help='add names like "Synthetic A-000123"'
    )
    generate_cmd.add_argument("-o", "--output", metavar="FILE", help="default: stdout")
    generate_cmd.set_defaults(run=_run_generate)

    # Reconciliation is its own package; its command module imports only argparse, and
    # the linkage (Splink, DuckDB) loads when the command runs.
    from reconciliation.command import add_reconcile_command

    add_reconcile_command(commands)
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return value


def _option_count(text: str) -> int:
    value = _count(text)
    if not 1 <= value <= 10:
        raise argparse.ArgumentTypeError("must be from 1 to 10")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


# --------------------------------------------------------------------------- solve


def _run_solve(args: argparse.Namespace) -> int:
    request = _with_time_limit(_load_request(args.input), args.time_limit)
    on_progress = _print_progress if args.progress else None
    plan = solve(request, on_progress=on_progress)
    _write(args.output, _plan_json(plan, compact=args.compact))
    if args.chart:
        _write(args.chart, _chart(request, plan))
    if args.output not in (None, _STDIO):
        print(_summary(plan), file=sys.stderr)
    return EXIT_OK


def _plan_json(plan: Plan, *, compact: bool) -> bytes:
    """The plan as UTF-8 JSON with a final newline, written by pydantic straight to bytes."""
    data: bytes = plan.__pydantic_serializer__.to_json(plan, indent=None if compact else 2)
    return data + b"\n"


def _print_progress(progress: Progress) -> None:
    proven = [level for level in progress.levels if level.proven]
    if proven:
        last = proven[-1]
        print(
            f"{progress.elapsed_s:7.1f}s  {last.name} = {last.value}  "
            f"({len(proven)}/{len(progress.levels)} levels proven)",
            file=sys.stderr,
        )


def _summary(plan: Plan) -> str:
    released = f"{len(plan.released.side_a):,} + {len(plan.released.side_b):,} released"
    seconds = f" in {plan.solve_seconds:.1f} s" if plan.solve_seconds is not None else ""
    if plan.status == "infeasible":
        rules = ", ".join(conflict.rule for conflict in plan.conflicts)
        return f"infeasible{seconds}: conflicting terms: {rules}"
    return f"{plan.status}{seconds}: {released}"


# --------------------------------------------------------------------------- repair


def _run_repair(args: argparse.Namespace) -> int:
    request = _load_repair(args.input, args.plan, args.events, args.time_limit, args.options)
    # Imported here: most commands never repair.
    from solver.repair_planner import repair

    plan = repair(request, events_checked=True)  # by `_load_repair`
    _write(args.output, _plan_json(plan, compact=args.compact))
    if args.chart:
        from solver.events import apply_events

        _write(args.chart, _chart(apply_events(request).request, plan))
    if args.output not in (None, _STDIO):
        print(_repair_summary(plan), file=sys.stderr)
    if plan.options:
        print(_options_text(plan), file=sys.stderr)
    return EXIT_OK


def _load_repair(
    request_path: str,
    plan_path: str,
    events_path: str,
    seconds: float | None,
    options: int | None = None,
) -> RepairRequest:
    """The repair request from its three files; the request's `repair` object, if any,
    says how (`options` overrides its count)."""
    from solver.repair_request import repair_request_of

    document = _json_object(request_path)
    settings = document.pop("repair", None)
    if options is not None:
        settings = {**(settings if isinstance(settings, dict) else {}), "options": options}
    request = parse_request(document)
    if seconds is not None:
        request = request.model_copy(
            update={"options": request.options.model_copy(update={"time_limit_s": seconds})}
        )
    events = _json_document(events_path)
    if not isinstance(events, list):
        raise UsageError(f"{events_path}: the events must be a JSON list")
    return repair_request_of(request, _json_document(plan_path), events, settings)


def _json_document(path: str) -> Any:
    try:
        return json.loads(_read(path))
    except ValueError as error:
        raise UsageError(f"{path}: not readable as JSON ({error})") from None


def _json_object(path: str) -> dict[str, Any]:
    document = _json_document(path)
    if not isinstance(document, dict):
        raise UsageError(f"{path}: must be a JSON object")
    return document


def _repair_summary(plan: RepairedPlan) -> str:
    if plan.status == "infeasible":
        rules = ", ".join(conflict.rule for conflict in plan.conflicts)
        return f"infeasible: conflicting terms: {rules}"
    changes = plan.changes
    return (
        f"{_summary(plan)}; {changes.count:,} change(s): {len(changes.added):,} added, "
        f"{len(changes.removed):,} removed, {len(changes.moved):,} moved"
    )


def _options_text(plan: RepairedPlan) -> str:
    lines = [f"{len(plan.options)} option(s), best first:"]
    for option in plan.options:
        changes = option.changes
        said = [f"+{c.side.value} {c.id} (stage {c.stage})" for c in changes.added]
        said += [f"-{c.side.value} {c.id} (stage {c.stage})" for c in changes.removed]
        said += [f"~{c.side.value} {c.id} ({c.from_} -> {c.to})" for c in changes.moved]
        shown = ", ".join(said[:8]) + (f", ... ({len(said) - 8} more)" if len(said) > 8 else "")
        lines.append(f"  {option.rank}. {option.comparison}: {shown or 'no change'}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- chart


def _chart(request: RequestRecord, plan: Plan) -> str:
    # Imported here: drawing is rarely asked for, and every command pays for its imports.
    from solver.chart import plan_chart_svg

    return plan_chart_svg(request, plan)


class _StoredPlan(Plan):
    """A plan as `solve` writes it, or as the service returns it (with its `id`)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


def _run_chart(args: argparse.Namespace) -> int:
    request = _load_request(args.input)
    raw = _read(args.plan)
    try:
        plan = _StoredPlan.model_validate_json(raw)
    except ValidationError as error:
        lines = [f"{args.plan}: not a plan:"]
        for detail in error.errors(include_url=False, include_input=False):
            where = ".".join(str(part) for part in detail["loc"]) or "plan"
            lines.append(f"  {where}: {detail['msg']}")
        raise UsageError("\n".join(lines)) from None
    _write(args.output, _chart(request, plan))
    return EXIT_OK


# --------------------------------------------------------------------------- verify


class Proposal(BaseModel):
    """What `verify` needs from a plan file; a full plan's other fields are ignored."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    released: Released
    stages: list[Stage] = Field(default_factory=list)
    reference_date: date | None = None


def _run_verify(args: argparse.Namespace) -> int:
    if args.events is not None or args.agreed is not None:
        return _verify_repaired(args)
    request = _with_time_limit(_load_request(args.input), args.time_limit)
    proposal = _load_proposal(args.plan, request)
    violations, values = recheck(request, proposal)
    optimum: Plan | None = None if args.no_optimum else solve(request)
    # The solver's plan carries its re-checked level values.
    best = (
        tuple(level.value or 0 for level in optimum.levels)
        if optimum is not None and optimum.status in ("optimal", "feasible")
        else None
    )
    report = _verify_report(request, violations, values, optimum, best)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_verify_text(report))
    return EXIT_VIOLATIONS if violations else EXIT_OK


def _verify_repaired(args: argparse.Namespace) -> int:
    """Verify a repaired plan: every rule with the day's exceptions, its executed stages,
    its changes, and its levels against the best repair."""
    if args.events is None or args.agreed is None:
        raise UsageError("a repaired plan is verified with both --agreed and --events")
    from solver.repair_planner import repair
    from solver.validation import recheck_repair

    request = _load_repair(args.input, args.agreed, args.events, args.time_limit)
    proposal, claims = _load_repaired_proposal(args.plan, request)
    violations, values = recheck_repair(request, proposal, claims=claims)
    optimum = None if args.no_optimum else repair(request, events_checked=True)
    best = (
        tuple(level.value or 0 for level in optimum.levels)
        if optimum is not None and optimum.status in ("optimal", "feasible")
        else None
    )
    levels = repair_levels_for(request.terms, request.repair.policy)
    report = _verify_report(request, violations, values, optimum, best, levels)
    print(json.dumps(report, indent=2) if args.json else _verify_text(report))
    return EXIT_VIOLATIONS if violations else EXIT_OK


class ProposedRepairedStage(Stage):
    """A stage of a repaired draft; `executed` may be left out (then it is not checked)."""

    executed: bool | None = None


class RepairedProposal(BaseModel):
    """What `verify --events` needs from a repaired plan file; other fields are ignored."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    released: Released
    stages: list[ProposedRepairedStage] = Field(default_factory=list)
    reference_date: date | None = None
    changes: Changes | None = None
    objective: RepairObjective | Objective | None = None
    not_released: list[NotReleased] | None = None


def _load_repaired_proposal(path: str, request: RepairRequest) -> tuple[Plan, bool]:
    """The repaired plan or draft, as a plan to re-check, and whether it states its
    changes (a draft that does not is not held to any)."""
    raw = _read(path)
    try:
        proposal = RepairedProposal.model_validate_json(raw)
    except ValidationError as error:
        lines = [f"{path}: not a repaired plan:"]
        for detail in error.errors(include_url=False, include_input=False):
            where = ".".join(str(part) for part in detail["loc"]) or "plan"
            lines.append(f"  {where}: {detail['msg']}")
        raise UsageError("\n".join(lines)) from None
    on = request.terms.reference_date or proposal.reference_date or reference_date_of(request.terms)
    fields: dict[str, Any] = {
        "status": "feasible",
        "reference_date": on,
        "released": proposal.released,
        "stages": proposal.stages,
    }
    if proposal.changes is None:
        return Plan(**fields), False
    objective = proposal.objective if isinstance(proposal.objective, RepairObjective) else None
    if proposal.not_released is not None:
        fields["not_released"] = proposal.not_released
    return RepairedPlan.model_construct(
        **fields, objective=objective, changes=proposal.changes
    ), True


def _load_proposal(path: str, request: RequestRecord) -> Plan:
    """A plan file read leniently: only `released` is required, as a mediator drafts it."""
    raw = _read(path)
    try:
        proposal = Proposal.model_validate_json(raw)
    except ValidationError as error:
        lines = [f"{path}: not a plan or proposal:"]
        for detail in error.errors(include_url=False, include_input=False):
            where = ".".join(str(part) for part in detail["loc"]) or "plan"
            lines.append(f"  {where}: {detail['msg']}")
        raise UsageError("\n".join(lines)) from None
    # Terms without a date mean "the day it is solved"; a dated proposal says which day.
    on = request.terms.reference_date or proposal.reference_date or reference_date_of(request.terms)
    return Plan(
        status="feasible",
        reference_date=on,
        released=proposal.released,
        stages=proposal.stages,
    )


def _verify_report(
    request: RequestRecord,
    violations: list[Violation],
    values: tuple[int, ...],
    optimum: Plan | None,
    best: tuple[int, ...] | None,
    levels: Sequence[Level] | None = None,
) -> dict[str, Any]:
    levels = levels_for(request.terms) if levels is None else levels
    return {
        "valid": not violations,
        "violations": [
            {
                "rule": v.rule,
                "side": v.side.value if v.side is not None else None,
                "ids": list(v.ids),
                "message": v.message,
            }
            for v in violations
        ],
        "optimum_status": optimum.status if optimum is not None else None,
        "levels": [
            {
                "name": level.name,
                "sense": level.sense,
                "proposal": value,
                "optimum": best[i] if best is not None else None,
            }
            for i, (level, value) in enumerate(zip(levels, values, strict=True))
        ],
        "comparison": _comparison(levels, values, best, optimum),
    }


def _comparison(
    levels: Sequence[Level],
    values: tuple[int, ...],
    best: tuple[int, ...] | None,
    optimum: Plan | None,
) -> str:
    """Where the proposal first differs from the optimum, read lexicographically."""
    if optimum is None:
        return "not computed (--no-optimum)"
    if optimum.status == "infeasible":
        return "none: no plan meets these terms; `solve` names the conflicting ones"
    if best is None:
        return "none found within the time limit"
    for level, mine, theirs in zip(levels, values, best, strict=True):
        if mine != theirs:
            ahead = mine > theirs if level.sense == "max" else mine < theirs
            verdict = "ahead of" if ahead else "short of"
            return f"the proposal is {verdict} it first at {level.name}: {mine:,} vs {theirs:,}"
    return "the proposal equals it on every level"


# Which way each level's value improves: priorities, people and days count up, stage
# orders (the sum of the stage numbers) count down.
_BETTER = {"max": "higher", "min": "lower"}


def _verify_text(report: dict[str, Any]) -> str:
    violations = report["violations"]
    lines = [
        "The plan meets the terms."
        if report["valid"]
        else f"The plan breaks the terms: {len(violations)} violation(s)."
    ]
    lines += [f"  [{v['rule']}] {v['message']}" for v in violations]
    optimum_status = report["optimum_status"]
    header = "optimum" if optimum_status is None else f"optimum ({optimum_status})"
    width = max(len(level["name"]) for level in report["levels"])
    right = max(12, len(header))
    lines += ["", f"{'level':<{width}}  {'better':<6}  {'proposal':>12}  {header:>{right}}"]
    for level in report["levels"]:
        theirs = "-" if level["optimum"] is None else f"{level['optimum']:,}"
        better = _BETTER[level["sense"]]
        lines.append(
            f"{level['name']:<{width}}  {better:<6}  {level['proposal']:>12,}  {theirs:>{right}}"
        )
    lines += ["", f"Optimum: {report['comparison']}."]
    return "\n".join(lines)


# --------------------------------------------------------------------------- generate


def _run_generate(args: argparse.Namespace) -> int:
    request = generate_request(
        args.per_side,
        args.seed,
        shape=args.shape,
        side_b=args.side_b,
        reference_date=args.reference_date or REFERENCE_DATE,
        fake_names=args.fake_names,
    )
    _write(args.output, request_json(request))
    return EXIT_OK


# --------------------------------------------------------------------------- files


def _read(path: str) -> bytes:
    if path == _STDIO:
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None


def _write(path: str | None, text: str | bytes) -> None:
    """Write text, or UTF-8 bytes as they are (a large plan is never copied to text)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path in (None, _STDIO):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        return
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _load_request(path: str) -> ExchangeRequest | DecodedRequest:
    return read_request(_read(path))


def _with_time_limit(
    request: ExchangeRequest | DecodedRequest, seconds: float | None
) -> ExchangeRequest | DecodedRequest:
    if seconds is None:
        return request
    options = request.options.model_copy(update={"time_limit_s": seconds})
    if isinstance(request, DecodedRequest):
        return request.with_options(options)
    return request.model_copy(update={"options": options})


def run() -> NoReturn:
    """The console script: run `main`, then leave without tearing the heap down.

    A solve at 100,000 people a side leaves about a million Python objects; freeing
    them one by one at exit took longer than the re-check (0.13 s). Everything written
    is flushed first, and the files were closed when they were written.
    """
    # One command allocates hundreds of thousands of objects and no cycles worth
    # collecting: the collector would only walk them, over and over.
    gc.disable()
    code = main()
    logging.shutdown()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # a short output, still buffered when the reader left
        code = _reader_left()
    sys.stderr.flush()
    os._exit(code)


def _reader_left() -> int:
    """stdout's reader closed the pipe (`... | head`). As Python's documentation advises
    for SIGPIPE: the rest of the output goes to /dev/null, so that no later flush fails
    again, and the command ends quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_CLOSED_PIPE


if __name__ == "__main__":
    run()
