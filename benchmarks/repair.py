"""The day of the exchange, measured: `python -m benchmarks.repair [--ci]`.

On the "1,000 for 1,000" example (`examples/thousand_for_thousand.json`, 1,400 x 1,250
people, three stages, like for like by status) and its committed plan as the agreed
one: stage 1 is executed as agreed, and a share of the people agreed for stages 2 and 3
drop out (4 % by default, drawn with a fixed seed). Then:

- the repair in the library (`solver.repair`, the median of `repeat` runs): status,
  objective vector, changes;
- a fresh solve of the same remaining exchange (what a mediator had before repair: the
  people not handed over and not dropped out, the remaining stages, the floor less
  those handed over), and how many people it changes against the agreed plan;
- the per-person CP-SAT repair model (`solver.per_person.repair_per_person`: a yes/no
  per person and stage, changes as the Hamming distance to the agreed plan, the agreed
  plan as the hint): the median of `peer_repeat` runs (one with `--ci`), status,
  objective vector; the speed-up is median against median;
- `POST /v1/plans/repair` on a warm server (uvicorn on a free port of 127.0.0.1, its own
  SQLite file): median and p95 of the round trip over `--rounds` calls after warm-up.

`benchmarks.run` runs it after its own report; `--ci` is the quick version. Writes
`repair.md` and `repair.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import ROOT, median_of
from benchmarks.report import machine
from examples.build import day_events
from solver import solve
from solver.categories import categories_of, reference_date_of
from solver.events import DayOfExchange
from solver.per_person import repair_per_person
from solver.repair_planner import repair
from solver.repair_request import read_repair_request
from solver.schema import (
    Category,
    ExchangeRequest,
    IdsBySide,
    Plan,
    Released,
    RepairedPlan,
    RepairedStage,
    RepairRequest,
    Side,
    SideList,
    Stage,
)
from solver.validation import recheck_repair

HOST = "127.0.0.1"  # the only address this benchmark talks to
RESULTS = Path(__file__).parent / "results"
EXAMPLE = ROOT / "examples" / "thousand_for_thousand.json"
AGREED = ROOT / "examples" / "thousand_for_thousand.plan.json"
ROUND_TRIP_TARGET_MS = 300.0
SPEED_UP_TARGET = 20.0
START_TIMEOUT_S = 90.0
MAX_ROUNDS = 200
SIDES: tuple[Side, Side] = (Side.A, Side.B)


@dataclass(frozen=True)
class Config:
    dropout_share: float
    seed: int
    repeat: int
    rounds: int
    warm_up: int
    peer_time_limit_s: float
    workers: int
    peer_repeat: int


FULL = Config(0.04, 1, 5, 60, 5, 180.0, 2, 3)
CI = Config(0.04, 1, 3, 25, 3, 60.0, 1, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.repair", description=__doc__)
    parser.add_argument("--ci", action="store_true", help="the quick run (fewer rounds)")
    parser.add_argument("--out", type=Path, help=f"default {RESULTS} ({RESULTS}/ci with --ci)")
    parser.add_argument("--dropouts", type=float, help="share of the remaining people (0.04)")
    parser.add_argument("--rounds", type=int, help="timed round trips on the server")
    parser.add_argument("--peer-time-limit", type=float, metavar="S")
    args = parser.parse_args(argv)
    config = CI if args.ci else FULL
    config = Config(
        args.dropouts if args.dropouts is not None else config.dropout_share,
        config.seed,
        config.repeat,
        min(MAX_ROUNDS, args.rounds or config.rounds),
        config.warm_up,
        args.peer_time_limit or config.peer_time_limit_s,
        config.workers,
        config.peer_repeat,
    )
    if not 0 < config.dropout_share < 1:
        parser.error("--dropouts must be between 0 and 1")
    out = args.out or (RESULTS / "ci" if args.ci else RESULTS)
    text = run(config, out, argv or sys.argv[1:])
    sys.stdout.write(text)
    return 0


def run(config: Config, out: Path, argv: list[str]) -> str:
    """Measure, write repair.md and repair.json to `out`, return the markdown."""
    body = repair_body(config.dropout_share, config.seed)
    raw = json.dumps(body).encode("utf-8")
    request, day = read_repair_request(body)
    _say("repair of the 1,000 for 1,000 example:")
    library_s, library_samples, plan = median_of(config.repeat, lambda: repair(request))
    _say(
        f"  library {library_s * 1000:.0f} ms (median), {plan.status}, {plan.changes.count} changes"
    )
    fresh_s, _, fresh = median_of(config.repeat, lambda: fresh_solve(request, day))
    _say(f"  fresh solve {fresh_s * 1000:.0f} ms, {fresh.changes} changes")
    naive = naive_solve(day)
    _say(f"  fresh solve of the whole request: {naive.changes} changes")
    negotiated_request, negotiated_day = read_repair_request(
        repair_body(config.dropout_share, config.seed, negotiated=True)
    )
    negotiated = repair(negotiated_request)
    negotiated_fresh = fresh_solve(negotiated_request, negotiated_day)
    negotiated_naive = naive_solve(negotiated_day)
    _say(
        f"  negotiated stages: repair {negotiated.changes.count}, fresh solves "
        f"{negotiated_fresh.changes} and {negotiated_naive.changes} changes"
    )
    peer_s, peer_samples, peer = median_of(
        config.peer_repeat, lambda: repair_per_person(request, config.peer_time_limit_s)
    )
    _say(f"  per-person CP-SAT {peer_s:.1f} s ({_runs(config.peer_repeat)}), {peer.status}")
    trips = round_trips(raw, config)
    _say(f"  round trip median {statistics.median(trips.ms):.0f} ms")
    result = {
        "settings": {
            "command": " ".join(["python", "-m", "benchmarks.repair", *argv]),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "dropout_share": config.dropout_share,
            "seed": config.seed,
            "repeat": config.repeat,
            "peer_repeat": config.peer_repeat,
            "rounds": config.rounds,
            "warm_up": config.warm_up,
            "peer_time_limit_s": config.peer_time_limit_s,
            "server_workers": config.workers,
        },
        "instance": {
            "people": [len(request.side_a.detainees), len(request.side_b.detainees)],
            "executed_stages": [stage.number for stage in day.executed],
            "dropouts": sum(len(found) for found in day.dropouts.values()),
            "remaining_agreed": remaining_agreed(day),
        },
        "levels": [level.name for level in plan.levels],
        "repair": {
            "seconds": library_s,  # the median of `repeat` runs
            "samples_s": library_samples,
            "status": plan.status,
            "objective": [level.value for level in plan.levels],
            "changes": _changes(plan),
        },
        "fresh_solve": {
            "seconds": fresh_s,
            "status": fresh.status,
            "objective": list(fresh.values),
            "changes": fresh.changes,
            "valid_as_repair": fresh.valid,
        },
        "fresh_solve_whole_request": {
            "status": naive.status,
            "changes": naive.changes,
            "moves_people_handed_over": naive.moved_handed_over,
        },
        "negotiated_stages": {
            "repair_status": negotiated.status,
            "repair_objective": [level.value for level in negotiated.levels],
            "repair_changes": _changes(negotiated),
            "fresh_solve_changes": negotiated_fresh.changes,
            "fresh_solve_whole_request_changes": negotiated_naive.changes,
        },
        "per_person_cpsat": {
            "seconds": peer_s,  # the median of `peer_repeat` runs
            "samples_s": peer_samples,
            "status": peer.status,
            "objective": list(peer.levels),
            "same_objective": peer.status == "optimal"
            and list(peer.levels) == [level.value for level in plan.levels],
        },
        "round_trip": {
            "samples_ms": trips.ms,
            "median_ms": statistics.median(trips.ms),
            "p95_ms": _percentile(trips.ms, 95),
            "statuses": trips.statuses,
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "repair.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    text = markdown(result)
    (out / "repair.md").write_text(text, encoding="utf-8")
    return text


def repair_body(share: float, seed: int, *, negotiated: bool = False) -> dict[str, Any]:
    """The example request, its plan as agreed, stage 1 executed, and `share` of the people
    agreed for the later stages dropping out (both sides, drawn with `seed`).

    `negotiated`: the agreed plan releases the same people, but stages 2 and 3 were
    arranged by the negotiators (see `negotiated_plan`)."""
    request = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    agreed = json.loads(AGREED.read_text(encoding="utf-8"))
    if negotiated:
        agreed = negotiated_plan(request, agreed, seed)
    # The events of the example's day (`examples/thousand_for_thousand.events.json` holds
    # them at 4 %, seed 1): the same people drop out of either arrangement.
    stages = [Stage.model_validate(stage) for stage in agreed["stages"]]
    events = day_events(stages, share, seed)
    return {**request, "plan": agreed, "events": events}


def negotiated_plan(request: dict[str, Any], plan: dict[str, Any], seed: int) -> dict[str, Any]:
    """The plan with its stages 2 and 3 arranged otherwise, as negotiators might (by
    region, by convoy, by hand), and as good on every level: people of one side with the
    same categories and status, travelling alone, trade places between the two stages,
    so every stage holds as many of each kind as before."""
    parsed = ExchangeRequest.model_validate(request)
    on = reference_date_of(parsed.terms)
    limit = parsed.terms.young_age_limit
    rng = random.Random(seed)
    stages = {stage["number"]: stage for stage in plan["stages"]}
    for side in SIDES:
        kinds: dict[frozenset[Category], list[str]] = {}
        people = {d.id: d for d in parsed.side(side).detainees}
        for number in (2, 3):
            for pid in stages[number][side.value]:
                if people[pid].group is None:
                    kinds.setdefault(categories_of(people[pid], on, limit), []).append(pid)
        for ids in kinds.values():
            in_two = [pid for pid in ids if pid in stages[2][side.value]]
            shuffled = sorted(ids)
            rng.shuffle(shuffled)
            now_two, now_three = set(shuffled[: len(in_two)]), set(shuffled[len(in_two) :])
            for number, chosen in ((2, now_two), (3, now_three)):
                kept = [pid for pid in stages[number][side.value] if pid not in ids]
                stages[number][side.value] = sorted(kept + sorted(chosen))
    return {"stages": [stages[number] for number in sorted(stages)]}


def remaining_agreed(day: DayOfExchange) -> int:
    return sum(
        1 for side in SIDES for stage in day.agreed[side].values() if stage >= day.first_remaining
    )


@dataclass(frozen=True)
class FreshSolve:
    status: str
    values: tuple[int, ...]
    changes: int
    valid: bool


def fresh_solve(repair_request: RepairRequest, day: DayOfExchange) -> FreshSolve:
    """Solve what is left as a new exchange, then count whom it changes.

    The remaining exchange: the people neither handed over nor dropped out, the stages
    not executed, the floor and cap less the counted people handed over (the same on
    both sides here: stage 1 was executed as agreed and balances). Its plan, behind the
    executed stage, is re-checked as a repaired plan and valued on the repair's levels.
    """
    request = day.request
    offset = day.first_remaining - 1
    handed = {side: day.handed_over(side) for side in SIDES}
    counted = {side: len(handed[side]) for side in SIDES}
    if request.terms.outside_parity or counted[Side.A] != counted[Side.B]:
        raise ValueError("the fresh solve is written for a balanced executed stage")
    gone = {side: handed[side].keys() | day.dropouts[side].keys() for side in SIDES}
    terms = request.terms.model_copy(
        update={
            "stages": (request.terms.stages or [])[offset:] or None,
            "min_per_side": max(0, request.terms.min_per_side - counted[Side.A]),
            "max_per_side": (
                None
                if request.terms.max_per_side is None
                else request.terms.max_per_side - counted[Side.A]
            ),
            "must_include": _ids_left(request.terms.must_include, gone),
            "must_exclude": _ids_left(request.terms.must_exclude, gone),
        }
    )
    remaining = ExchangeRequest(
        terms=terms,
        side_a=_people_left(request.side_a, gone[Side.A]),
        side_b=_people_left(request.side_b, gone[Side.B]),
        options=request.options,
    )
    plan = solve(remaining)
    stage_of = {
        side: {
            **{pid: s.number + offset for s in plan.stages for pid in _ids(s, side)},
            **handed[side],
        }
        for side in SIDES
    }
    changes = sum(
        1
        for side in SIDES
        for person in request.side(side).detainees
        if person.id not in gone[side]
        and stage_of[side].get(person.id, 0) != day.agreed[side].get(person.id, 0)
    )
    whole = _as_repaired(plan, stage_of, day)
    violations, values = recheck_repair(repair_request, whole, claims=False)
    return FreshSolve(plan.status, values, changes, not violations)


@dataclass(frozen=True)
class NaiveSolve:
    status: str
    changes: int
    moved_handed_over: int


def naive_solve(day: DayOfExchange) -> NaiveSolve:
    """A fresh solve of the whole request after the events, as if no stage had happened
    (dropouts taken off the lists): whom it changes among the people neither handed over
    nor dropped out, and how many who already crossed it would put elsewhere."""
    request = day.request
    handed = {side: day.handed_over(side) for side in SIDES}
    gone = {side: day.dropouts[side].keys() for side in SIDES}
    whole = request.model_copy(
        update={
            "side_a": _people_left(request.side_a, gone[Side.A]),
            "side_b": _people_left(request.side_b, gone[Side.B]),
            "terms": request.terms.model_copy(
                update={
                    "must_include": _ids_left(request.terms.must_include, gone),
                    "must_exclude": _ids_left(request.terms.must_exclude, gone),
                }
            ),
        }
    )
    plan = solve(whole)
    stage_of = {
        side: {pid: s.number for s in plan.stages for pid in _ids(s, side)} for side in SIDES
    }
    changes = moved = 0
    for side in SIDES:
        for person in request.side(side).detainees:
            now, agreed = stage_of[side].get(person.id, 0), day.agreed[side].get(person.id, 0)
            if person.id in handed[side]:
                moved += now != handed[side][person.id]
            elif person.id not in gone[side]:
                changes += now != agreed
    return NaiveSolve(plan.status, changes, moved)


def _ids(stage: Any, side: Side) -> list[str]:
    ids: list[str] = stage.side_a if side is Side.A else stage.side_b
    return ids


def _ids_left(named: IdsBySide, gone: dict[Side, Any]) -> IdsBySide:
    return IdsBySide(
        side_a=[pid for pid in named.side_a if pid not in gone[Side.A]],
        side_b=[pid for pid in named.side_b if pid not in gone[Side.B]],
    )


def _people_left(people: SideList, gone: Any) -> SideList:
    return SideList(name=people.name, detainees=[d for d in people.detainees if d.id not in gone])


def _as_repaired(plan: Plan, stage_of: dict[Side, dict[str, int]], day: DayOfExchange) -> Plan:
    executed = {stage.number for stage in day.executed}
    stages = [
        RepairedStage(
            number=number,
            side_a=[pid for pid, s in stage_of[Side.A].items() if s == number],
            side_b=[pid for pid, s in stage_of[Side.B].items() if s == number],
            executed=number in executed,
        )
        for number in range(1, day.stage_count + 1)
    ]
    return RepairedPlan(
        status="feasible",
        reference_date=plan.reference_date,
        released=Released(
            side_a=[pid for s in stages for pid in s.side_a],
            side_b=[pid for s in stages for pid in s.side_b],
        ),
        stages=stages,
    )


@dataclass(frozen=True)
class Trips:
    ms: list[float]
    statuses: dict[str, int]


def round_trips(raw: bytes, config: Config) -> Trips:
    """`POST /v1/plans/repair` of the body, `warm_up` times untimed, then `rounds` times."""
    ms: list[float] = []
    statuses: dict[str, int] = {}
    headers = {"content-type": "application/json"}
    with _server(config.workers) as base, httpx.Client(base_url=base, timeout=60.0) as client:
        for k in range(config.warm_up + config.rounds):
            started = time.perf_counter()
            response = client.post("/v1/plans/repair", content=raw, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            status = (
                str(response.json().get("status"))
                if response.status_code == 200
                else f"HTTP {response.status_code}"
            )
            if k >= config.warm_up:
                ms.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
    return Trips(ms, statuses)


@contextmanager
def _server(workers: int) -> Iterator[str]:
    """uvicorn serving the app on a free port of 127.0.0.1, its own database; its URL."""
    with tempfile.TemporaryDirectory(prefix="exchange-repair-") as scratch:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "EXCHANGE_DATABASE_URL": f"sqlite:///{Path(scratch) / 'repair.db'}",
            "EXCHANGE_SEED_EXAMPLES": "false",
            "EXCHANGE_WORKER_COUNT": str(workers),
            "EXCHANGE_RATE_LIMIT_PER_S": "0",
        }
        command = [
            sys.executable, "-m", "uvicorn", "app.main:app",
            "--host", HOST, "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        log = (Path(scratch) / "server.log").open("wb")
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://{HOST}:{port}"
        try:
            _wait_until_ready(base)
            yield base
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            log.close()


def _wait_until_ready(base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(base_url=base, timeout=5.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
    raise RuntimeError(f"the service was not ready within {START_TIMEOUT_S:g} s")


def _changes(plan: RepairedPlan) -> dict[str, int]:
    return {
        "added": len(plan.changes.added),
        "removed": len(plan.changes.removed),
        "moved": len(plan.changes.moved),
        "total": plan.changes.count,
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def markdown(result: dict[str, Any]) -> str:
    """The report: the day, the numbers against their targets, the objective vectors."""
    settings, instance = result["settings"], result["instance"]
    fixed, fresh, peer = result["repair"], result["fresh_solve"], result["per_person_cpsat"]
    naive = result["fresh_solve_whole_request"]
    trip = result["round_trip"]
    speed_up = peer["seconds"] / fixed["seconds"]
    peer_done = peer["status"] == "optimal"
    median_met = trip["median_ms"] <= ROUND_TRIP_TARGET_MS
    all_optimal = set(trip["statuses"]) == {"optimal"}
    lines = [
        "# Repair on the day of the exchange",
        "",
        f"`{settings['command']}` on {settings['machine'].get('cpus', '?')} CPUs "
        f'({settings["started"]}). The "1,000 for 1,000" example '
        f"({instance['people'][0]:,} x {instance['people'][1]:,} people, three stages, like "
        f"for like by status) with its plan as agreed; stage 1 executed as agreed, then "
        f"{instance['dropouts']} of the {instance['remaining_agreed']:,} people agreed for "
        f"stages 2 and 3 drop out ({settings['dropout_share']:.0%}, seed {settings['seed']}). "
        "Policy `priorities_first`. The machine is shared: read the ratios, not the times.",
        "",
        "| measure | this run | target | met |",
        "|---|---|---|---|",
        f"| `POST /v1/plans/repair`, warm server: median round trip "
        f"({len(trip['samples_ms'])} calls after {settings['warm_up']} to warm up) | "
        f"{trip['median_ms']:.0f} ms | <= {ROUND_TRIP_TARGET_MS:.0f} ms | "
        f"{'yes' if median_met else '**no**'} |",
        f"| the same, p95 | {trip['p95_ms']:.0f} ms | - | - |",
        f"| status of every repaired plan returned | {_statuses(trip['statuses'])} | optimal | "
        f"{'yes' if all_optimal else '**no**'} |",
        f"| repair in the library (median of {_runs(settings['repeat'])}) | "
        f"{fixed['seconds'] * 1000:.0f} ms, {fixed['status']} | - | - |",
        f"| per-person CP-SAT repair model (Hamming distance, agreed plan as hint; "
        f"{_peer_runs(settings)}) | {peer['seconds']:.1f} s, {peer['status']} | - | - |",
        f"| per-person CP-SAT time / repair time, {_peer_runs(settings)} against the "
        f"median of {_runs(settings['repeat'])} "
        f"({'identical objective vector' if peer['same_objective'] else 'objective vectors differ'}"
        f"{'' if peer_done else '; peer not finished, a lower bound'}) | {speed_up:,.0f}x | "
        f">= {SPEED_UP_TARGET:.0f}x | "
        f"{'yes' if speed_up >= SPEED_UP_TARGET and peer['same_objective'] else '**no**'} |",
        f"| people changed: repair vs a fresh solve of the remaining exchange | "
        f"{fixed['changes']['total']} vs {fresh['changes']} | fewer | "
        f"{'yes' if fixed['changes']['total'] < fresh['changes'] else '**no**'} |",
        f"| people changed: repair vs a fresh solve of the whole request after the events | "
        f"{fixed['changes']['total']} vs {naive['changes']} (and "
        f"{naive['moves_people_handed_over']} who already crossed put elsewhere) | fewer | "
        f"{'yes' if fixed['changes']['total'] < naive['changes'] else '**no**'} |",
        "",
        f"The repair adds {fixed['changes']['added']}, removes {fixed['changes']['removed']} "
        f"and moves {fixed['changes']['moved']} people. The fresh solve (the people neither "
        "handed over nor dropped out, stages 2 and 3, the floor less those handed over) "
        f"took {fresh['seconds'] * 1000:.0f} ms and is "
        f"{'a valid repaired plan too' if fresh['valid_as_repair'] else '**not** a valid repair'}"
        ", as good on every level but changes; it picks among the ties without regard for the "
        "names agreed. The fresh solve of the whole request after the events (the dropouts "
        "off the lists, all three stages, as if nothing had happened yet) is what a "
        "planner without repair would be asked; it is no repair at all, since it ignores "
        "the stage already executed.",
        "",
        "Above, the agreed plan is the planner's own, whose ties a fresh solve breaks the "
        "same way again, so it keeps most names. Agreed plans are negotiated: the same "
        "people, with stages 2 and 3 arranged by the negotiators (people of the same kind "
        "trading places between the two, as good on every level), and the same events:",
        "",
        "| agreed plan | repair | fresh solve of the remaining exchange | fresh solve of the "
        "whole request |",
        "|---|---|---|---|",
        f"| the planner's own | {fixed['changes']['total']} | {fresh['changes']} | "
        f"{naive['changes']} |",
        f"| stages 2 and 3 arranged by the negotiators | "
        f"{result['negotiated_stages']['repair_changes']['total']} | "
        f"{result['negotiated_stages']['fresh_solve_changes']} | "
        f"{result['negotiated_stages']['fresh_solve_whole_request_changes']} |",
        "",
        "## Objective vectors",
        "",
        "| level | repair | per-person CP-SAT | fresh solve |",
        "|---|---|---|---|",
    ]
    for k, name in enumerate(result["levels"]):
        peer_value = peer["objective"][k] if k < len(peer["objective"]) else "-"
        lines.append(
            f"| {name} | {_number(fixed['objective'][k])} | {_number(peer_value)} | "
            f"{_number(fresh['objective'][k])} |"
        )
    lines.append("")
    return "\n".join(lines)


def _runs(count: int) -> str:
    return f"{count} runs" if count != 1 else "1 run"


def _peer_runs(settings: dict[str, Any]) -> str:
    """How the per-person time was taken (older results ran it once)."""
    count = int(settings.get("peer_repeat", 1))
    return "a single run" if count == 1 else f"the median of {count} runs"


def _statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    raise SystemExit(main())
