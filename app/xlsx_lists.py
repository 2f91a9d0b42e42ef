"""A side's list from an XLSX workbook: its first sheet read like a CSV file.

The workbook is read by `reconciliation.workbooks` (the reconciliation's lists are read
the same way); its rows then go through the same reader as CSV, so the same problems are
named the same way (side, row, id, field, rule) and a cell's content is never quoted back.
"""

from __future__ import annotations

from app.problems import ProblemItem
from reconciliation.workbooks import (
    XLSX_CONTENT_TYPE,
    NumberedRow,
    UnreadableWorkbookError,
    is_workbook,
    workbook_rows,
)

__all__ = ["XLSX_CONTENT_TYPE", "NumberedRow", "is_xlsx", "rows_of_xlsx"]


def is_xlsx(content: bytes) -> bool:
    """Whether an uploaded file is a workbook (a ZIP archive) rather than CSV text."""
    return is_workbook(content)


def rows_of_xlsx(content: bytes, side: str) -> list[NumberedRow] | ProblemItem:
    """The first sheet's rows as text cells, numbered as the spreadsheet shows them (from
    1), or the problem that kept the workbook from being read."""
    try:
        return workbook_rows(content)
    except UnreadableWorkbookError as error:
        return ProblemItem(
            side=side, id=None, field="detainees", rule="unreadable_spreadsheet", message=str(error)
        )
