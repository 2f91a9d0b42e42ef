"""/v1/reconcile and a case's reconciliation: review queue, decisions, apply, then solve."""

from __future__ import annotations

import json
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import running_client, settings_for
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, open_negotiation, poll_job

PROBLEM_JSON = "application/problem+json"


def _person(pid: str, name: str, born: str, captured: str) -> dict[str, Any]:
    return {"id": pid, "name": name, "birth_date": born, "captured_on": captured, "age": None}


# Side B holds six people of the same age and status; B-1..B-3 have been held longest,
# so with three released a side and nobody requested, they go first.
SIDE_B = {
    "name": "Side B",
    "detainees": [
        {k: v for k, v in person.items() if v is not None}
        for person in (
            _person("B-1", "Мельник Андрей Петрович", "1985-02-11", "2023-01-10"),
            _person("B-2", "Бойко Виктор Иванович", "1986-07-23", "2023-01-12"),
            _person("B-3", "Ткаченко Сергей Олегович", "1984-11-05", "2023-01-15"),
            _person("B-4", "Олейник Александр Петрович", "1990-05-03", "2024-03-01"),
            _person("B-5", "Шевченко Тарас Григорьевич", "1984-03-09", "2024-03-02"),
            _person("B-6", "Коваленко Дмитрий Юрьевич", "1988-12-30", "2024-03-03"),
        )
    ],
}
SIDE_A = {
    "name": "Side A",
    "detainees": [{"id": f"A-{n}", "age": 40, "captured_on": "2023-06-01"} for n in range(1, 4)],
}
TERMS = {
    "terms": {
        "reference_date": "2025-06-01",
        "min_per_side": 3,
        "max_per_side": 3,
        "release_all": [],
    },
    "options": {"time_limit_s": 10},
}
REQUESTED = [
    # Ukrainian forms, Latin, a full name in the other order, dates as DD.MM.YYYY
    {"id": "R-1", "name": "Олійник Олександр Петрович", "birth_date": "03.05.1990"},
    {"id": "R-2", "surname": "Shevchenko", "given_name": "Taras", "birth_date": "1984-03-09"},
    {"id": "R-3", "name": "Дмитро Юрійович Коваленко", "birth_date": "30.12.1988"},
    {"id": "R-4", "name": "Петренко Ярослав", "birth_date": "1970-01-01"},
]
EXCHANGED = [{"id": "X-1", "name": "Мельник Андрій Петрович", "birth_date": "11.02.1985"}]


def _case(client: TestClient) -> str:
    negotiation = open_negotiation(client, solve=False, publish=False)
    path = negotiation.path
    for side, body in (("side_a", SIDE_A), ("side_b", SIDE_B)):
        uploaded = client.put(f"{path}/lists/{side}", json=body, headers=MEDIATOR)
        assert uploaded.status_code == 200, uploaded.text
    assert client.put(f"{path}/terms", json=TERMS, headers=MEDIATOR).status_code == 200
    return path


def _released_b(client: TestClient, path: str) -> list[str]:
    solved = client.post(f"{path}/solve", headers=MEDIATOR)
    assert solved.status_code == 202, solved.text
    job = poll_job(client, solved.json()["id"], MEDIATOR)
    assert job["status"] == "optimal", job
    plan = client.get(f"/v1/plans/{job['plan_id']}", headers=MEDIATOR).json()
    return sorted(plan["released"]["side_b"])


def test_reconcile_answers_by_id_only_and_stores_nothing(secured: TestClient) -> None:
    body = {"held": SIDE_B["detainees"], "requested": REQUESTED, "exchanged": EXCHANGED}
    response = secured.post("/v1/reconcile", json=body, headers=MEDIATOR)
    assert response.status_code == 200, response.text
    answer = response.json()
    pairs = {(m["requested_id"], m["held_id"], m["band"]) for m in answer["matches"]}
    assert pairs == {("R-1", "B-4", "auto"), ("R-2", "B-5", "auto"), ("R-3", "B-6", "auto")}
    assert answer["unmatched_requested"] == ["R-4"]
    assert [(e["held_id"], e["exchanged_id"], e["band"]) for e in answer["already_exchanged"]] == [
        ("B-1", "X-1", "auto")
    ]
    for name in ("Олійник", "Shevchenko", "Коваленко", "Мельник"):
        assert name not in response.text


