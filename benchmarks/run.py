"""The benchmark command: `python -m benchmarks.run [--sizes 1000,10000,100000] [--ci]`.

Generates "1,000 for 1,000"-shaped requests at each size (and at the real shape, 1,400 x
1,250 people), writes each to a file, and on those same files measures the floor
(`json.loads`), the project (parse, solve, the CLI end to end, peak memory, status, the
objective vector, where the solve's time goes) and its peers. Writes a markdown report,
the JSON behind it and a chart to `--out`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import repair as repair_benchmark
from benchmarks.chart import draw
from benchmarks.measure import (
    THOUSAND_SIZES,
    Instance,
    cli_startup_seconds,
    floor_seconds,
    parse_seconds,
    run_cli,
    run_peer,
    solve_seconds,
    write_instance,
)
from benchmarks.peers import PEERS
from benchmarks.probe import probe_solve
from benchmarks.report import InstanceResult, machine, markdown, ratios, seconds_text

RESULTS = Path(__file__).parent / "results"
REPORT_NAME = "benchmark"

CI_SIZES = (200,)
CI_PEER_TIME_LIMIT_S = 20.0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.ci:
        args.sizes = list(CI_SIZES)
        args.peer_time_limit = CI_PEER_TIME_LIMIT_S
        args.repeat = 1
        args.out = args.out or RESULTS / "ci"
    out: Path = args.out or RESULTS
    out.mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "benchmarks.run", *(argv or sys.argv[1:])]),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": args.sizes,
        "thousand_shape": args.thousand,
        "seed": args.seed,
        "repeat": args.repeat,
        "peer_time_limit_s": args.peer_time_limit,
        "peers": args.peers,
        "machine": machine(),
    }
    with tempfile.TemporaryDirectory(prefix="exchange-bench-") as scratch:
        work = Path(args.work_dir or scratch)
        work.mkdir(parents=True, exist_ok=True)
        instances = _instances(work, args.sizes, args.thousand, args.seed)
        rows: list[InstanceResult] = []
        for instance in instances:
            rows.append(_measure(instance, args, work))
            _write(out, rows, settings, chart=False)
        text = _write(out, rows, settings, chart=True)
    if args.print_report or args.ci:
        sys.stdout.write(text + "\n")
    _say(f"results in {out}/{REPORT_NAME}.md, .json and .png")
    if args.repair:
        # The day of the exchange: repair on the 1,000-for-1,000 example, on a live server.
        config = repair_benchmark.CI if args.ci else repair_benchmark.FULL
        text = repair_benchmark.run(config, out, ["--ci"] if args.ci else [])
        if args.print_report or args.ci:
            sys.stdout.write(text + "\n")
        _say(f"repair results in {out}/repair.md and .json")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time the planner against json.loads and its peers on the same inputs.",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[1000, 10_000, 100_000],
        metavar="N,N,...",
        help="people on side A (side B gets 0.9x); default 1000,10000,100000",
    )
    parser.add_argument(
        "--no-thousand",
        dest="thousand",
        action="store_false",
        help="skip the 1,000-for-1,000 shape (1,400 x 1,250 people)",
    )
    parser.add_argument("--peer-time-limit", type=float, default=60.0, metavar="S")
    parser.add_argument(
        "--peers",
        type=_peer_names,
        default=list(PEERS),
        metavar="NAME,...",
        help=f"which peers to run (default all: {','.join(PEERS)}; '' for none)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N for project timings")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help=f"default {RESULTS} ({RESULTS}/ci with --ci)")
    parser.add_argument("--work-dir", type=Path, help="keep the generated inputs here")
    parser.add_argument(
        "--ci",
        action="store_true",
        help=f"small and quick: sizes {','.join(map(str, CI_SIZES))} and the 1,000-for-1,000 "
        f"shape, peers limited to {CI_PEER_TIME_LIMIT_S:g} s, one repeat; prints the report",
    )
    parser.add_argument(
        "--print", dest="print_report", action="store_true", help="print the report (--ci does)"
    )
    parser.add_argument(
        "--no-repair",
        dest="repair",
        action="store_false",
        help="skip the repair benchmark (python -m benchmarks.repair)",
    )
    return parser


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def _peer_names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in PEERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown peer(s) {unknown}; known: {list(PEERS)}")
    return names


def _instances(work: Path, sizes: list[int], thousand: bool, seed: int) -> list[Instance]:
    instances = [write_instance(work, size, seed) for size in sizes]
    if thousand:
        per_side, side_b = THOUSAND_SIZES
        instances.append(write_instance(work, per_side, seed, side_b=side_b))
    return sorted(instances, key=lambda i: i.people_a)


def _measure(instance: Instance, args: argparse.Namespace, work: Path) -> InstanceResult:
    """Every measurement on one input file, the project first, then each peer."""
    _say(f"{instance.label} ({instance.people_a:,} x {instance.people_b:,}):")
    raw = instance.path.read_bytes()
    floor = floor_seconds(raw)
    parse, request = parse_seconds(raw, args.repeat)
    solve, plan = solve_seconds(request, args.repeat)
    _say(
        f"  json.loads {seconds_text(floor)}, parse {seconds_text(parse)}, "
        f"solve {seconds_text(solve)} ({plan.status})"
    )
    probe, _ = probe_solve(request)
    cli, cli_plan = run_cli(instance, work / f"plan-{instance.people_a}.json", args.repeat)
    cli_startup = cli_startup_seconds(args.repeat)
    # The floor again, after the project's runs: the best of both is the least disturbed.
    floor = min(floor, floor_seconds(raw))
    _say(
        f"  CLI {seconds_text(cli.seconds)} (start-up {seconds_text(cli_startup)}), "
        f"peak {cli.peak_mb:.0f} MB"
    )
    row = InstanceResult(
        label=instance.label,
        people_a=instance.people_a,
        people_b=instance.people_b,
        input_mb=instance.size_bytes / 1e6,
        floor_s=floor,
        parse_s=parse,
        solve_s=solve,
        plan_solve_seconds=plan.solve_seconds,
        cli_s=cli.seconds,
        cli_startup_s=cli_startup,
        cli_peak_mb=cli.peak_mb,
        cli_exit_code=cli.exit_code,
        status=plan.status,
        cli_status=None if cli_plan is None else cli_plan.status,
        level_names=[level.name for level in plan.levels],
        objective=[level.value for level in plan.levels],
        proven=[level.proven for level in plan.levels],
    )
    row.add_probe(probe)
    grace = 10.0 + 3 * parse
    for name in args.peers:
        outcome = run_peer(name, instance, args.peer_time_limit, grace)
        row.peers[name] = outcome
        _say(f"  {name}: {seconds_text(outcome.seconds)} {outcome.status}")
    return row


def _write(out: Path, rows: list[InstanceResult], settings: dict[str, Any], *, chart: bool) -> str:
    found = ratios(rows)
    chart_name = f"{REPORT_NAME}.png" if chart else None
    if chart:
        draw(rows, out / f"{REPORT_NAME}.png")
    text = markdown(rows, found, settings, chart_name)
    (out / f"{REPORT_NAME}.md").write_text(text, encoding="utf-8")
    document = {
        "settings": settings,
        "instances": [row.to_json() for row in rows],
        "ratios": [vars(ratio) for ratio in found],
    }
    (out / f"{REPORT_NAME}.json").write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    return text


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    raise SystemExit(main())
