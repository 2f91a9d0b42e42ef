"""How quickly the web page shows a plan: the "1,000 for 1,000" example, after the solve.

`python -m benchmarks.plan_page` runs the service in this process (its own SQLite file
in a scratch folder, open on loopback), takes the example through a case (both lists,
the terms, the solve) over the API, then times the plan page: its first view (the
request and the plan are read and the chart's figures worked out), later views (read
once, kept), a filtered table as htmx asks for it, and the chart. Medians over
`--repeat` views; nothing leaves the process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "thousand_for_thousand.json"
FINISHED = {"optimal", "feasible", "infeasible", "timeout", "cancelled", "failed"}


def _solved_plan_path(client: TestClient) -> str:
    request = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case = client.post("/v1/cases").json()["id"]
    for side in ("side_a", "side_b"):
        client.put(f"/v1/cases/{case}/lists/{side}", json=request[side]).raise_for_status()
    client.put(f"/v1/cases/{case}/terms", json={"terms": request["terms"]}).raise_for_status()
    job_id = client.post(f"/v1/cases/{case}/solve").json()["id"]
    deadline = time.monotonic() + 60
    while (job := client.get(f"/v1/jobs/{job_id}").json())["status"] not in FINISHED:
        if time.monotonic() > deadline:
            raise TimeoutError("the solve did not finish within 60 s")
        time.sleep(0.05)
    return f"/cases/{case}/plans/{job['plan_id']}"


def _timed_ms(client: TestClient, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    client.get(url, **kwargs).raise_for_status()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    repeat = parser.parse_args().repeat
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        database_url=f"sqlite:///{folder / 'exchange.db'}",
        seed_examples=False,
        worker_count=1,
        rate_limit_per_s=0,
    )
    with TestClient(create_app(settings, own_logging=False), base_url="http://127.0.0.1") as client:
        while client.get("/readyz").status_code != 200:
            time.sleep(0.05)
        url = _solved_plan_path(client)
        first = _timed_ms(client, url)
        later = statistics.median(_timed_ms(client, url) for _ in range(repeat))
        fragment_headers = {"HX-Request": "true", "HX-Target": "not-released"}
        table = statistics.median(
            _timed_ms(client, url, params={"nr_reason": "ineligible"}, headers=fragment_headers)
            for _ in range(repeat)
        )
        chart = statistics.median(_timed_ms(client, url + "/chart.svg") for _ in range(repeat))
    lines = [
        'Plan page of "1,000 for 1,000" (2,650 people), server time:',
        f"  first view      {first:7.1f} ms",
        f"  later views     {later:7.1f} ms (median of {repeat})",
        f"  filtered table  {table:7.1f} ms (htmx fragment)",
        f"  chart (SVG)     {chart:7.1f} ms",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
