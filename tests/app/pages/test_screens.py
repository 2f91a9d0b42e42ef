"""Each mediator screen over HTTP, on the teaching example: what it shows, and that it
calls the same checks as the API (problems, conflicts, the verify report)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import MakeClient
from tests.app.negotiation import poll_job
from tests.app.pages.signing_in import csrf_of

ROOT = Path(__file__).resolve().parents[3]
TEACHING = json.loads((ROOT / "examples" / "teaching.json").read_text())
DRAFT = (ROOT / "examples" / "teaching.draft.json").read_text()


def terms_form(token: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    """The terms form filled in with the teaching example's terms."""
    terms = TEACHING["terms"]
    form: dict[str, str | list[str]] = {
        "csrf_token": token,
        "reference_date": terms["reference_date"],
        "min_per_side": str(terms["min_per_side"]),
        "max_per_side": str(terms.get("max_per_side") or ""),
        "parity": terms.get("parity", "total"),
        "young_age_limit": str(terms.get("young_age_limit", 25)),
        "stages": ", ".join(str(s) for s in terms.get("stages") or []),
        "release_all": terms.get("release_all", ["seriously_ill", "young"]),
        "outside_parity": terms.get("outside_parity", []),
        "time_limit_s": "10",
        "seed": "0",
    }
    for rank, category in enumerate(terms.get("priorities", []), start=1):
        form[f"priority_{rank}"] = category
    if terms.get("civilians_separately"):
        form["civilians_separately"] = "yes"
    for rule in ("must_include", "must_exclude"):
        for side in ("side_a", "side_b"):
            form[f"{rule}_{side}"] = "\n".join(terms.get(rule, {}).get(side, []))
    return {**form, **changes}


@pytest.fixture
def case(make_client: MakeClient) -> Iterator[tuple[TestClient, str, str]]:
    """The service (open on loopback), a case with both teaching lists, and a CSRF token."""
    with make_client(worker_count=1) as service:
        token = csrf_of(service.get("/").text)
        path = service.post("/cases", data={"csrf_token": token}, follow_redirects=False)
        case_path = path.headers["location"]
        for side in ("side_a", "side_b"):
            upload = {"list_file": (f"{side}.json", json.dumps(TEACHING[side]), "text/plain")}
            answer = service.post(
                f"{case_path}/lists/{side}", data={"csrf_token": token}, files=upload
            )
            assert answer.status_code == 200
        yield service, case_path, token


def test_lists_screen_counts_each_side(case: tuple[TestClient, str, str]) -> None:
    service, case_path, _ = case
    page = service.get(f"{case_path}/lists").text
    assert "12 people, from JSON" in page
    assert "11 people, from JSON" in page
    assert "Seriously ill" in page


def test_terms_screen_names_problems_beside_their_fields(case: tuple[TestClient, str, str]) -> None:
    service, case_path, token = case
    bad = service.post(
        f"{case_path}/terms",
        data=terms_form(token, min_per_side="many", max_per_side="1", priority_2="seriously_ill"),
    )
    assert bad.status_code == 422
    assert 'id="min_per_side-error"' in bad.text
    assert 'id="priorities-error"' in bad.text
    assert service.get(f"/v1/cases/{case_path.rsplit('/', 1)[1]}/terms").status_code == 404
    checked = service.post(f"{case_path}/terms", data=terms_form(token, max_per_side="1"))
    assert checked.status_code == 422  # the cap is below the floor: the API's own check
    assert 'id="max_per_side-error"' in checked.text
    saved = service.post(f"{case_path}/terms", data=terms_form(token), follow_redirects=False)
    assert saved.status_code == 303
    stored = service.get(f"/v1/cases/{case_path.rsplit('/', 1)[1]}/terms").json()
    assert stored["terms"]["stages"] == TEACHING["terms"]["stages"]


