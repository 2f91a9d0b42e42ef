"""Bad lists get named errors (side, id, field, rule) and never quote a cell."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciliation.reconcile import read_lists
from reconciliation.records import InvalidLists, ListProblem, read_records


def _rules(problems: list[ListProblem]) -> set[tuple[str, str | None, str, str]]:
    return {(p.side, p.id, p.field, p.rule) for p in problems}


def test_read_records_accepts_both_date_forms_and_keeps_the_fields() -> None:
    read = read_records(
        "requested",
        [
            {"id": "R-1", "name": "Шевченко Тарас", "birth_date": "09.03.1984"},
            {"id": "R-2", "surname": "Олійник", "given_name": "Олег", "birth_date": "1990-01-02"},
            {"id": "R-3", "surname": "Мельник", "serial_number": 12345, "unit": "в/ч А1234"},
        ],
    )
    assert read.problems == []
    first, second, third = read.records
    assert first.birth_date == date(1984, 3, 9)
    assert second.birth_date == date(1990, 1, 2)
    assert third.serial_number == "12345"


def test_a_held_record_may_carry_detainee_fields() -> None:
    read = read_records(
        "held", [{"id": "B-1", "name": "Бойко Петро", "status": "civilian", "eligible": True}]
    )
    assert read.problems == []
    assert read_records("requested", [{"id": "R-1", "name": "x", "status": "civilian"}]).problems


def test_every_problem_of_every_list_is_named_at_once() -> None:
    with pytest.raises(InvalidLists) as raised:
        read_lists(
            held=[
                {"id": "B-1", "name": "Бойко Петро", "birth_date": "31.02.1990"},
                {"id": "B-1", "name": "Бойко Павло"},
                {"name": "Без Номера"},
            ],
            requested=[{"id": "R-1", "name": "Бойко Петро", "nickname": "Петя"}],
            exchanged=[{"id": "X-1", "birth_date": "1990-01-01"}],
        )
    assert _rules(raised.value.problems) == {
        ("held", "B-1", "birth_date", "unreadable_date"),
        ("held", "B-1", "id", "duplicate_id"),
        ("held", None, "id", "missing_id"),
        ("requested", "R-1", "nickname", "unknown_field"),
        ("exchanged", None, "name", "no_name_field"),
    }


def test_a_value_of_the_wrong_type_is_named() -> None:
    read = read_records("requested", [{"id": "R-1", "name": ["Бойко"]}, "not a record"])
    assert _rules(read.problems) == {
        ("requested", "R-1", "name", "not_text"),
        ("requested", None, "[1]", "not_a_record"),
    }


_CELL = st.text(
    alphabet=st.characters(categories=["L"], include_characters="АБВЖЗИЙЇ"),
    min_size=6,
    max_size=20,
)


@settings(max_examples=60)
@given(name=_CELL, date_text=_CELL)
def test_no_problem_quotes_a_cell(name: str, date_text: str) -> None:
    """Names and dates are personal data: a message names where, never what."""
    read = read_records(
        "requested",
        [
            {"id": "R-1", "name": name, "birth_date": date_text},
            {"id": "R-1", "surname": name, "patronymic": 5},
        ],
    )
    text = " ".join(p.message for p in read.problems)
    assert read.problems
    assert name not in text
    assert date_text not in text


def test_an_unknown_key_is_named_once_per_list_and_only_if_it_looks_like_a_field() -> None:
    read = read_records(
        "held",
        [
            {"id": "B-1", "name": "x", "Шевченко Тарас": "09.03.1814", "nick_name": "1"},
            {"id": "B-2", "name": "y", "Шевченко Тарас": "1", "nick_name": "2", "x" * 41: "3"},
            {"id": "B-3", "name": "z", "Smith": "1"},
        ],
    )
    unknown = [(p.id, p.field) for p in read.problems if p.rule == "unknown_field"]
    # The key that is a person's name is named by its place in the record; a key that
    # looks like a field name, as written; a long one (a name run together) by place,
    # and so is one with a capital letter (a surname in Latin letters), as the service's
    # error bodies mask it.
    assert unknown == [
        ("B-1", "column 3"),
        ("B-1", "nick_name"),
        ("B-2", "column 5"),
        ("B-3", "column 3"),
    ]
    text = " ".join(f"{p.field} {p.message}" for p in read.problems)
    assert "Шевченко" not in text
    assert "x" * 41 not in text
