"""The table of Ukrainian and Russian given names and their patronymics."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciliation.given_names import TABLE, TableError, given_name_table
from reconciliation.spelling import clean_name, skeleton


def _given(name: str) -> str | None:
    return given_name_table().given_class(skeleton(clean_name(name)))


def _patronymic(name: str) -> str | None:
    return given_name_table().patronymic_class(skeleton(clean_name(name)))


def test_table_is_versioned_and_has_no_spelling_in_two_rows() -> None:
    # Reading it checks every spelling's skeleton belongs to one row only.
    table = given_name_table()
    assert table.version == "1"
    assert len(table.sex_of) > 100


@pytest.mark.parametrize(
    "forms",
    [
        ("Олексій", "Алексей", "Oleksii", "Aleksei", "Alexey"),
        ("Микола", "Николай", "Mykola", "Nikolay", "Nicholas"),
        ("Євген", "Евгений", "Yevhen", "Evgenii", "Eugene"),
        ("Петро", "Пётр", "Петр", "Petro", "Pyotr", "Peter"),
        ("Олена", "Елена", "Olena", "Yelena", "Helen"),
        ("Ганна", "Анна", "Hanna", "Anna"),
    ],
)
def test_ukrainian_russian_and_latin_forms_are_one_name(forms: tuple[str, ...]) -> None:
    classes = {_given(form) for form in forms}
    assert len(classes) == 1
    assert None not in classes


@pytest.mark.parametrize(
    ("forms", "name_class"),
    [
        (("Олександрович", "Александрович", "Oleksandrovych", "Aleksandrovich"), "oleksandr:m"),
        (("Олександрівна", "Александровна", "Oleksandrivna"), "oleksandr:f"),
        (("Миколайович", "Николаевич", "Nikolaevich", "Mykolaiovych"), "mykola:m"),
        (("Ілліч", "Ильич", "Ilyich"), "illia:m"),
        (("Якович", "Яковлевич"), "yakiv:m"),
    ],
)
def test_patronymics_derived_from_the_same_name_are_one_class(
    forms: tuple[str, ...], name_class: str
) -> None:
    assert {_patronymic(form) for form in forms} == {name_class}


def test_a_spelling_one_typo_away_is_read_as_the_name() -> None:
    assert _given("Алексьндр") == "oleksandr"  # a letter changed
    assert _given("Олекасндр") == "oleksandr"  # two letters swapped
    assert _given("Тимофй") == "tymofii"  # a letter dropped
    assert _patronymic("Дмитриевчи") == "dmytro:m"


def test_a_typo_is_not_repaired_when_two_names_are_as_near_or_the_word_is_short() -> None:
    assert _given("Іванна") is None  # one from Іван and from Яна
    assert _given("Ігр") is None  # too short to tell
    assert _given("Петров") == "petro"  # surnames are told apart by name_order, not here


def test_a_table_with_one_spelling_in_two_rows_is_refused(tmp_path: Path) -> None:
    text = TABLE.read_text(encoding="utf-8") + "m,Олександер,Александер,,,\n"
    broken = tmp_path / "given_names.csv"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(TableError, match="both"):
        given_name_table(broken)