def test_reconcile_names_each_problem_of_each_list_and_quotes_no_cell(secured: TestClient) -> None:
    body = {
        "held": [{"id": "B-1", "name": "Мельник Андрей", "birth_date": "31.02.1985"}],
        "requested": [{"id": "R-1", "name": "Мельник Андрій"}, {"id": "R-1", "nick": "Андрійко"}],
    }
    response = secured.post("/v1/reconcile", json=body, headers=MEDIATOR)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    found = {(e["side"], e["id"], e["field"], e["rule"]) for e in response.json()["errors"]}
    assert found == {
        ("held", "B-1", "birth_date", "unreadable_date"),
        ("requested", "R-1", "id", "duplicate_id"),
        ("requested", "R-1", "nick", "unknown_field"),
    }
    for cell in ("Мельник", "31.02.1985", "Андрійко"):
        assert cell not in response.text


def test_case_reconciliation_review_decide_apply_then_solve(secured: TestClient) -> None:
    path = _case(secured)
    # Without requests the three held longest are released.
    assert _released_b(secured, path) == ["B-1", "B-2", "B-3"]

    reconciled = secured.post(
        f"{path}/reconcile",
        json={"held_side": "side_b", "requested": REQUESTED, "exchanged": EXCHANGED},
        headers=MEDIATOR,
    )
    assert reconciled.status_code == 201, reconciled.text
    stored = reconciled.json()
    assert stored["held_side"] == "side_b"
    assert stored["applied_at"] is None
    assert secured.get(f"{path}/reconcile", headers=MEDIATOR).json() == stored

    queue = secured.get(f"{path}/matches", headers=MEDIATOR).json()
    by_held = {item["held"]["id"]: item for item in queue["items"]}
    assert queue["total"] == len(queue["items"]) == 4
    # The mediator sees both records of each pair, to decide on.
    match = by_held["B-4"]
    assert match["kind"] == "match"
    assert match["requested"]["name"] == "Олійник Олександр Петрович"
    assert match["held"]["name"] == "Олейник Александр Петрович"
    assert match["evidence"]["birth_date"] == "exact"
    exchanged = next(i for i in queue["items"] if i["kind"] == "already_exchanged")
    assert exchanged["held"]["id"] == "B-1"
    assert exchanged["exchanged"]["id"] == "X-1"

    # Every pair not already auto is confirmed; the registry's hit is confirmed too.
    for item in queue["items"]:
        if item["band"] == "review" or item["kind"] == "already_exchanged":
            decided = secured.put(
                f"{path}/matches/{item['id']}", json={"decision": "confirmed"}, headers=MEDIATOR
            )
            assert decided.status_code == 200, decided.text
            assert decided.json()["decision"] == "confirmed"
    pending = secured.get(f"{path}/matches?decision=pending&band=review", headers=MEDIATOR)
    assert pending.json()["total"] == 0

    applied = secured.post(f"{path}/reconcile/apply", headers=MEDIATOR)
    assert applied.status_code == 200, applied.text
    assert applied.json()["requested_set"] == 3
    assert applied.json()["made_ineligible"] == 1
    held = secured.get(f"{path}/lists/side_b", headers=MEDIATOR).json()["detainees"]
    flags = {d["id"]: (d.get("requested", False), d.get("eligible", True)) for d in held}
    assert flags["B-4"] == flags["B-5"] == flags["B-6"] == (True, True)
    assert flags["B-1"] == (False, False)
    assert next(d for d in held if d["id"] == "B-1")["ineligible_reason"] == "already exchanged"

    # The requested priority now outranks days in captivity.
    assert _released_b(secured, path) == ["B-4", "B-5", "B-6"]


def test_a_rejected_match_is_not_applied(secured: TestClient) -> None:
    path = _case(secured)
    secured.post(
        f"{path}/reconcile", json={"held_side": "side_b", "requested": REQUESTED}, headers=MEDIATOR
    )
    items = secured.get(f"{path}/matches", headers=MEDIATOR).json()["items"]
    for item in items:
        verdict = "rejected" if item["held"]["id"] == "B-4" else "confirmed"
        secured.put(f"{path}/matches/{item['id']}", json={"decision": verdict}, headers=MEDIATOR)
    assert secured.post(f"{path}/reconcile/apply", headers=MEDIATOR).json()["requested_set"] == 2
    held = secured.get(f"{path}/lists/side_b", headers=MEDIATOR).json()["detainees"]
    assert not next(d for d in held if d["id"] == "B-4").get("requested", False)