def test_solve_plan_publish_and_downloads(case: tuple[TestClient, str, str]) -> None:
    service, case_path, token = case
    service.post(f"{case_path}/terms", data=terms_form(token))
    started = service.post(f"{case_path}/solve", data={"csrf_token": token}, follow_redirects=False)
    job_id = started.headers["location"].rsplit("/", 1)[1]
    poll_job(service, job_id, {})
    plan = service.get(started.headers["location"], follow_redirects=False)
    plan_path = plan.headers["location"]
    page = service.get(plan_path).text
    assert "Optimal" in page
    assert "A-104" in page  # refuses: listed among those not released
    only = service.get(plan_path, params={"nr_reason": "no_consent"}).text
    assert "Showing 2 of 9 people not released." in only
    fragment = service.get(
        plan_path,
        params={"nr_reason": "ineligible"},
        headers={"HX-Request": "true", "HX-Target": "not-released"},
    )
    assert fragment.text.startswith('<div id="not-released"')
    assert service.post(f"{plan_path}/publish", data={"csrf_token": token}).status_code == 200
    downloads = service.get(f"{case_path}/downloads").text
    assert "Plan published" in downloads
    assert "Manifest of" in downloads
    chain = service.post(
        f"{case_path}/audit/verify", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert "The chain is intact" in chain.text


def test_scenarios_screen_compares_variants(case: tuple[TestClient, str, str]) -> None:
    service, case_path, token = case
    service.post(f"{case_path}/terms", data=terms_form(token))
    form = {
        "csrf_token": token,
        "rows": "3",
        "include_base": "yes",
        "name_0": "cap 4",
        "max_0": "4",
        "name_1": "8 for 8",
        "min_1": "8",
        "max_1": "8",
        "action": "compare",
    }
    answer = service.post(f"{case_path}/scenarios", data=form)
    assert answer.status_code == 200
    table = answer.text
    assert re.search(r"<th scope=\"col\">as agreed</th>\s*<th scope=\"col\">cap 4</th>", table)
    assert "no plan meets the terms" in table  # 8 for 8 is infeasible
    unnamed = service.post(f"{case_path}/scenarios", data={**form, "name_0": ""})
    assert unnamed.status_code == 422
    assert "Give the variant a name." in unnamed.text
    more = service.post(f"{case_path}/scenarios", data={**form, "action": "add"})
    assert 'id="name_3"' in more.text


def test_verify_screen_reports_a_draft(case: tuple[TestClient, str, str]) -> None:
    service, case_path, token = case
    service.post(f"{case_path}/terms", data=terms_form(token))
    answer = service.post(
        f"{case_path}/verify",
        data={"csrf_token": token},
        files={"draft_file": ("draft.json", DRAFT, "application/json")},
    )
    assert answer.status_code == 200
    assert "The draft breaks the terms" in answer.text
    assert "Draft minus optimum" in answer.text
    broken = service.post(
        f"{case_path}/verify",
        data={"csrf_token": token},
        files={"draft_file": ("draft.json", '{"released": [1, 2]}', "text/plain")},
    )
    assert broken.status_code == 422


def test_lists_screen_takes_a_workbook(case: tuple[TestClient, str, str]) -> None:
    from app.examples import SIDE_A_CSV
    from app.xlsx_lists import XLSX_CONTENT_TYPE
    from tests.app.test_xlsx_lists import workbook_of_csv

    service, case_path, token = case
    book = workbook_of_csv(SIDE_A_CSV)
    # Known by its content, even under a name that says otherwise.
    for name, kind in (("a.xlsx", XLSX_CONTENT_TYPE), ("a.csv", "text/csv")):
        answer = service.post(
            f"{case_path}/lists/side_a",
            data={"csrf_token": token},
            files={"list_file": (name, book, kind)},
        )
        assert answer.status_code == 200, answer.text
        assert "from XLSX" in service.get(f"{case_path}/lists").text
    stored = service.get(f"/v1{case_path}/lists/side_a")  # the API reads the same list back
    assert stored.status_code == 200, stored.text
    ids = [d["id"] for d in stored.json()["detainees"]]
    assert ids == [row.split(",")[0] for row in SIDE_A_CSV.strip().splitlines()[1:]]


def test_lists_screen_names_a_broken_workbook(case: tuple[TestClient, str, str]) -> None:
    service, case_path, token = case
    answer = service.post(
        f"{case_path}/lists/side_b",
        data={"csrf_token": token},
        files={"list_file": ("b.xlsx", b"PK\x03\x04" + b"\x00" * 64, "application/octet-stream")},
    )
    assert answer.status_code == 422
    assert "unreadable_spreadsheet" in answer.text
