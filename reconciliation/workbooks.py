"""Lists as XLSX workbooks: the first sheet's rows as the text a CSV export would hold.

Lists often come as spreadsheets. python-calamine (Rust's calamine) reads the workbook;
each cell becomes the text a CSV export of it would hold (whole numbers without ".0",
dates as YYYY-MM-DD, yes/no as true/false), so the rows then go through the same reader
as CSV and are checked, and their problems named, the same way. The planner's lists and
the reconciliation's lists both read workbooks through here.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from python_calamine import CalamineError, CalamineWorkbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XLSX file is a ZIP archive: it starts with a local file header.
_ZIP_MAGIC = b"PK\x03\x04"

NumberedRow = tuple[int, list[str]]


class UnreadableWorkbookError(Exception):
    """The file looks like a workbook but cannot be read; the message says why in
    general terms, never quoting the file."""


def is_workbook(data: bytes) -> bool:
    """Whether a file is a workbook (a ZIP archive) rather than CSV or JSON text."""
    return data.startswith(_ZIP_MAGIC)


def workbook_rows(data: bytes) -> list[NumberedRow]:
    """The first sheet's rows as text cells, numbered as the spreadsheet shows them (from
    1); UnreadableWorkbookError when it cannot be read."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise UnreadableWorkbookError("the workbook has no sheet")
        cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError):
        # Corrupt, encrypted, or not a workbook at all: what it says is not repeated.
        raise UnreadableWorkbookError("the file is not a readable XLSX workbook") from None
    return [(number, [cell_text(cell) for cell in row]) for number, row in enumerate(cells, 1)]


def cell_text(cell: object) -> str:
    """A cell as the text a CSV export would hold for it."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        # A date typed into a date cell arrives as midnight of that day.
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, timedelta | time):
        return str(cell)  # a duration or a time of day: no field takes one
    return str(cell)
