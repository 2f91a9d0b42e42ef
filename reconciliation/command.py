"""`exchange-planner reconcile`: the command line's way into reconciliation.

Importing this module is cheap (argparse only), so that every other command of the CLI
does not pay for Splink, DuckDB and the name tables; `run` imports them. Exit codes as
for the other commands: 0 done, 2 unusable input (every problem named: list, row, id,
field, rule, and never a cell), 3 an internal error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciliation.schema import Reconciliation

EXIT_OK = 0
EXIT_BAD_INPUT = 2
_PROBLEMS_SHOWN = 100
_STDOUT = "-"


def add_reconcile_command(commands: Any) -> None:
    """Add the `reconcile` subcommand to the CLI's subparsers."""
    command: argparse.ArgumentParser = commands.add_parser(
        "reconcile",
        help="find who is who across the held and the requested lists",
        description="Match the people one side asks for to the people the other side holds, "
        "and find people listed twice and people already exchanged. Files are CSV or XLSX "
        "(a header of field names, then a row per person; a workbook's first sheet) or JSON "
        "(a list of records). The answer is JSON: matches with their "
        "band (auto or review) and evidence, unmatched requested ids, held duplicates, held "
        "people already exchanged. Ids only: no name is written.",
    )
    command.add_argument("--held", required=True, metavar="HELD", help="the people one side holds")
    command.add_argument(
        "--requested", required=True, metavar="REQUESTED", help="the people the other side asks for"
    )
    command.add_argument(
        "--exchanged", metavar="REGISTRY", help="people already exchanged in earlier rounds"
    )
    command.add_argument("-o", "--output", metavar="OUT.json", help="default: stdout")
    command.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
    command.add_argument("--auto-probability", type=float, metavar="P")
    command.add_argument("--review-probability", type=float, metavar="P")
    command.add_argument("--seed", type=int, default=0)
    progress = command.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress", action="store_true", default=None, help="a progress bar on stderr"
    )
    progress.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bar"
    )
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from reconciliation.backends import BackendUnavailableError
    from reconciliation.list_files import list_text, read_list
    from reconciliation.progress import StepBar
    from reconciliation.reconcile import reconcile
    from reconciliation.records import problems_as_text
    from reconciliation.schema import ReconcileOptions

    files: list[tuple[Any, str]] = [("held", args.held), ("requested", args.requested)]
    if args.exchanged:
        files.append(("exchanged", args.exchanged))
    try:
        texts = [list_text(role, Path(path)) for role, path in files]
    except OSError as error:
        print(f"error: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        # Given thresholds are taken as given, 0 included (0 is a threshold, not "unset").
        thresholds = {
            name: value
            for name, value in (
                ("auto_probability", args.auto_probability),
                ("review_probability", args.review_probability),
            )
            if value is not None
        }
        options = ReconcileOptions.model_validate(
            {"backend": args.backend, "seed": args.seed, **thresholds}
        )
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors())
        print(f"error: options out of range: {fields}", file=sys.stderr)
        return EXIT_BAD_INPUT

    with StepBar(enabled=args.progress) as bar:
        bar.step("reading the lists")
        read = {text.role: read_list(text) for text in texts}
        problems = [problem for one in read.values() for problem in one.problems]
        if problems:
            bar.close()
            print("error: the lists were rejected", file=sys.stderr)
            print(problems_as_text(problems, limit=_PROBLEMS_SHOWN), file=sys.stderr)
            return EXIT_BAD_INPUT
        started = time.perf_counter()
        try:
            result = reconcile(
                read["held"].records,
                read["requested"].records,
                read["exchanged"].records if "exchanged" in read else [],
                options,
                on_step=bar.step,
            )
        except BackendUnavailableError as error:
            bar.close()
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        _write(args.output, result.model_dump_json(indent=2).encode("utf-8") + b"\n")
    except OSError as error:
        print(f"error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(_summary(result, time.perf_counter() - started), file=sys.stderr)
    return EXIT_OK


def _write(path: str | None, data: bytes) -> None:
    if path in (None, _STDOUT):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    Path(path).write_bytes(data)


def _summary(result: Reconciliation, seconds: float) -> str:
    auto = sum(1 for m in result.matches if m.band == "auto")
    review = len({m.requested_id for m in result.matches if m.band == "review"})
    requested = result.summary.requested if result.summary else 0
    return (
        f"{auto:,} matched (auto), {review:,} to review, {len(result.unmatched_requested):,} "
        f"not found of {requested:,} requested; {len(result.held_duplicates):,} held "
        f"listed more than once; {len(result.already_exchanged):,} held already exchanged "
        f"({seconds:.1f} s)"
    )
