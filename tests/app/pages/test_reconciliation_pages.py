"""Screen 3, reconciliation, over HTTP: a run from two files, the outcome, the review
queue (both records, the evidence in words, decisions with and without htmx, the focus
moving on), applying with counts before and after; and who may see none of it (a party:
404), CSRF, problems named without their cells, no names in URLs or logs."""

from __future__ import annotations

import html
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import app.pages.reconciliation as reconciliation_pages
from app.pages.catalogue import Catalogue
from app.reconciliation.case_reconciliation import run_and_store
from app.reconciliation.review import ReviewItem
from app.reconciliation.runs import ReconciliationRuns
from reconciliation.linkage_model import COMPARISONS
from reconciliation.steps import STEPS, StepReport
from tests.app.conftest import MakeClient
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, Negotiation, open_negotiation
from tests.app.pages.signing_in import csrf_of, signed_in

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "reconciliation"
SIDE_B = (EXAMPLES / "side_b.json").read_bytes()
REQUESTED = (EXAMPLES / "requested.json").read_bytes()
EXCHANGED = (EXAMPLES / "exchanged.csv").read_bytes()
# Names of the example lists, each of which must stay on the pages' own screens.
NAMES = ("Бондаренко", "Олійник", "Олейник", "Гаврилюк", "Марченко", "Lysenko", "Мельничук")
_LINKS = re.compile(r'(?:href|action|hx-get|hx-post|location)="([^"]*)"')


@dataclass
class Reconciling:
    """A case whose side B holds the example list, and a signed-in mediator on it."""

    service: TestClient
    negotiation: Negotiation
    mediator: TestClient
    csrf: str

    @property
    def page(self) -> str:
        return f"/cases/{self.negotiation.case_id}/reconciliation"

    def start(self, **files: tuple[str, bytes, str]) -> tuple[int, str]:
        answer = self.mediator.post(
            self.page,
            data={"csrf_token": self.csrf, "held_side": "side_b", "use_registry": "yes"},
            files=files
            or {
                "requested_file": ("requested.json", REQUESTED, "application/json"),
                "exchanged_file": ("exchanged.csv", EXCHANGED, "text/csv"),
            },
            follow_redirects=False,
        )
        return answer.status_code, answer.headers.get("location", answer.text)

    def decide(
        self, item: str, decision: str, htmx: bool, shown: str = "to_decide"
    ) -> httpx.Response:
        answer: httpx.Response = self.mediator.post(
            f"{self.page}/pairs/{item}",
            data={"csrf_token": self.csrf, "decision": decision, "band": "", "shown": shown},
            headers={"HX-Request": "true", "HX-Target": "review-queue"} if htmx else {},
            follow_redirects=False,
        )
        return answer


@pytest.fixture
def reconciling(secured: TestClient, monkeypatch: pytest.MonkeyPatch) -> Reconciling:
    # A run is waited for until it ends (the first one imports the linkage libraries):
    # these tests read its outcome, not how long it took.
    monkeypatch.setattr(reconciliation_pages, "SHORT_RUN_S", 60)
    negotiation = open_negotiation(secured, solve=False, publish=False)
    uploaded = secured.put(
        f"{negotiation.path}/lists/side_b",
        content=SIDE_B,
        headers={**MEDIATOR, "Content-Type": "application/json"},
    )
    assert uploaded.status_code == 200, uploaded.text
    mediator, csrf = signed_in(secured, MEDIATOR_TOKEN)
    return Reconciling(secured, negotiation, mediator, csrf)


def _no_name_in_links(html: str) -> None:
    for link in _LINKS.findall(html):
        assert not re.search("[А-Яа-яІіЇїЄєҐґ]", link), link
        assert not any(name in link for name in NAMES), link


