"""Reading a side's list from CSV: typed cells, and a problem per bad cell."""

from __future__ import annotations

from app.csv_lists import detainees_from_csv


def test_cells_become_typed_fields_and_empty_cells_defaults() -> None:
    text = (
        "ID,Age,Status,Seriously_ill,Consents,Birth_date,Group\n"
        "A-1,41,Civilian,yes,0,1990-01-31,\n"
        "\n"
        "A-2,,,,,,family-1\n"
    )
    read = detainees_from_csv(text, "side_a")
    assert read.problems == []
    assert read.detainees == [
        {
            "id": "A-1",
            "age": 41,
            "status": "civilian",
            "seriously_ill": True,
            "consents": False,
            "birth_date": "1990-01-31",
        },
        {"id": "A-2", "group": "family-1"},
    ]
    assert read.rows == [2, 4]
    assert read.row_of(1) == 4


def test_bad_cells_are_problems_that_never_quote_the_value() -> None:
    text = "id;birth_date;age;requested\nA-1;31/01/1990;-3;perhaps\nA-2;1990-1-31;4;1\n"
    read = detainees_from_csv(text, "side_b")
    found = [(p.side, p.row, p.id, p.field, p.rule) for p in read.problems]
    assert found == [
        ("side_b", 2, "A-1", "birth_date", "invalid_cell"),
        ("side_b", 2, "A-1", "age", "invalid_cell"),
        ("side_b", 2, "A-1", "requested", "invalid_cell"),
        ("side_b", 3, "A-2", "birth_date", "invalid_cell"),
    ]
    for problem in read.problems:
        for value in ("31/01/1990", "-3", "perhaps", "1990-1-31"):
            assert value not in problem.message


def test_header_problems_leave_their_columns_out_of_the_rows() -> None:
    read = detainees_from_csv("id,name,name,colour,age\nX,Y,Z,red,old\n", "side_a")
    assert [(p.field, p.rule, p.row) for p in read.problems] == [
        ("name", "duplicate_column", 1),
        ("colour", "unknown_field", 1),
        ("age", "invalid_cell", 2),
    ]
    assert read.detainees == [{"id": "X", "name": "Y"}]
    assert read.ids_read


def test_without_an_id_column_no_row_is_read() -> None:
    read = detainees_from_csv("identifier,age\nX,3\n", "side_a")
    assert read.detainees == []
    assert not read.ids_read


def test_a_first_row_of_people_is_not_quoted_as_a_header() -> None:
    read = detainees_from_csv("A-1,Canary Qwxzy,1987-06-05\nA-2,,\n", "side_a")
    assert [(p.field, p.rule) for p in read.problems] == [
        ("column 1", "unknown_field"),
        ("column 2", "unknown_field"),
        ("column 3", "unknown_field"),
        ("id", "missing_field"),
    ]
    text = " ".join(p.model_dump_json() for p in read.problems).lower()
    for cell in ("a-1", "canary", "qwxzy", "1987-06-05"):
        assert cell not in text


def test_an_empty_file_is_a_problem() -> None:
    assert [p.rule for p in detainees_from_csv("", "side_a").problems] == ["empty_file"]


def test_a_row_with_too_many_cells_is_a_problem() -> None:
    read = detainees_from_csv("id,age\nA-1,3,extra\n", "side_a")
    assert [(p.row, p.rule) for p in read.problems] == [(2, "extra_cells")]
