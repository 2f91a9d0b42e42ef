"""The reconciliation's lists as XLSX workbooks: read as their CSV export would be, with
the same named problems, and never a cell's content in a problem."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook

from reconciliation.list_files import ListText, list_entries, read_list
from reconciliation.workbooks import cell_text, is_workbook

HELD_CSV = """id,surname,given_name,patronymic,birth_date,status
B-1,Олейник,Александр,Петрович,1990-05-03,military
B-2,Шевченко,Тарас,Григорьевич,09.03.1984,civilian
B-3,Коваленко,Іван,,1979-12-01,military
"""


def workbook(rows: list[list[Any]], *, blank_rows_first: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for _ in range(blank_rows_first):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def typed(cell: str) -> Any:
    """A cell as a spreadsheet would hold it: ISO dates typed as dates."""
    if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        return date.fromisoformat(cell)
    return cell or None


def test_a_workbook_gives_the_records_its_csv_export_gives() -> None:
    rows = list(csv.reader(io.StringIO(HELD_CSV)))
    book = workbook([rows[0]] + [[typed(cell) for cell in row] for row in rows[1:]])
    assert is_workbook(book)
    from_csv = read_list(ListText("held", HELD_CSV.encode("utf-8"), is_csv=True))
    # Named like JSON or CSV, a workbook is still read as one.
    for is_csv in (True, False):
        from_xlsx = read_list(ListText("held", book, is_csv=is_csv))
        assert from_xlsx.problems == []
        assert from_xlsx.records == from_csv.records
    assert len(from_csv.records) == 3


def test_rows_are_numbered_as_the_sheet_shows_them_blank_rows_first_included() -> None:
    book = workbook(
        [["id", "surname", "birth_date"], ["B-1", "Олейник", "1990-13-40"]], blank_rows_first=2
    )
    read = read_list(ListText("held", book, is_csv=True))
    assert [(p.row, p.id, p.field, p.rule) for p in read.problems] == [
        (4, "B-1", "birth_date", read.problems[0].rule)
    ]
    assert "1990-13-40" not in read.problems[0].message
    found = list_entries(ListText("held", book, is_csv=True))
    assert found.rows == [4]


def test_a_workbook_names_an_unknown_column_and_quotes_no_cell() -> None:
    book = workbook(
        [
            ["id", "surname", "Шевченко"],  # a person's name where a header cell should be
            ["B-1", "Олейник", "x"],
            ["B-2", "Коваленко", "y", "Тарас"],
        ]
    )
    read = read_list(ListText("requested", book, is_csv=True))
    shown = [(p.side, p.row, p.field, p.rule) for p in read.problems]
    assert ("requested", 1, "column 3", "unknown_field") in shown
    # A cell beyond the header widens the sheet: its column has a blank header cell.
    assert ("requested", 1, "column 4", "unknown_field") in shown
    for problem in read.problems:
        for cell in ("Шевченко", "Олейник", "Коваленко", "Тарас"):
            assert cell not in problem.message
            assert cell not in problem.field


def test_a_workbook_without_an_id_column_is_refused_without_quoting_its_first_row() -> None:
    book = workbook([["B-1", "Олейник", "Александр"], ["B-2", "Шевченко", "Тарас"]])
    read = read_list(ListText("held", book, is_csv=False))
    assert [(p.field, p.rule, p.row) for p in read.problems] == [("id", "missing_id", 1)]
    assert "Олейник" not in read.problems[0].message


def test_a_broken_workbook_is_named_as_one() -> None:
    broken = b"PK\x03\x04" + b"\x00" * 64
    read = read_list(ListText("exchanged", broken, is_csv=True))
    assert [(p.side, p.field, p.rule) for p in read.problems] == [
        ("exchanged", "exchanged", "unreadable_spreadsheet")
    ]


def test_cells_read_as_a_csv_export_writes_them() -> None:
    assert cell_text(None) == ""
    assert cell_text(True) == "true"
    assert cell_text(1990.0) == "1990"
    assert cell_text(12.5) == "12.5"
    assert cell_text(date(1990, 5, 3)) == "1990-05-03"
