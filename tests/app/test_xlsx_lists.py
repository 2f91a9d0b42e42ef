"""Lists as XLSX workbooks, wherever CSV is accepted: the same plans, the same named
problems (side, row, id, field, rule), and never a cell's content in an answer. The
workbooks are made here, with openpyxl, from the CSV examples."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.csv_lists import exchange_request_from_csv
from app.examples import CSV_OPTIONS, CSV_TERMS, SIDE_A_CSV, SIDE_B_CSV
from app.xlsx_lists import XLSX_CONTENT_TYPE, rows_of_xlsx
from tests.app.bodies import CANARY_NAME, assert_no_personal_data, exchange
from tests.app.negotiation import MEDIATOR, open_negotiation
from tests.reconciliation.test_workbooks import workbook

CANARY_DATE = date(1987, 6, 5)


def typed(cell: str) -> Any:
    """A CSV cell as a spreadsheet would hold it: numbers, dates and flags typed."""
    if cell.isdigit():
        return int(cell)
    if cell in ("true", "false"):
        return cell == "true"
    if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        return date.fromisoformat(cell)
    return cell or None


def workbook_of_csv(text: str) -> bytes:
    rows = list(csv.reader(io.StringIO(text)))
    return workbook([rows[0]] + [[typed(cell) for cell in row] for row in rows[1:]])


def files(side_a: bytes, side_b: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {
        "side_a": ("a.xlsx", side_a, XLSX_CONTENT_TYPE),
        "side_b": ("b.xlsx", side_b, XLSX_CONTENT_TYPE),
    }


FORM = {"terms": json.dumps(CSV_TERMS), "options": json.dumps(CSV_OPTIONS)}


def test_xlsx_lists_give_the_plan_the_json_request_gives(client: TestClient) -> None:
    upload = files(workbook_of_csv(SIDE_A_CSV), workbook_of_csv(SIDE_B_CSV))
    response = client.post("/v1/plans/csv", data=FORM, files=upload)
    assert response.status_code == 201, response.text
    from_json = client.post("/v1/plans", json=exchange()).json()
    plan = response.json()
    for document in (plan, from_json):
        document.pop("id")
        document.pop("solve_seconds")
    assert plan == from_json


def test_one_side_may_be_xlsx_and_the_other_csv_in_a_job(client: TestClient) -> None:
    upload = {
        "side_a": ("a.xlsx", workbook_of_csv(SIDE_A_CSV), XLSX_CONTENT_TYPE),
        "side_b": ("b.csv", SIDE_B_CSV.encode(), "text/csv"),
    }
    response = client.post("/v1/jobs/csv", data=FORM, files=upload)
    assert response.status_code == 202, response.text


def test_bad_cells_are_named_like_csv_ones_and_never_quoted(client: TestClient) -> None:
    side_a = workbook(
        [
            ["id", "name", "birth_date", "age", "seriously_ill", "status"],
            ["A-1", CANARY_NAME, CANARY_DATE, CANARY_NAME, "maybe", "military"],
            ["A-2", None, "31/01/1990", 30.5, False, "soldier"],
        ],
        blank_rows_first=2,  # the header is on row 3: rows are numbered as shown
    )
    response = client.post(
        "/v1/plans/csv", data=FORM, files=files(side_a, workbook_of_csv(SIDE_B_CSV))
    )
    assert response.status_code == 422
    found = [
        (e["side"], e["row"], e["id"], e["field"], e["rule"]) for e in response.json()["errors"]
    ]
    assert found[:5] == [
        ("side_a", 4, "A-1", "age", "invalid_cell"),
        ("side_a", 4, "A-1", "seriously_ill", "invalid_cell"),
        ("side_a", 5, "A-2", "birth_date", "invalid_cell"),
        ("side_a", 5, "A-2", "age", "invalid_cell"),
        ("side_a", 5, "A-2", "status", "invalid_cell"),
    ]
    assert_no_personal_data(response.text)
    assert "31/01/1990" not in response.text


def test_a_misspelt_column_in_a_workbook_suggests_the_field(client: TestClient) -> None:
    side_a = workbook([["id", "seriously_il"], ["A-101", True]])
    response = client.post(
        "/v1/plans/csv", data=FORM, files=files(side_a, workbook_of_csv(SIDE_B_CSV))
    )
    assert response.status_code == 422
    (problem,) = [e for e in response.json()["errors"] if e["rule"] == "unknown_field"]
    assert (problem["side"], problem["row"], problem["field"]) == ("side_a", 1, "seriously_il")
    assert "did you mean seriously_ill?" in problem["message"]


def test_a_file_that_is_not_a_workbook_is_a_named_problem(client: TestClient) -> None:
    broken = b"PK\x03\x04" + CANARY_NAME.encode() + b"\x00" * 64
    response = client.post(
        "/v1/plans/csv", data=FORM, files=files(broken, workbook_of_csv(SIDE_B_CSV))
    )
    assert response.status_code == 422
    (problem,) = response.json()["errors"]
    assert (problem["side"], problem["rule"]) == ("side_a", "unreadable_spreadsheet")
    assert_no_personal_data(response.text)


def test_a_party_uploads_its_list_as_xlsx(secured: TestClient) -> None:
    negotiation = open_negotiation(secured, solve=False)
    response = secured.put(
        f"{negotiation.path}/lists/side_b",
        content=workbook_of_csv(SIDE_B_CSV),
        headers={**negotiation.side_b, "Content-Type": XLSX_CONTENT_TYPE},
    )
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["source"] == "xlsx"
    assert receipt["detainee_count"] == SIDE_B_CSV.count("\n") - 1
    stored = secured.get(f"{negotiation.path}/lists/side_b", headers=MEDIATOR).json()
    assert [d["id"] for d in stored["detainees"]][:2] == ["B-201", "B-202"]


def test_cells_read_as_their_csv_export_would_hold_them() -> None:
    content = workbook([["id", "age", "requested", "captured_on"], ["A-1", 41, True, CANARY_DATE]])
    rows = rows_of_xlsx(content, "side_a")
    assert rows == [
        (1, ["id", "age", "requested", "captured_on"]),
        (2, ["A-1", "41", "true", "1987-06-05"]),
    ]


def test_the_committed_xlsx_example_holds_the_csv_example() -> None:
    """examples/xlsx/teaching/ is the teaching example's CSV lists as workbooks (the
    README's XLSX upload sends them): the same request, read either way."""
    root = Path(__file__).resolve().parents[2] / "examples"
    lists: dict[str, dict[str, str | bytes]] = {"csv": {}, "xlsx": {}}
    for side in ("side_a", "side_b"):
        lists["csv"][side] = (root / "csv" / "teaching" / f"{side}.csv").read_text("utf-8")
        lists["xlsx"][side] = (root / "xlsx" / "teaching" / f"{side}.xlsx").read_bytes()
    terms = (root / "csv" / "teaching" / "terms.json").read_text("utf-8")
    settings = Settings()
    from_csv, from_xlsx = (
        exchange_request_from_csv(lists[kind], terms, None, {}, settings) for kind in lists
    )
    assert from_xlsx == from_csv
