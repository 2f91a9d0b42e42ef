"""A short load run on a live server with keys on: parties and the mediator at once.

Bounded in time (LOAD_SECONDS) and in concurrency; the only 5xx allowed is the designed
503 of a full solver queue. The per-key rate limit is on, at its defaults, so 429s are
expected from the busiest keys and are counted, not failed.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.app.bodies import exchange
from tests.app.live_server import LiveServer
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, Negotiation, open_negotiation

LOAD_SECONDS = 8.0
USERS = 24


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {
        "EXCHANGE_BOOTSTRAP_MEDIATOR_KEY": MEDIATOR_TOKEN,
        "EXCHANGE_WORKER_COUNT": "2",
        "EXCHANGE_QUEUE_SIZE": "4",
        "EXCHANGE_LOG_LEVEL": "WARNING",
    }
    with LiveServer(tmp_path_factory.mktemp("load"), settings) as live:
        yield live


async def user(
    number: int, client: httpx.AsyncClient, cases: list[Negotiation], tally: Tally, until: float
) -> None:
    chooser = random.Random(number)
    while time.monotonic() < until:
        negotiation = chooser.choice(cases)
        roll = chooser.random()
        if roll < 0.35:
            request = client.build_request(
                "GET", f"{negotiation.path}/lists/side_a", headers=negotiation.side_a
            )
        elif roll < 0.65:
            request = client.build_request(
                "GET", f"{negotiation.path}/plan", headers=negotiation.side_b
            )
        elif roll < 0.8:
            request = client.build_request("GET", negotiation.path, headers=MEDIATOR)
        elif roll < 0.92:
            request = client.build_request("POST", "/v1/plans", json=exchange(), headers=MEDIATOR)
        else:
            request = client.build_request("GET", "/v1/plans/none", headers=negotiation.side_a)
        started = time.perf_counter()
        response = await client.send(request)
        tally.latencies.append(time.perf_counter() - started)
        tally.statuses[response.status_code] += 1


async def run_load(base_url: str, cases: list[Negotiation]) -> Tally:
    tally = Tally()
    until = time.monotonic() + LOAD_SECONDS
    limits = httpx.Limits(max_connections=USERS)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(user(n, client, cases, tally, until) for n in range(USERS)))
    return tally


@pytest.mark.slow
def test_load_gives_no_5xx_but_designed_503s(server: LiveServer) -> None:
    with server.client() as client:
        cases = [open_negotiation(client) for _ in range(3)]
    started = time.monotonic()
    tally = asyncio.run(run_load(server.base_url, cases))
    elapsed = time.monotonic() - started
    total = sum(tally.statuses.values())
    latencies = sorted(tally.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(  # noqa: T201 - the measurement is the point of this test
        f"\nload: {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s), "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"statuses {dict(sorted(tally.statuses.items()))}"
    )
    assert elapsed < LOAD_SECONDS + 12
    assert total > 100
    unexpected = {s: n for s, n in tally.statuses.items() if s >= 500 and s != 503}
    assert unexpected == {}
    assert set(tally.statuses) <= {200, 201, 404, 429, 503}
    assert tally.statuses[200] > total / 3
    with server.client() as client:
        assert client.get("/readyz").status_code == 200
