"""A side's list from a CSV file (or a workbook's sheet, see `app.xlsx_lists`): one row per
detainee, columns named as the JSON fields.

Cells are text, so each is converted to the field's type here, with one problem per bad
cell naming the side, the row (the header is row 1, as in a spreadsheet), the id and the
field. A bad cell's value is never quoted back: it may be a name or a birth date.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.core.config import Settings
from app.dispatch import SolveOrder
from app.problems import ProblemItem, invalid_request
from app.request_bodies import exchange_request_of, json_object_of
from app.xlsx_lists import rows_of_xlsx
from solver import ExchangeRequest
from solver.input_errors import InputProblem, InvalidRequest
from solver.schema import Detainee, Options, Terms
from solver.wording import did_you_mean

FIELDS: tuple[str, ...] = tuple(Detainee.model_fields)
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_HEADER_SHOWN = 40


class CellError(ValueError):
    """A cell that cannot be read as its field's type; the message says what is expected."""


def _text(cell: str) -> str:
    return cell


def _whole_number(cell: str) -> int:
    if not cell.isdigit():
        raise CellError("must be a whole number")
    return int(cell)


def _iso_date(cell: str) -> str:
    try:
        date.fromisoformat(cell)
    except ValueError:
        raise CellError("must be a date written YYYY-MM-DD") from None
    if len(cell) != len("YYYY-MM-DD"):
        raise CellError("must be a date written YYYY-MM-DD")
    return cell


def _flag(cell: str) -> bool:
    lowered = cell.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CellError("must be true or false (also yes/no, 1/0)")


def _status(cell: str) -> str:
    lowered = cell.lower()
    if lowered not in ("military", "civilian"):
        raise CellError("must be military or civilian")
    return lowered


_CONVERTERS: dict[str, Callable[[str], object]] = {
    "id": _text,
    "name": _text,
    "birth_date": _iso_date,
    "age": _whole_number,
    "status": _status,
    "seriously_ill": _flag,
    "captured_on": _iso_date,
    "consents": _flag,
    "eligible": _flag,
    "ineligible_reason": _text,
    "group": _text,
    "requested": _flag,
    "surname": _text,
    "given_name": _text,
    "patronymic": _text,
    "birth_place": _text,
    "serial_number": _text,
    "unit": _text,
}
assert set(_CONVERTERS) == set(FIELDS), "every detainee field needs a CSV converter"


