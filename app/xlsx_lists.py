"""A side's list from an XLSX workbook: its first sheet read like a CSV file.

Lists often come as spreadsheets. python-calamine (Rust's calamine) reads the workbook;
each cell becomes the text a CSV export of it would hold (whole numbers without ".0",
dates as YYYY-MM-DD, yes/no as true/false), and the rows then go through the same
reader as CSV, so the same problems are named the same way (side, row, id, field,
rule) and a cell's content is never quoted back.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from python_calamine import CalamineError, CalamineWorkbook

from app.problems import ProblemItem

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XLSX file is a ZIP archive: it starts with a local file header.
_ZIP_MAGIC = b"PK\x03\x04"

NumberedRow = tuple[int, list[str]]


def is_xlsx(content: bytes) -> bool:
    """Whether an uploaded file is a workbook (a ZIP archive) rather than CSV text."""
    return content.startswith(_ZIP_MAGIC)


def rows_of_xlsx(content: bytes, side: str) -> list[NumberedRow] | ProblemItem:
    """The first sheet's rows as text cells, numbered as the spreadsheet shows them (from
    1), or the problem that kept the workbook from being read."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        if not workbook.sheet_names:
            return _unreadable(side, "the workbook has no sheet")
        cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError):
        # Corrupt, encrypted, or not a workbook at all: what it says is not repeated.
        return _unreadable(side, "the file is not a readable XLSX workbook")
    return [(number, [_text(cell) for cell in row]) for number, row in enumerate(cells, 1)]


def _text(cell: object) -> str:
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
        return str(cell)  # a duration or a time of day: no detainee field takes one
    return str(cell)


def _unreadable(side: str, message: str) -> ProblemItem:
    return ProblemItem(
        side=side, id=None, field="detainees", rule="unreadable_spreadsheet", message=message
    )
