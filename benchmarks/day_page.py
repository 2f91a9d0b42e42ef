"""How quickly the day of the exchange works in the web page, on "1,000 for 1,000".

`python -m benchmarks.day_page` runs the service in this process (its own SQLite file
in a scratch folder, open on loopback), publishes the example's plan through a case,
then times, on the server: the day's page before any event (its stage form filled in by
the events' own check), recording the example's day (stage 1 and 49 dropouts) through
the API, the day's page after it, one event recorded through the page's form as htmx
sends it, a repair asked for through the page (with 3 ranked alternatives), and the
repaired draft's review page (first view, then later views). Medians over `--repeat`;
nothing leaves the process.
"""

from __future__ import annotations

import argparse
import json
import re
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
EVENTS = ROOT / "examples" / "thousand_for_thousand.events.json"
FINISHED = {"optimal", "feasible", "infeasible", "timeout", "cancelled", "failed"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _published_case(client: TestClient) -> str:
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
    published = client.post(f"/v1/cases/{case}/publish", json={"plan_id": job["plan_id"]})
    published.raise_for_status()
    return str(case)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _median_ms(client: TestClient, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url).raise_for_status()
        times.append(_ms(started))
    return statistics.median(times)


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
        case = _published_case(client)
        day = f"/cases/{case}/day"
        before = _median_ms(client, day, repeat)
        events = json.loads(EVENTS.read_text(encoding="utf-8"))
        started = time.perf_counter()
        client.post(f"/v1/cases/{case}/events", json={"events": events}).raise_for_status()
        recorded_api = _ms(started)
        after = _median_ms(client, day, repeat)
        found = _CSRF.search(client.get(day).text)
        assert found is not None
        token = found.group(1)
        # One more dropout: someone agreed for the last stage.
        plan = client.get(f"/v1/cases/{case}/plan").json()
        dropped = {event.get("id") for event in events}
        person = next(pid for pid in plan["stages"][-1]["side_a"] if pid not in dropped)
        form = {"type": "dropout", "side": "side_a", "id": person, "reason": "unfit_to_travel"}
        started = time.perf_counter()
        answer = client.post(
            f"{day}/events", data={"csrf_token": token, **form}, headers={"HX-Request": "true"}
        )
        answer.raise_for_status()
        recorded_page = _ms(started)
        started = time.perf_counter()
        repaired = client.post(
            f"{day}/repair",
            data={"csrf_token": token, "policy": "priorities_first", "options": "3"},
            follow_redirects=False,
        )
        repair_ms = _ms(started)
        review = repaired.headers["location"]
        started = time.perf_counter()
        client.get(review).raise_for_status()
        review_first = _ms(started)
        review_later = _median_ms(client, review, repeat)
    count = len(events)
    rows = [
        ("day page, nothing recorded", before, f"median of {repeat}"),
        (f"{count} events through the API", recorded_api, "checked and recorded"),
        (f"day page, {count} events", after, f"median of {repeat}"),
        ("one event through the form", recorded_page, "htmx: the page part redrawn"),
        ("repair, 3 alternatives", repair_ms, "through the page, stored"),
        ("review page, first view", review_first, ""),
        ("review page, later views", review_later, f"median of {repeat}"),
    ]
    lines = [f'The day of "1,000 for 1,000" ({count} events: stage 1, dropouts), server time:']
    lines += [f"  {label:<30} {ms:7.1f} ms  {note}".rstrip() for label, ms, note in rows]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
