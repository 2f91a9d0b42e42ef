"""The service under load: is `/healthz` still quick while solves run?

`python -m benchmarks.load` starts `uvicorn app.main:app` on a free port of 127.0.0.1
(with its own SQLite file in a scratch folder), keeps `--concurrency` solves of
1,000-per-side requests in flight through `POST /v1/plans` for `--seconds`, and polls
`GET /healthz` all the while. Everything is bounded: the run length, the number of
solves and of polls, and every request's timeout; only 127.0.0.1 is ever contacted.
Writes `load.md` and `load.json` to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import ROOT
from solver.synthetic import generate_request, request_json

HOST = "127.0.0.1"  # the only address this script talks to
HEALTHZ_TARGET_MS = 100.0
MAX_SOLVES = 400
MAX_POLLS = 20_000
POLL_INTERVAL_S = 0.02
START_TIMEOUT_S = 90.0


@dataclass
class LoadResult:
    """What one load run saw."""

    concurrency: int
    per_side: int
    seconds: float
    healthz_idle_ms: list[float] = field(default_factory=list)
    healthz_loaded_ms: list[float] = field(default_factory=list)
    healthz_failures: int = 0
    solve_ms: list[float] = field(default_factory=list)
    solve_codes: Counter[str] = field(default_factory=Counter)
    plan_statuses: Counter[str] = field(default_factory=Counter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=4, help="solves kept in flight")
    parser.add_argument("--per-side", type=int, default=1000, help="people on side A")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to keep the load")
    parser.add_argument("--workers", type=int, default=2, help="the service's solver processes")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 1 <= args.concurrency <= 32:
        parser.error("--seconds must be in (0, 600] and --concurrency in [1, 32]")

    with tempfile.TemporaryDirectory(prefix="exchange-load-") as scratch:
        port = _free_port()
        server = _start_server(Path(scratch), port, args.workers)
        try:
            result = asyncio.run(_load(port, args))
        finally:
            _stop_server(server)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = _summary(result)
    document = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": args.workers,
        "summary": summary,
        "samples_ms": {
            "healthz_idle": result.healthz_idle_ms,
            "healthz_loaded": result.healthz_loaded_ms,
            "solves": result.solve_ms,
        },
    }
    (args.out / "load.json").write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    text = _markdown(summary, args)
    (args.out / "load.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0 if summary["healthz_loaded_p99_ms"] < HEALTHZ_TARGET_MS else 1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _start_server(scratch: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EXCHANGE_DATABASE_URL": f"sqlite:///{scratch / 'load.db'}",
        "EXCHANGE_SEED_EXAMPLES": "false",
        "EXCHANGE_WORKER_COUNT": str(workers),
        "EXCHANGE_QUEUE_SIZE": "64",
    }
    command = [
        sys.executable, "-m", "uvicorn", "app.main:app",
        "--host", HOST, "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    log = (scratch / "server.log").open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def _load(port: int, args: argparse.Namespace) -> LoadResult:
    base = f"http://{HOST}:{port}"
    bodies = [
        request_json(generate_request(args.per_side, seed)).encode()
        for seed in range(1, args.concurrency + 1)
    ]
    result = LoadResult(args.concurrency, args.per_side, args.seconds)
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
        await _wait_until_ready(client)
        for _ in range(100):  # idle baseline
            result.healthz_idle_ms.append(await _healthz(client, result))
            await asyncio.sleep(POLL_INTERVAL_S)
        result.healthz_idle_ms = [ms for ms in result.healthz_idle_ms if ms >= 0]
        stop_at = time.monotonic() + args.seconds
        solvers = [_keep_solving(client, body, stop_at, result) for body in bodies]
        poller = _poll_health(client, stop_at, result)
        await asyncio.gather(poller, *solvers)
    return result


async def _wait_until_ready(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError(f"the service was not ready within {START_TIMEOUT_S:g} s")


async def _healthz(client: httpx.AsyncClient, result: LoadResult) -> float:
    started = time.perf_counter()
    try:
        response = await client.get("/healthz", timeout=5.0)
    except httpx.TransportError:
        result.healthz_failures += 1
        return -1.0
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        result.healthz_failures += 1
        return -1.0
    return elapsed


async def _poll_health(client: httpx.AsyncClient, stop_at: float, result: LoadResult) -> None:
    while time.monotonic() < stop_at and len(result.healthz_loaded_ms) < MAX_POLLS:
        elapsed = await _healthz(client, result)
        if elapsed >= 0:
            result.healthz_loaded_ms.append(elapsed)
        await asyncio.sleep(POLL_INTERVAL_S)


async def _keep_solving(
    client: httpx.AsyncClient, body: bytes, stop_at: float, result: LoadResult
) -> None:
    headers = {"content-type": "application/json"}
    while time.monotonic() < stop_at and len(result.solve_ms) < MAX_SOLVES:
        started = time.perf_counter()
        try:
            response = await client.post("/v1/plans", content=body, headers=headers)
        except httpx.TransportError as error:
            result.solve_codes[type(error).__name__] += 1
            await asyncio.sleep(0.5)
            continue
        result.solve_ms.append((time.perf_counter() - started) * 1000)
        result.solve_codes[str(response.status_code)] += 1
        if response.status_code == 201:
            result.plan_statuses[str(response.json().get("status"))] += 1


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _summary(result: LoadResult) -> dict[str, Any]:
    loaded, idle, solves = result.healthz_loaded_ms, result.healthz_idle_ms, result.solve_ms
    return {
        "concurrency": result.concurrency,
        "per_side": result.per_side,
        "seconds": result.seconds,
        "healthz_idle_p50_ms": _percentile(idle, 50),
        "healthz_idle_p99_ms": _percentile(idle, 99),
        "healthz_loaded_count": len(loaded),
        "healthz_loaded_p50_ms": _percentile(loaded, 50),
        "healthz_loaded_p99_ms": _percentile(loaded, 99),
        "healthz_loaded_max_ms": max(loaded, default=float("nan")),
        "healthz_failures": result.healthz_failures,
        "solves": len(solves),
        "solve_p50_ms": _percentile(solves, 50),
        "solve_p99_ms": _percentile(solves, 99),
        "solve_codes": dict(result.solve_codes),
        "plan_statuses": dict(result.plan_statuses),
    }


def _markdown(summary: dict[str, Any], args: argparse.Namespace) -> str:
    met = "yes" if summary["healthz_loaded_p99_ms"] < HEALTHZ_TARGET_MS else "**no**"
    return "\n".join(
        [
            "# The service under load",
            "",
            f"`python -m benchmarks.load` : {summary['concurrency']} solves of "
            f"{summary['per_side']:,}-per-side requests kept in flight through `POST "
            f"/v1/plans` for {summary['seconds']:g} s on {args.workers} solver workers, "
            f"`GET /healthz` polled every {POLL_INTERVAL_S * 1000:.0f} ms meanwhile "
            f"(127.0.0.1, {os.cpu_count()} CPUs shared with other work).",
            "",
            "| measure | value |",
            "|---|---|",
            f"| /healthz p50 / p99, idle | {summary['healthz_idle_p50_ms']:.1f} ms / "
            f"{summary['healthz_idle_p99_ms']:.1f} ms |",
            f"| /healthz p50 / p99 / max, under load ({summary['healthz_loaded_count']} polls) "
            f"| {summary['healthz_loaded_p50_ms']:.1f} ms / "
            f"{summary['healthz_loaded_p99_ms']:.1f} ms / "
            f"{summary['healthz_loaded_max_ms']:.1f} ms |",
            f"| /healthz failures | {summary['healthz_failures']} |",
            f"| /healthz p99 under load < {HEALTHZ_TARGET_MS:g} ms | {met} |",
            f"| solves completed | {summary['solves']} (HTTP {summary['solve_codes']}) |",
            f"| plan statuses | {summary['plan_statuses']} |",
            f"| solve latency p50 / p99 (queueing included) | {summary['solve_p50_ms']:.0f} ms"
            f" / {summary['solve_p99_ms']:.0f} ms |",
            "",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
