"""One party's list, uploaded to a case as JSON, CSV or XLSX, checked like a request's side.

The list is read by the solver's own parser inside an otherwise empty request, so a bad
entry is described exactly as it would be in POST /v1/plans (side, id, field, rule; CSV
rows too) and nothing the party sent is quoted back. These functions run through
`app.core.offload`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.core.config import Settings
from app.csv_lists import exchange_request_from_csv
from app.request_bodies import exchange_request_of, json_object_of
from solver import ExchangeRequest
from solver.input_errors import InputProblem, InvalidRequest, parse_request

Side = Literal["side_a", "side_b"]
_EMPTY_CSV = "id\n"


@dataclass(frozen=True)
class CheckedList:
    """A side's list as it will be stored: its JSON (as sent, defaults left implicit)."""

    list_json: str
    detainee_count: int


def list_from_json(body: bytes, side: Side, settings: Settings) -> CheckedList:
    """A `{"name": ..., "detainees": [...]}` body, checked as `side` of a request."""
    document = json_object_of(body)
    request = exchange_request_of({side: document, _other(side): {"detainees": []}}, settings)
    return _checked(request, side)


def list_from_csv(body: bytes, side: Side, settings: Settings) -> CheckedList:
    """A CSV body (a header row of detainee fields, one row per person)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequest(
            [
                InputProblem(
                    side=side,
                    id=None,
                    field="detainees",
                    rule="not_utf8",
                    message="the CSV list is not UTF-8 text",
                )
            ]
        ) from None
    lists: dict[str, str] = {side: text, _other(side): _EMPTY_CSV}
    request = exchange_request_from_csv(lists, None, None, {}, settings)
    return _checked(request, side)


def list_from_xlsx(body: bytes, side: Side, settings: Settings) -> CheckedList:
    """An XLSX workbook whose first sheet is laid out like the CSV list."""
    lists: dict[str, str | bytes] = {side: body, _other(side): _EMPTY_CSV}
    request = exchange_request_from_csv(lists, None, None, {}, settings)
    return _checked(request, side)


def terms_problems(terms: object, options: object) -> list[InputProblem]:
    """What is wrong with terms (and options) on their own: ids they name are checked
    against the lists only when the case is solved."""
    document: dict[str, object] = {"side_a": {}, "side_b": {}, "terms": terms}
    if options is not None:
        document["options"] = options
    try:
        parse_request(document)
    except InvalidRequest as error:
        return [p for p in error.problems if p.rule != "unknown_id"]
    return []


def _checked(request: ExchangeRequest, side: Side) -> CheckedList:
    side_list = request.side_a if side == "side_a" else request.side_b
    return CheckedList(side_list.model_dump_json(exclude_unset=True), len(side_list.detainees))


def _other(side: Side) -> Side:
    return "side_b" if side == "side_a" else "side_a"