def test_case_reconciliation_needs_the_held_list_and_a_known_item(secured: TestClient) -> None:
    opened = secured.post("/v1/cases", headers=MEDIATOR).json()["id"]
    path = f"/v1/cases/{opened}"
    missing = secured.post(
        f"{path}/reconcile", json={"held_side": "side_b", "requested": REQUESTED}, headers=MEDIATOR
    )
    assert missing.status_code == 409
    assert secured.get(f"{path}/matches", headers=MEDIATOR).status_code == 404
    assert secured.post(f"{path}/reconcile/apply", headers=MEDIATOR).status_code == 404
    path = _case(secured)
    secured.post(
        f"{path}/reconcile", json={"held_side": "side_b", "requested": REQUESTED}, headers=MEDIATOR
    )
    unknown = secured.put(f"{path}/matches/m-99", json={"decision": "confirmed"}, headers=MEDIATOR)
    assert unknown.status_code == 404
    wrong = secured.put(f"{path}/matches/m-0", json={"decision": "maybe"}, headers=MEDIATOR)
    assert wrong.status_code == 422


def test_every_reconciliation_call_is_audited_with_ids_and_counts_only(secured: TestClient) -> None:
    path = _case(secured)
    case_id = path.rsplit("/", 1)[1]
    secured.post(
        f"{path}/reconcile", json={"held_side": "side_b", "requested": REQUESTED}, headers=MEDIATOR
    )
    secured.get(f"{path}/matches", headers=MEDIATOR)
    secured.put(f"{path}/matches/m-0", json={"decision": "confirmed"}, headers=MEDIATOR)
    secured.post(f"{path}/reconcile/apply", headers=MEDIATOR)
    entries = secured.get(f"/v1/audit?case_id={case_id}&limit=100", headers=MEDIATOR).json()
    actions = [e["action"] for e in entries["items"]]
    for action in ("reconcile", "matches_read", "match_decide", "reconcile_apply"):
        assert action in actions
    reconcile = next(e for e in entries["items"] if e["action"] == "reconcile")
    assert reconcile["count"] == len(REQUESTED)
    assert reconcile["side"] == "side_b"
    text = str(entries)
    for name in ("Олійник", "Мельник", "Shevchenko"):
        assert name not in text


@pytest.fixture
def own_service(tmp_path: Path) -> Iterator[TestClient]:
    """A service of its own: the registry of people handed over is service-wide."""
    settings = settings_for(tmp_path, worker_count=1, bootstrap_mediator_key=MEDIATOR_TOKEN)
    with running_client(settings) as client:
        yield client


def test_the_registry_of_people_handed_over_is_searched_by_name(
    own_service: TestClient,
) -> None:
    # A first case hands over all of side A's people in its one stage...
    first = open_negotiation(own_service, solve=False, publish=False)
    side_a = {
        "name": "Side A",
        "detainees": [
            _person("A-1", "Гаврилюк Павел Андреевич", "1995-09-01", "2023-01-01"),
            _person("A-2", "Савчук Роман Богданович", "1991-03-21", "2023-01-01"),
        ],
    }
    side_b = {"name": "Side B", "detainees": SIDE_B["detainees"][:2]}
    for side, body in (("side_a", side_a), ("side_b", side_b)):
        assert own_service.put(f"{first.path}/lists/{side}", json=body, headers=MEDIATOR).is_success
    terms = {"terms": {"min_per_side": 2, "release_all": []}}
    assert own_service.put(f"{first.path}/terms", json=terms, headers=MEDIATOR).is_success
    job = poll_job(
        own_service,
        own_service.post(f"{first.path}/solve", headers=MEDIATOR).json()["id"],
        MEDIATOR,
    )
    published = own_service.post(
        f"{first.path}/publish", json={"plan_id": job["plan_id"]}, headers=MEDIATOR
    )
    assert published.status_code == 200, published.text
    executed = own_service.post(
        f"{first.path}/events",
        json={"events": [{"type": "stage_executed", "number": 1}]},
        headers=MEDIATOR,
    )
    assert executed.status_code in (200, 201), executed.text

    # ... and a second case's side A lists one of them again, under another id and spelling.
    second = open_negotiation(own_service, solve=False, publish=False)
    again = {
        "name": "Side A",
        "detainees": [
            _person("N-7", "Гаврилюк Павло Андрійович", "1995-09-01", "2024-05-05"),
            _person("N-8", "Кравець Олег Тарасович", "1983-08-08", "2024-05-05"),
        ],
    }
    assert own_service.put(f"{second.path}/lists/side_a", json=again, headers=MEDIATOR).is_success
    reconciled = own_service.post(
        f"{second.path}/reconcile",
        json={
            "held_side": "side_a",
            "requested": [{"id": "R-1", "name": "Кравець Олег", "birth_date": "08.08.1983"}],
        },
        headers=MEDIATOR,
    )
    assert reconciled.status_code == 201, reconciled.text
    found = reconciled.json()["result"]["already_exchanged"]
    assert [(e["held_id"], e["exchanged_id"]) for e in found] == [("N-7", "registry-1")]
    queue = own_service.get(f"{second.path}/matches", headers=MEDIATOR).json()["items"]
    hit = next(item for item in queue if item["kind"] == "already_exchanged")
    assert hit["exchanged"]["handed_over"]["case_id"] == first.case_id
    assert hit["exchanged"]["handed_over"]["id"] == "A-1"
    # Without the registry, nobody is found already exchanged.
    alone = own_service.post(
        f"{second.path}/reconcile",
        json={
            "held_side": "side_a",
            "requested": [{"id": "R-1", "name": "Кравець Олег"}],
            "use_registry": False,
        },
        headers=MEDIATOR,
    )
    assert alone.json()["result"]["already_exchanged"] == []


