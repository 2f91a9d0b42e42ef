"""How quickly the web page shows a reconciliation: its outcome and its review queue.

`python -m benchmarks.reconciliation_pages` runs the service in this process (its own SQLite file
in a scratch folder, open on loopback), stores a case's reconciliation of the benchmark's
synthetic lists (`--held` x `--requested`, seed 0) through the API, then times the pages:
the outcome (with the apply preview), the review queue as it opens (what is still to
decide), a filtered queue as htmx asks for it, and a decision (record it, answer the
queue with the next pair). Beside them, in the same run, the API's `GET .../matches`
for ten pairs, which reads the same stored answer and lists: the page's ratio to it is
what the page itself adds. Medians over `--repeat`; nothing leaves the process.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from benchmarks.reconciliation.lists import generate_lists
from reconciliation.birth_dates import parse_birth_date

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _held_list(records: list[dict[str, object]]) -> dict[str, object]:
    """The held records as a side's list: dates written YYYY-MM-DD, as lists take them."""
    detainees = []
    for record in records:
        person = dict(record)
        if isinstance(person.get("birth_date"), str):
            person["birth_date"] = parse_birth_date(str(person["birth_date"])).isoformat()
        detainees.append(person)
    return {"name": "Side B", "detainees": detainees}


def _timed_ms(client: TestClient, method: str, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    client.request(method, url, **kwargs).raise_for_status()  # type: ignore[arg-type]
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held", type=int, default=10_000)
    parser.add_argument("--requested", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    lists = generate_lists(arguments.held, arguments.requested, seed=0)
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        database_url=f"sqlite:///{folder / 'exchange.db'}",
        seed_examples=False,
        worker_count=1,
        rate_limit_per_s=0,
    )
    repeat = arguments.repeat
    with TestClient(create_app(settings, own_logging=False), base_url="http://127.0.0.1") as client:
        while client.get("/readyz").status_code != 200:
            time.sleep(0.05)
        case = client.post("/v1/cases").json()["id"]
        client.put(f"/v1/cases/{case}/lists/side_b", json=_held_list(lists.held)).raise_for_status()
        started = time.perf_counter()
        client.post(
            f"/v1/cases/{case}/reconcile",
            json={
                "held_side": "side_b",
                "requested": lists.requested,
                "exchanged": lists.exchanged,
            },
        ).raise_for_status()
        reconcile_s = time.perf_counter() - started
        page = f"/cases/{case}/reconciliation"
        csrf = _CSRF.findall(client.get(page).text)[0]
        outcome = statistics.median(_timed_ms(client, "GET", page) for _ in range(repeat))
        queue = statistics.median(_timed_ms(client, "GET", f"{page}/pairs") for _ in range(repeat))
        fragment = {"HX-Request": "true", "HX-Target": "review-queue"}
        filtered = statistics.median(
            _timed_ms(
                client,
                "GET",
                f"{page}/pairs",
                params={"band": "auto", "decision": "all", "page": "3"},
                headers=fragment,
            )
            for _ in range(repeat)
        )
        api = statistics.median(
            _timed_ms(client, "GET", f"/v1/cases/{case}/matches", params={"limit": "10"})
            for _ in range(repeat)
        )
        decide = statistics.median(
            _timed_ms(
                client,
                "POST",
                f"{page}/pairs/m-{n}",
                data={"csrf_token": csrf, "decision": "confirmed", "band": "", "shown": "all"},
                headers=fragment,
            )
            for n in range(repeat)
        )
    lines = [
        f"Reconciliation pages, {arguments.held:,} held x {arguments.requested:,} requested "
        f"(reconciled through the API in {reconcile_s:.1f} s), server time, medians of {repeat}:",
        f"  outcome and apply preview   {outcome:7.1f} ms",
        f"  review queue (to decide)    {queue:7.1f} ms",
        f"  filtered queue (htmx)       {filtered:7.1f} ms",
        f"  a decision (htmx)           {decide:7.1f} ms",
        f"  API GET .../matches (10)    {api:7.1f} ms  (queue / API: {queue / api:.1f}x)",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