def test_reconcile_review_decide_apply(
    reconciling: Reconciling, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mediator, page = reconciling.mediator, reconciling.page
    before = mediator.get(page)
    assert "Start a reconciliation" in before.text
    assert 'id="held-side_b" name="held_side" value="side_b" checked' in before.text

    # A short run is waited for: straight to the outcome.
    status, location = reconciling.start()
    assert (status, location) == (303, f"{page}?reconciled=1")
    outcome = mediator.get(location).text
    assert "Matched automatically: 5. Pairs to review: 2. Asked for and not found: 1." in outcome
    assert "Review the pairs: 3 to decide" in outcome
    assert "Марченко Ігор Петрович" in outcome  # R-7, not found, as side A wrote it
    assert "B-107" in outcome  # listed twice, with B-108
    assert "B-108" in outcome
    _no_name_in_links(outcome)

    # The queue shows what waits for a person: the two namesakes and the registry hit.
    queue = mediator.get(f"{page}/pairs").text
    assert re.findall(r'<article class="pair [^"]*" id="pair-([mx]-\d+)"', queue) == [
        "m-4",
        "m-5",
        "x-0",
    ]
    assert '<td lang="uk">Бондаренко Андрій</td>' in queue  # the request, in Ukrainian
    assert '<td lang="ru">Бондаренко Андрей Николаевич</td>' in queue  # side B's Russian
    assert "the same name in its Ukrainian and Russian forms" in queue
    assert "Probability they are one person: 46.7%" in queue
    assert "pair m-5 (R-5 and B-106, Not decided)" in queue  # the rival of m-4
    assert 'aria-keyshortcuts="C"' in queue
    _no_name_in_links(queue)

    # With htmx: the queue comes back, the focus on the next pair, the result read out.
    answer = reconciling.decide("m-4", "confirmed", htmx=True)
    assert answer.status_code == 200
    fragment = answer.text
    assert fragment.startswith('<div id="review-queue"')
    assert re.search(r'id="pair-m-5"[^>]*data-focus', fragment)
    assert "Pair m-4 confirmed. Still to decide: 2. Now on pair m-5." in fragment
    assert answer.headers["hx-replace-url"].endswith("/pairs?band=&decision=to_decide&page=1")
    # Without JavaScript: a redirect to the next pair.
    answer = reconciling.decide("m-5", "rejected", htmx=False)
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("#pair-x-0")
    last = reconciling.decide("x-0", "confirmed", htmx=True)
    assert 'id="queue-done" tabindex="-1" data-focus' in last.text
    assert "Every pair that needs a decision has one." in last.text

    confirmed = mediator.get(f"{page}/pairs", params={"decision": "confirmed"}).text
    assert re.findall(r'id="pair-([mx]-\d+)" data-pair', confirmed) == ["m-4", "x-0"]
    automatic = mediator.get(
        f"{page}/pairs",
        params={"band": "auto", "decision": "all"},
        headers={"HX-Request": "true", "HX-Target": "review-queue"},
    ).text
    assert "Showing 6 of 8 pairs." in automatic
    assert mediator.get(f"{page}/pairs", params={"band": "maybe"}).status_code == 422

    # Applying, with the counts before and after.
    summary = mediator.get(page).text
    assert re.search(
        r"Requested by name</th><td>0</td><td>6</td>.*Ineligible \(held back\)</th>"
        r"<td>0</td><td>1</td>",
        summary,
        re.DOTALL,
    )
    applied = mediator.post(
        f"{page}/apply", data={"csrf_token": reconciling.csrf}, follow_redirects=False
    )
    assert applied.headers["location"] == f"{page}?requested_set=6&made_ineligible=1#applied"
    shown = mediator.get(applied.headers["location"]).text
    assert "Newly requested by name: 6. Newly ineligible (already exchanged): 1." in shown
    stored = reconciling.service.get(
        f"{reconciling.negotiation.path}/lists/side_b", headers=MEDIATOR
    ).json()
    people = {p["id"]: p for p in stored["detainees"]}
    assert sorted(i for i, p in people.items() if p.get("requested")) == [
        "B-101",
        "B-102",
        "B-103",
        "B-104",
        "B-105",
        "B-111",
    ]
    assert people["B-109"]["eligible"] is False
    assert people["B-109"]["ineligible_reason"] == "already exchanged"

    trail = mediator.get(f"/cases/{reconciling.negotiation.case_id}/downloads").text
    for action in ("Lists reconciled", "Reconciliation pair decided", "Reconciliation applied"):
        assert action in trail
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert not any(name in logged for name in NAMES)


def test_a_bad_file_is_named_by_row_field_and_rule_without_its_cells(
    reconciling: Reconciling,
) -> None:
    bad = "id,name,birth_date,nickname\nR-1,Canary Кенар,31.02.1990,Кеша\nR-1,Другий,,\n"
    status, text = reconciling.start(requested_file=("requested.csv", bad.encode(), "text/csv"))
    assert status == 422
    for found in ("unreadable_date", "duplicate_id", "unknown_field", "Requested"):
        assert found in text
    for cell in ("Canary", "Кенар", "31.02.1990", "Кеша", "Другий"):
        assert cell not in text
    status, text = reconciling.start(requested_file=("empty.csv", b"id,name\n", "text/csv"))
    assert status == 422
    assert "empty_list" in text
    status, text = reconciling.start(requested_file=("", b"", "application/octet-stream"))
    assert status == 422
    assert "missing_file" in text
    # Nothing was stored.
    path = f"{reconciling.negotiation.path}/reconcile"
    assert reconciling.service.get(path, headers=MEDIATOR).status_code == 404


def test_the_files_may_be_workbooks(reconciling: Reconciling) -> None:
    import csv
    import io
    import json

    from reconciliation.workbooks import XLSX_CONTENT_TYPE
    from tests.reconciliation.test_workbooks import workbook

    records = json.loads(REQUESTED)
    records = records["detainees"] if isinstance(records, dict) else records
    fields = sorted({key for record in records for key in record})
    requested = workbook([fields, *[[record.get(f) for f in fields] for record in records]])
    exchanged = workbook(list(csv.reader(io.StringIO(EXCHANGED.decode("utf-8")))))
    status, location = reconciling.start(
        requested_file=("requested.xlsx", requested, XLSX_CONTENT_TYPE),
        exchanged_file=("exchanged.xlsx", exchanged, XLSX_CONTENT_TYPE),
    )
    assert (status, location) == (303, f"{reconciling.page}?reconciled=1")
    outcome = reconciling.mediator.get(location).text
    # The same outcome as from the JSON and CSV files of the example.
    assert "Matched automatically: 5. Pairs to review: 2. Asked for and not found: 1." in outcome


def test_applied_counts_in_the_address_are_ascii_digits_only(reconciling: Reconciling) -> None:
    # "²".isdigit() holds but int("²") raises: such counts are ignored, not a 500.
    for counts in (
        {"requested_set": "²", "made_ineligible": "1"},
        {"requested_set": "1", "made_ineligible": "٣"},
    ):
        shown = reconciling.mediator.get(reconciling.page, params=counts)
        assert shown.status_code == 200
        assert "Newly requested by name" not in shown.text


def test_changes_need_the_session_csrf_token(reconciling: Reconciling) -> None:
    mediator, page = reconciling.mediator, reconciling.page
    files = {"requested_file": ("requested.json", REQUESTED, "application/json")}
    for path, extra in (
        (page, {"held_side": "side_b"}),
        (f"{page}/pairs/m-0", {"decision": "confirmed"}),
        (f"{page}/apply", {}),
    ):
        answer = mediator.post(path, data={"csrf_token": "forged", **extra}, files=files)
        assert answer.status_code == 403, path
    path = f"{reconciling.negotiation.path}/reconcile"
    assert reconciling.service.get(path, headers=MEDIATOR).status_code == 404


def test_a_party_gets_nothing_of_it(reconciling: Reconciling) -> None:
    status, _ = reconciling.start()
    assert status == 303
    for side in ("side_a", "side_b"):
        token = getattr(reconciling.negotiation, side)["X-API-Key"]
        party, csrf = signed_in(reconciling.service, token)
        page = reconciling.page
        for path in (page, f"{page}/pairs", f"{page}/progress", f"{page}/pairs?decision=all"):
            answer = party.get(path, follow_redirects=False)
            assert answer.status_code == 404, path
            assert not any(name in answer.text for name in NAMES)
            assert "R-5" not in answer.text
        for path in (page, f"{page}/pairs/m-4", f"{page}/apply"):
            answer = party.post(
                path,
                data={"csrf_token": csrf, "held_side": "side_b", "decision": "confirmed"},
                files={"requested_file": ("r.json", REQUESTED, "application/json")},
            )
            assert answer.status_code == 404, path
    queue = reconciling.service.get(
        f"{reconciling.negotiation.path}/matches",
        params={"decision": "confirmed"},
        headers=MEDIATOR,
    ).json()
    assert queue["total"] == 0  # the parties' posts decided nothing


def test_a_long_run_shows_its_steps_then_its_outcome(
    reconciling: Reconciling, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    real = run_and_store

    def held_up(prepared: Any, cases: Any, stores: Any, on_step: StepReport) -> Any:
        on_step(STEPS[1])
        on_step(STEPS[2])
        assert release.wait(30)
        return real(prepared, cases, stores, on_step)

    monkeypatch.setattr(reconciliation_pages, "SHORT_RUN_S", 0.05)
    monkeypatch.setattr(reconciliation_pages, "run_and_store", held_up)
    mediator, page = reconciling.mediator, reconciling.page
    status, location = reconciling.start()
    assert (status, location) == (303, page)
    running = mediator.get(page).text
    assert 'id="reconciliation-progress" class="message" aria-busy="true"' in running
    assert "Step 3 of 10: learning: how often the lists agree" in running
    assert '<progress id="reconciliation-steps" max="10" value="2">' in running
    again, _ = reconciling.start()
    assert again == 409  # one run per case at a time
    polled = mediator.get(f"{page}/progress", headers={"HX-Request": "true"})
    assert polled.text.startswith('<div id="reconciliation-progress"')
    assert 'data-announce="Step 3 of 10: learning: how often the lists agree"' in polled.text
    quiet = mediator.get(f"{page}/progress?seen=3", headers={"HX-Request": "true"})
    assert "data-announce" not in quiet.text  # a step is read out once
    release.set()
    app = cast(FastAPI, reconciling.service.app)
    runs: ReconciliationRuns = app.state.reconciliation_runs
    runs.wait(reconciling.negotiation.case_id, 30)
    done = mediator.get(f"{page}/progress", headers={"HX-Request": "true"})
    assert done.status_code == 204
    assert done.headers["hx-redirect"] == f"{page}?reconciled=1"

    def broken(prepared: Any, cases: Any, stores: Any, on_step: StepReport) -> None:
        raise ValueError("Бондаренко Андрій")  # a message that quotes a name

    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(reconciliation_pages, "run_and_store", broken)
    monkeypatch.setattr(reconciliation_pages, "SHORT_RUN_S", 30)
    status, location = reconciling.start()
    assert location == f"{page}?failed=1"
    failed = mediator.get(location).text
    assert "The reconciliation failed. Nothing was stored" in failed
    assert "Matched automatically" in failed  # the previous outcome is kept
    assert "ValueError" in caplog.text
    assert "Бондаренко" not in caplog.text


def test_every_step_and_every_evidence_level_has_words() -> None:
    catalogue = Catalogue.load("en")
    for step in STEPS:
        key = "reconciliation.step." + step.replace(":", "").replace(" ", "_")
        assert catalogue.has(key), step
    for comparison in COMPARISONS:
        for level in (*(level.label for level in comparison.levels), "different", "missing"):
            key = f"reconciliation.evidence.{comparison.field}.{level}"
            assert catalogue.has(key), key
        assert catalogue.has(f"reconciliation.field.{comparison.field}")


def test_people_not_found_are_listed_with_what_their_record_gives(
    reconciling: Reconciling,
) -> None:
    requested = "id,surname,given_name\nR-1,Петренко,Ярослав\n"
    status, location = reconciling.start(
        requested_file=("requested.csv", requested.encode(), "text/csv")
    )
    assert status == 303
    outcome = reconciling.mediator.get(location)
    assert outcome.status_code == 200
    assert '<th scope="row">R-1</th><td>Петренко Ярослав</td><td></td>' in outcome.text


def _item(item_id: str, decision: str = "pending") -> ReviewItem:
    return ReviewItem(
        id=item_id,
        kind="match",
        band="review",
        probability=0.5,
        decision=decision,
        evidence={},
        held={"id": "B-" + item_id},
        requested={"id": "R-" + item_id},
    )


def test_after_a_decision_the_focus_goes_to_the_next_pair_of_the_view() -> None:
    queue = [_item("m-0"), _item("m-1", "confirmed"), _item("m-2"), _item("m-3")]
    # Every pair shown: the one after it, even when decided.
    following, place = reconciliation_pages._next_after(queue, queue, "m-0")
    assert (following and following.id, place) == ("m-1", 1)
    # Only what is left: the decided pair has left the view; the next open one.
    left = [queue[0], queue[3]]
    following, place = reconciliation_pages._next_after(queue, left, "m-2")
    assert (following and following.id, place) == ("m-3", 1)
    # The last one decided: back to the first still open, then nothing.
    following, place = reconciliation_pages._next_after(queue, [queue[0]], "m-3")
    assert (following and following.id, place) == ("m-0", 0)
    assert reconciliation_pages._next_after(queue, [], "m-0") == (None, 0)


def test_every_instance_on_the_database_follows_a_run(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two instances of the service on one database, as behind a load balancer: a run
    started through one is shown, and kept to one per case, by the other."""
    release = threading.Event()

    def held_up(prepared: Any, cases: Any, stores: Any, on_step: StepReport) -> Any:
        on_step(STEPS[1])
        assert release.wait(30)
        return run_and_store(prepared, cases, stores, on_step)

    monkeypatch.setattr(reconciliation_pages, "run_and_store", held_up)
    monkeypatch.setattr(reconciliation_pages, "SHORT_RUN_S", 0.05)
    with make_client() as one, make_client() as two:
        csrf_one, csrf_two = csrf_of(one.get("/").text), csrf_of(two.get("/").text)
        opened = one.post("/cases", data={"csrf_token": csrf_one}, follow_redirects=False)
        page = opened.headers["location"] + "/reconciliation"
        uploaded = one.post(
            opened.headers["location"] + "/lists/side_b",
            data={"csrf_token": csrf_one},
            files={"list_file": ("b.json", SIDE_B, "application/json")},
        )
        assert uploaded.status_code == 200
        files = {"requested_file": ("requested.json", REQUESTED, "application/json")}
        form = {"held_side": "side_b", "use_registry": "yes"}
        started = one.post(
            page, data={"csrf_token": csrf_one, **form}, files=files, follow_redirects=False
        )
        assert started.headers["location"] == page
        try:
            assert "Step 2 of 10: building comparable keys" in two.get(page).text
            again = two.post(page, data={"csrf_token": csrf_two, **form}, files=files)
            assert again.status_code == 409
            assert "already running" in again.text
        finally:
            release.set()
        app = cast(FastAPI, one.app)
        runs: ReconciliationRuns = app.state.reconciliation_runs
        runs.wait(page.split("/")[2], 30)
        done = two.get(page + "/progress", headers={"HX-Request": "true"})
        assert done.headers["hx-redirect"] == page + "?reconciled=1"
        assert "Matched automatically: 5." in two.get(done.headers["hx-redirect"]).text


def test_the_pages_refuse_a_second_pair_for_one_person_and_a_stale_apply(
    reconciling: Reconciling,
) -> None:
    mediator, page = reconciling.mediator, reconciling.page
    assert reconciling.start()[0] == 303
    assert reconciling.decide("m-4", "confirmed", htmx=True).status_code == 200
    # m-5 is R-5 again (the namesake): refused in plain words, nothing recorded.
    for htmx in (True, False):
        answer = reconciling.decide("m-5", "confirmed", htmx=htmx)
        assert answer.status_code == (200 if htmx else 409)
        assert "Pair m-5 not confirmed: one of its people is already in pair m-4" in answer.text
        assert 'id="decision-refused" role="alert"' in answer.text
        assert re.search(r'id="pair-m-5"[^>]*data-focus', answer.text)
    confirmed = mediator.get(f"{page}/pairs", params={"decision": "confirmed"}).text
    assert re.findall(r'id="pair-([mx]-\d+)" data-pair', confirmed) == ["m-4"]

    # Side B uploads its list again: applying the old answer is refused, in plain words.
    again = reconciling.service.put(
        f"{reconciling.negotiation.path}/lists/side_b",
        content=SIDE_B.replace(b"B-112", b"B-113"),
        headers={**MEDIATOR, "Content-Type": "application/json"},
    )
    assert again.status_code == 200, again.text
    refused = mediator.post(f"{page}/apply", data={"csrf_token": reconciling.csrf})
    assert refused.status_code == 409
    assert "Not applied: Side B's list was uploaded again after this reconciliation ran" in (
        html.unescape(refused.text)
    )
    assert 'id="apply-refused" role="alert"' in refused.text
    stored = reconciling.service.get(
        f"{reconciling.negotiation.path}/lists/side_b", headers=MEDIATOR
    ).json()
    assert not any(p.get("requested") for p in stored["detainees"])


def test_a_key_that_is_not_a_field_name_is_not_echoed_either(reconciling: Reconciling) -> None:
    # A careless file's key (or CSV header) may be a person's name: shown masked, as the
    # API's 422 does, never as written.
    bad = b'[{"id": "R-1", "name": "Synthetic Person", "Canary Kenar": "yes"}]'
    status, text = reconciling.start(requested_file=("requested.json", bad, "application/json"))
    assert status == 422
    assert "unknown_field" in text
    assert "Canary" not in text
    header = b"id,name,Canary Kenar\nR-1,Synthetic Person,yes\n"
    status, text = reconciling.start(requested_file=("requested.csv", header, "text/csv"))
    assert status == 422
    assert "Canary" not in text