@dataclass
class CsvList:
    """A side's detainees read from CSV, the row each came from, and the problems found."""

    detainees: list[dict[str, object]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[ProblemItem] = field(default_factory=list)
    ids_read: bool = True  # False: no id column, so the list's ids are not known

    def row_of(self, index: int) -> int | None:
        """The CSV row of the entry at `index` (the header is row 1, as a spreadsheet shows)."""
        return self.rows[index] if 0 <= index < len(self.rows) else None


def detainees_from_csv(text: str, side: str) -> CsvList:
    """The rows of CSV text as detainees (see `detainees_from_rows`)."""
    reader = csv.reader(io.StringIO(text), dialect=_dialect_of(text))
    return detainees_from_rows(enumerate(reader, start=1), side)


def read_side_list(content: str | bytes, side: str) -> CsvList:
    """A side's list from CSV text, or from an XLSX workbook's bytes (its first sheet)."""
    if isinstance(content, str):
        return detainees_from_csv(content, side)
    rows = rows_of_xlsx(content, side)
    if isinstance(rows, ProblemItem):
        return CsvList(problems=[rows], ids_read=False)
    return detainees_from_rows(rows, side)


def detainees_from_rows(rows: Iterable[tuple[int, list[str]]], side: str) -> CsvList:
    """The rows (numbered as a spreadsheet shows them) as detainee objects, empty cells
    left out so that defaults apply, and the problems found; a row with a bad cell is
    kept without that cell. The first row that is not blank is the header.

    A header with an unknown or repeated column is reported, and the rows are still
    read without that column: their ids are known, so the terms naming them are checked
    against them, and their other cells are checked too. Without an id column the rows
    are not read at all (the first row is likely a person's, not a header)."""
    read = CsvList()
    reader = (row for row in rows if any(cell.strip() for cell in row[1]))
    first = next(reader, None)
    header = first[1] if first is not None else None
    header_row = first[0] if first is not None else 1
    if header is None:
        read.problems.append(
            _problem(side, None, "detainees", "empty_file", "the file has no header row")
        )
        read.ids_read = False
        return read
    columns = [name.strip().lower() for name in header]
    read.problems.extend(_header_problems(columns, side, header_row))
    if "id" not in columns:
        read.ids_read = False
        return read
    usable = [
        name if name in _CONVERTERS and name not in columns[:at] else None
        for at, name in enumerate(columns)
    ]
    for number, cells in reader:  # blank lines, often at a sheet's end, are skipped
        detainee, row_problems = _row(usable, cells, side, number)
        read.detainees.append(detainee)
        read.rows.append(number)
        read.problems.extend(row_problems)
    return read


def _dialect_of(text: str) -> type[csv.Dialect]:
    """Comma, or the semicolon or tab that spreadsheets in many locales export."""
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    separator = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","

    class Dialect(csv.excel):
        delimiter = separator

    return Dialect


def _header_problems(columns: list[str], side: str, row: int = 1) -> list[ProblemItem]:
    """Unknown or repeated columns, and a missing id column.

    A column is named back only when the header has an id column: without one, the first
    row is most likely a person's row (a file exported without its header), and its
    cells, a name or a birth date, must not be quoted. Then only positions are given.
    """
    problems = []
    seen: set[str] = set()
    is_header = "id" in columns
    for position, name in enumerate(columns, start=1):
        shown = name[:_HEADER_SHOWN] if is_header else f"column {position}"
        described = repr(shown) if is_header else shown
        if name not in _CONVERTERS:
            problems.append(
                _problem(
                    side,
                    None,
                    shown,
                    "unknown_field",
                    f"column {described} is not a detainee field"
                    f"{did_you_mean(name, FIELDS) if is_header else ''} "
                    f"(the fields: {', '.join(FIELDS)})",
                    row=row,
                )
            )
        elif name in seen:
            problems.append(
                _problem(
                    side,
                    None,
                    shown,
                    "duplicate_column",
                    "the column appears more than once",
                    row=row,
                )
            )
        seen.add(name)
    if "id" not in seen:
        problems.append(
            _problem(
                side,
                None,
                "id",
                "missing_field",
                "the header has no id column (is the first row a header of field names?)",
                row=row,
            )
        )
    return problems


def _row(
    columns: list[str | None], cells: list[str], side: str, number: int
) -> tuple[dict[str, object], list[ProblemItem]]:
    """One person's row; cells under a column that is not read (None) are left out."""
    values = {
        name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name is not None
    }
    raw_id = values.get("id", "")
    detainee_id = raw_id if 1 <= len(raw_id) <= 64 else None
    problems = []
    if len(cells) > len(columns):
        problems.append(
            _problem(
                side,
                detainee_id,
                "detainees",
                "extra_cells",
                f"the row has {len(cells)} cells, the header {len(columns)}",
                row=number,
            )
        )
    detainee: dict[str, object] = {}
    for name, cell in values.items():
        if cell == "":
            continue
        try:
            detainee[name] = _CONVERTERS[name](cell)
        except CellError as error:
            problems.append(
                _problem(side, detainee_id, name, "invalid_cell", str(error), row=number)
            )
    return detainee, problems


def _problem(
    side: str,
    detainee_id: str | None,
    at: str,
    rule: str,
    message: str,
    row: int | None = None,
) -> ProblemItem:
    return ProblemItem(side=side, id=detainee_id, field=at, rule=rule, message=message, row=row)


class CsvUpload(BaseModel):
    """Both lists as CSV text in a JSON body: the form upload's twin, for clients (and
    Swagger's "Try it out") that cannot send files."""

    model_config = ConfigDict(extra="forbid")

    side_a: str = Field(description="Side A's list as CSV text; columns are detainee fields.")
    side_b: str = Field(description="Side B's list as CSV text.")
    terms: Terms | None = None
    options: Options | None = None
    side_a_name: str | None = None
    side_b_name: str | None = None


def order_from_csv_json(body: bytes, settings: Settings) -> SolveOrder:
    """Read a `CsvUpload` JSON body (runs through `app.core.offload`)."""
    document = json_object_of(body)
    problems: list[ProblemItem] = []
    for key in document:
        if key not in CsvUpload.model_fields:
            problems.append(_problem_at(key, "unknown_field", "is not a known field"))
    texts: dict[str, str | None] = {}
    for key in ("side_a", "side_b", "side_a_name", "side_b_name"):
        value = document.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(_problem_at(key, "wrong_type", "must be text"))
            value = None
        texts[key] = value
    for side in ("side_a", "side_b"):
        if texts[side] is None and not any(p.field == side for p in problems):
            problems.append(_problem_at(side, "missing_field", "the CSV list is required"))
    if problems:
        raise invalid_request(problems)
    lists: dict[str, str | bytes] = {side: texts[side] or "" for side in ("side_a", "side_b")}
    names = {side: texts[f"{side}_name"] or "" for side in ("side_a", "side_b")}
    terms, options = document.get("terms"), document.get("options")
    return order_from_csv(
        lists,
        json.dumps(terms) if terms is not None else None,
        json.dumps(options) if options is not None else None,
        names,
        settings,
    )


def order_from_csv(
    lists: Mapping[str, str | bytes],
    terms_json: str | None,
    options_json: str | None,
    side_names: dict[str, str],
    settings: Settings,
) -> SolveOrder:
    """The request read from CSV, ready for a worker (runs through `app.core.offload`)."""
    request = exchange_request_from_csv(lists, terms_json, options_json, side_names, settings)
    return SolveOrder.of(request)


def exchange_request_from_csv(
    lists: Mapping[str, str | bytes],
    terms_json: str | None,
    options_json: str | None,
    side_names: dict[str, str],
    settings: Settings,
) -> ExchangeRequest:
    """A full request from each side's CSV text (or XLSX bytes) and the terms (and
    options) as JSON text.

    Raises the 422 problem with every cell, row and term problem found; problems with a
    detainee carry the CSV row they came from.
    """
    problems: list[InputProblem | ProblemItem] = []
    document: dict[str, object] = {}
    for name, text in (("terms", terms_json), ("options", options_json)):
        if text is None or not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError:
            problems.append(_problem_at(name, "unreadable_json", "is not readable as JSON"))
            continue
        if not isinstance(value, dict):
            problems.append(_problem_at(name, "wrong_type", "must be a JSON object"))
            continue
        document[name] = value
    read: dict[str, CsvList] = {}
    for side in ("side_a", "side_b"):
        read[side] = read_side_list(lists[side], side)
        problems.extend(read[side].problems)
        side_list: dict[str, object] = {"detainees": read[side].detainees}
        if side_names.get(side):
            side_list["name"] = side_names[side]
        document[side] = side_list
    try:
        request = exchange_request_of(document, settings)
    except InvalidRequest as error:
        problems.extend(
            _with_row(problem, read)
            for problem in error.problems
            if not _about_unread_ids(problem, read)
        )
        request = None
    if problems or request is None:
        raise invalid_request(problems)
    return request


def _about_unread_ids(problem: InputProblem, read: dict[str, CsvList]) -> bool:
    """An unknown id on a side whose ids could not be read: every id the terms name would
    look unknown there, and the header's problem is the one to report."""
    side_list = read.get(problem.side or "")
    return problem.rule == "unknown_id" and side_list is not None and not side_list.ids_read


def _with_row(problem: InputProblem, read: dict[str, CsvList]) -> ProblemItem:
    item = ProblemItem.model_validate(problem.model_dump())
    if problem.about_a_detainee and problem.side in read and problem.index is not None:
        item = item.model_copy(update={"row": read[problem.side].row_of(problem.index)})
    return item


def _problem_at(at: str, rule: str, message: str) -> ProblemItem:
    side = at if at in ("side_a", "side_b") else None
    return ProblemItem(side=side, id=None, field=at, rule=rule, message=message)
