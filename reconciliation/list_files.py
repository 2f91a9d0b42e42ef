"""The three lists as files: CSV or an XLSX workbook (a header of field names, then one
row per person) or JSON (a list of records).

A JSON file may also be a side's list as the planner takes it (`{"name": ..., "detainees":
[...]}`), so a held list needs no conversion. A workbook is recognised by its bytes (a
ZIP archive), whatever its name, and its first sheet is read as CSV would be. Cells are
text; empty cells are left out. A file without an `id` column is refused without naming
its header: its first row is most likely a person (a file exported without its header),
whose cells are names. An unknown column is named back only when it looks like a field
name, else by position.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reconciliation.records import (
    ListProblem,
    ReadList,
    allowed_fields,
    read_records,
    shown_field,
)
from reconciliation.schema import ListRole
from reconciliation.workbooks import UnreadableWorkbookError, is_workbook, workbook_rows


@dataclass(frozen=True)
class ListText:
    """A list's bytes and how to read them (`is_csv`: CSV rather than JSON; a workbook
    is known by its bytes)."""

    role: ListRole
    data: bytes
    is_csv: bool


def list_text(role: ListRole, path: Path) -> ListText:
    """Read a file (OSError is left to the caller); CSV when it says so by its name, a
    workbook whatever its name."""
    data = path.read_bytes()
    return ListText(role, data, path.suffix.lower() in (".csv", ".tsv", ".txt"))


@dataclass(frozen=True)
class ListEntries:
    """A list file's entries as written (field -> text or value, not yet checked), each
    entry's line in a CSV file, and the problems of the file as a whole or of its rows."""

    entries: list[object]
    rows: list[int] | None
    problems: list[ListProblem]


def list_entries(text: ListText) -> ListEntries:
    """The entries of a list file, unchecked: what a service stores beside the answer,
    so a person can read each record as it was written."""
    if is_workbook(text.data):
        return _workbook_entries(text.role, text.data)
    if text.is_csv:
        return _csv_entries(text.role, text.data)
    return _json_entries(text.role, text.data)


def read_list(text: ListText) -> ReadList:
    """The records of a list file, or every problem found in it."""
    return records_of(text.role, list_entries(text))


def records_of(role: ListRole, found: ListEntries) -> ReadList:
    """A list file's entries checked: its records, or every problem of the file and of
    its records."""
    if found.problems and not found.entries:
        return ReadList([], found.problems)
    read = read_records(role, found.entries, found.rows)
    if found.problems:
        return ReadList([], [*found.problems, *read.problems])
    return read


def _problem(
    role: ListRole, field: str, rule: str, message: str, row: int | None = None
) -> ListEntries:
    problem = ListProblem(side=role, id=None, field=field, rule=rule, message=message, row=row)
    return ListEntries([], None, [problem])


def _json_entries(role: ListRole, data: bytes) -> ListEntries:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _problem(role, role, "not_json", "the file is not JSON in UTF-8")
    if isinstance(document, dict) and isinstance(document.get("detainees"), list):
        document = document["detainees"]
    if not isinstance(document, list):
        return _problem(
            role, role, "not_a_list", 'expected a list of records (or {"detainees": [...]})'
        )
    return ListEntries(document, None, [])


def _workbook_entries(role: ListRole, data: bytes) -> ListEntries:
    try:
        rows = workbook_rows(data)
    except UnreadableWorkbookError as error:
        return _problem(role, role, "unreadable_spreadsheet", str(error))
    return _table_entries(role, rows)


def _csv_entries(role: ListRole, data: bytes) -> ListEntries:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _problem(role, role, "not_utf8", "the file is not text in UTF-8")
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    delimiter = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return _table_entries(role, enumerate(reader, start=1))


def _table_entries(role: ListRole, numbered: Iterable[tuple[int, list[str]]]) -> ListEntries:
    """The entries of a table (CSV rows or a sheet's, numbered from 1): the first row
    that is not blank is the header of field names."""
    rows = (row for row in numbered if any(cell.strip() for cell in row[1]))
    first = next(rows, None)
    if first is None:
        return _problem(role, role, "empty_file", "the file has no header row", row=1)
    header_row, header = first
    columns = [name.strip().lower() for name in header]
    if "id" not in columns:
        # Probably a file without its header: its first row is a person, not quoted.
        return _problem(
            role,
            "id",
            "missing_id",
            "the header has no id column (is the first row a header of field names?)",
            row=header_row,
        )
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if name in seen:
            return _problem(
                role,
                shown_field(name, position),
                "duplicate_column",
                "the column appears twice",
                header_row,
            )
        seen.add(name)
    allowed = allowed_fields(role)
    extra: list[ListProblem] = [
        ListProblem(
            side=role,
            id=None,
            field=shown_field(name, position),
            rule="unknown_field",
            message=f"not a field of a {role} record; use {', '.join(allowed)}",
            row=header_row,
        )
        for position, name in enumerate(columns, start=1)
        if name not in allowed
    ]
    known = [name if name in allowed else None for name in columns]
    entries: list[object] = []
    numbers: list[int] = []
    for number, cells in rows:  # blank rows, often at a sheet's end, are skipped
        if any(cell.strip() for cell in cells[len(columns) :]):
            extra.append(
                ListProblem(
                    side=role,
                    id=None,
                    field=role,
                    rule="extra_cells",
                    message=f"the row has {len(cells)} cells, the header {len(columns)}",
                    row=number,
                )
            )
        entries.append(
            {
                name: cell.strip()
                for name, cell in zip(known, cells, strict=False)
                if name is not None and cell.strip()
            }
        )
        numbers.append(number)
    return ListEntries(entries, numbers, extra)