def test_reconcile_refuses_lists_beyond_the_service_limits(
    secured: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = secured.app.state.settings  # type: ignore[attr-defined]
    monkeypatch.setattr(settings, "max_reconcile_held", 5)
    monkeypatch.setattr(settings, "max_reconcile_requested", 3)
    body = {"held": SIDE_B["detainees"], "requested": REQUESTED, "exchanged": EXCHANGED}
    response = secured.post("/v1/reconcile", json=body, headers=MEDIATOR)
    assert response.status_code == 422
    found = {(e["side"], e["field"], e["rule"]) for e in response.json()["errors"]}
    assert found == {("held", "held", "service_limit"), ("requested", "requested", "service_limit")}
    for name in ("Олійник", "Мельник", "Shevchenko"):
        assert name not in response.text
    # A case's reconciliation keeps to the same limits (its held list is an upload).
    path = _case(secured)
    on_case = secured.post(
        f"{path}/reconcile", json={"held_side": "side_b", "requested": REQUESTED}, headers=MEDIATOR
    )
    assert on_case.status_code == 422
    assert [(e["field"], e["rule"]) for e in on_case.json()["errors"]] == [
        ("requested", "service_limit")
    ]
    assert secured.get(f"{path}/reconcile", headers=MEDIATOR).status_code == 404  # nothing stored


def test_other_requests_are_answered_while_a_reconciliation_runs(
    secured: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reconciliation.reconcile

    started, release = threading.Event(), threading.Event()
    order: list[str] = []
    original = reconciliation.reconcile.reconcile

    def slow_reconcile(*args: Any) -> Any:
        started.set()
        release.wait(30)  # if it held the event loop, /healthz would answer only after this
        order.append("reconciled")
        return original(*args)

    monkeypatch.setattr(reconciliation.reconcile, "reconcile", slow_reconcile)
    answers: list[int] = []
    body = {"held": SIDE_B["detainees"], "requested": REQUESTED}
    running = threading.Thread(
        target=lambda: answers.append(
            secured.post("/v1/reconcile", json=body, headers=MEDIATOR).status_code
        )
    )
    running.start()
    try:
        assert started.wait(60)
        assert secured.get("/healthz").status_code == 200
        order.append("healthz answered")
    finally:
        release.set()
        running.join(60)
    assert order == ["healthz answered", "reconciled"]
    assert answers == [200]


def test_a_big_reconcile_body_can_go_to_the_document_helper_process() -> None:
    # The offload sends a big body's work to another process: the function and its
    # answer must cross over (module-level, picklable, plain values only).
    from app.reconciliation.stateless import Answer, reconcile_body

    assert pickle.loads(pickle.dumps(reconcile_body)) is reconcile_body
    answer = Answer('{"matches": []}', 3)
    assert pickle.loads(pickle.dumps(answer)) == answer


EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "reconciliation"


def _namesakes_case(client: TestClient) -> str:
    """A case whose side B holds the README's example list, reconciled with its requests:
    R-5 may be B-105 (m-4) or B-106 (m-5), both in review."""
    path = open_negotiation(client, solve=False, publish=False).path
    uploaded = client.put(
        f"{path}/lists/side_b",
        content=(EXAMPLES / "side_b.json").read_bytes(),
        headers={**MEDIATOR, "Content-Type": "application/json"},
    )
    assert uploaded.status_code == 200, uploaded.text
    reconciled = client.post(
        f"{path}/reconcile",
        content=(EXAMPLES / "case_request.json").read_bytes(),
        headers={**MEDIATOR, "Content-Type": "application/json"},
    )
    assert reconciled.status_code == 201, reconciled.text
    matches = reconciled.json()["result"]["matches"]
    assert [(m["requested_id"], m["held_id"], m["band"]) for m in matches[4:6]] == [
        ("R-5", "B-105", "review"),
        ("R-5", "B-106", "review"),
    ]
    return path


def _decide(client: TestClient, path: str, item: str, decision: str) -> Any:
    return client.put(f"{path}/matches/{item}", json={"decision": decision}, headers=MEDIATOR)


def test_one_person_cannot_be_confirmed_in_two_pairs(secured: TestClient) -> None:
    path = _namesakes_case(secured)
    assert _decide(secured, path, "m-4", "confirmed").status_code == 200
    refused = _decide(secured, path, "m-5", "confirmed")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM_JSON
    problem = refused.json()
    assert [(e["id"], e["field"], e["rule"]) for e in problem["errors"]] == [
        ("m-5", "decision", "one_to_one"),
        ("m-4", "decision", "one_to_one"),
    ]
    assert "Бондаренко" not in refused.text
    queue = secured.get(f"{path}/matches?decision=confirmed", headers=MEDIATOR).json()
    assert [item["id"] for item in queue["items"]] == ["m-4"]  # nothing was recorded
    # Rejecting the first (or taking it back) frees the person for the other pair.
    assert _decide(secured, path, "m-4", "rejected").status_code == 200
    assert _decide(secured, path, "m-5", "confirmed").status_code == 200
    # An auto match stands unless rejected: R-1's pair cannot be doubled either way.
    assert _decide(secured, path, "m-0", "confirmed").status_code == 200
    applied = secured.post(f"{path}/reconcile/apply", headers=MEDIATOR)
    assert applied.status_code == 200, applied.text
    held = secured.get(f"{path}/lists/side_b", headers=MEDIATOR).json()["detainees"]
    requested = {d["id"] for d in held if d.get("requested")}
    assert "B-106" in requested
    assert "B-105" not in requested


def test_an_auto_match_set_back_to_pending_cannot_stand_beside_a_confirmed_rival(
    secured: TestClient,
) -> None:
    # An auto match stands unless rejected, so taking its rejection back makes it stand:
    # with a rival confirmed meanwhile, that is refused as a confirmation would be.
    from sqlalchemy import update

    from app.models import ReconciliationRecord

    path = _namesakes_case(secured)
    case_id = path.rsplit("/", 1)[1]
    store = secured.app.state.reconciliations  # type: ignore[attr-defined]
    result = json.loads(store.get(case_id).result_json)
    result["matches"][5]["band"] = "auto"  # B-105 in review (m-4), B-106 auto (m-5)
    with secured.app.state.cases._sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(
            update(ReconciliationRecord)
            .where(ReconciliationRecord.case_id == case_id)
            .values(result_json=json.dumps(result))
        )
    assert _decide(secured, path, "m-5", "rejected").status_code == 200
    assert _decide(secured, path, "m-4", "confirmed").status_code == 200
    refused = _decide(secured, path, "m-5", "pending")
    assert refused.status_code == 409, refused.text
    assert [(e["id"], e["rule"]) for e in refused.json()["errors"]] == [
        ("m-5", "one_to_one"),
        ("m-4", "one_to_one"),
    ]
    assert store.decisions(case_id) == {"m-4": "confirmed", "m-5": "rejected"}
    # A review pair set back to pending does not stand, and is free to go back.
    assert _decide(secured, path, "m-4", "pending").status_code == 200
    assert _decide(secured, path, "m-5", "pending").status_code == 200


def test_apply_refuses_decisions_that_pair_one_person_twice(secured: TestClient) -> None:
    # Decisions recorded past the rule (before it existed, or at the very same moment)
    # are never applied: apply names the pairs instead.
    path = _namesakes_case(secured)
    case_id = path.rsplit("/", 1)[1]
    store = secured.app.state.reconciliations  # type: ignore[attr-defined]
    store.decide(case_id, "m-4", "confirmed", "test")
    store.decide(case_id, "m-5", "confirmed", "test")
    before = secured.get(f"{path}/lists/side_b", headers=MEDIATOR).json()
    refused = secured.post(f"{path}/reconcile/apply", headers=MEDIATOR)
    assert refused.status_code == 409
    assert {(e["id"], e["rule"]) for e in refused.json()["errors"]} == {
        ("m-4", "one_to_one"),
        ("m-5", "one_to_one"),
    }
    assert secured.get(f"{path}/lists/side_b", headers=MEDIATOR).json() == before


def test_apply_refuses_a_reconciliation_older_than_the_held_list(secured: TestClient) -> None:
    path = _namesakes_case(secured)
    assert _decide(secured, path, "m-4", "confirmed").status_code == 200
    # Side B uploads its list again (one person fewer) after the reconciliation ran.
    document = json.loads((EXAMPLES / "side_b.json").read_bytes())
    document["detainees"] = document["detainees"][:-1]
    again = secured.put(f"{path}/lists/side_b", json=document, headers=MEDIATOR)
    assert again.status_code == 200
    refused = secured.post(f"{path}/reconcile/apply", headers=MEDIATOR)
    assert refused.status_code == 409
    assert [(e["side"], e["rule"]) for e in refused.json()["errors"]] == [
        ("side_b", "stale_reconciliation")
    ]
    held = secured.get(f"{path}/lists/side_b", headers=MEDIATOR).json()["detainees"]
    assert not any(d.get("requested") for d in held)  # nothing applied


def test_a_reconciliation_can_be_applied_again_after_more_decisions(secured: TestClient) -> None:
    # Its own apply is no new upload: the list it wrote is the one it now stands on.
    path = _namesakes_case(secured)
    assert secured.post(f"{path}/reconcile/apply", headers=MEDIATOR).status_code == 200
    assert _decide(secured, path, "m-4", "confirmed").status_code == 200
    again = secured.post(f"{path}/reconcile/apply", headers=MEDIATOR)
    assert again.status_code == 200, again.text
    assert again.json()["requested_set"] == 1


def test_apply_leaves_a_reconciliation_stored_meanwhile_as_it_is(
    secured: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new run stored while the list was written (after the apply's own write) is
    # not the one applied: it keeps its fingerprint and is not marked applied.
    path = _namesakes_case(secured)
    case_id = path.rsplit("/", 1)[1]
    state = secured.app.state  # type: ignore[attr-defined]
    cases, store = state.cases, state.reconciliations
    old = store.get(case_id)
    real_put_list = cases.put_list

    def put_list_then_a_new_run(*args: Any, **kwargs: Any) -> Any:
        receipt = real_put_list(*args, **kwargs)
        store.put(case_id, "side_b", "[]", "[]", old.result_json, old.held_sha256)
        return receipt

    monkeypatch.setattr(cases, "put_list", put_list_then_a_new_run)
    assert secured.post(f"{path}/reconcile/apply", headers=MEDIATOR).status_code == 200
    new = store.get(case_id)
    assert new.created_at != old.created_at
    assert new.held_sha256 == old.held_sha256
    assert new.applied_at is None


def test_reconcile_names_an_unknown_key_that_is_a_person_by_its_place(
    secured: TestClient,
) -> None:
    body = {
        "held": [{"id": "B-1", "name": "Мельник Андрей", "Шевченко Тарас": "09.03.1814"}],
        "requested": [{"id": "R-1", "name": "Мельник Андрій"}],
    }
    response = secured.post("/v1/reconcile", json=body, headers=MEDIATOR)
    assert response.status_code == 422
    found = {(e["side"], e["id"], e["field"], e["rule"]) for e in response.json()["errors"]}
    assert found == {("held", "B-1", "column 3", "unknown_field")}
    for cell in ("Шевченко", "Тарас", "09.03.1814"):
        assert cell not in response.text
