"""The table of Ukrainian and Russian given names and their patronymics."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciliation.given_names import TABLE, TableError, given_name_table, one_typo_apart
from reconciliation.identity_keys import keys_of
from reconciliation.schema import IdentityRecord
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


def test_a_typo_in_the_first_letter_is_read_in_a_long_enough_name() -> None:
    assert _given("Волександр") == "oleksandr"  # a letter added in front
    assert _given("Щлександр") == "oleksandr"  # the first letter changed
    assert _given("Бван") is None  # too short to read without its first letter


def test_a_typo_the_skeleton_blurs_is_read_on_the_spelling() -> None:
    table = given_name_table()
    # Виатлий's skeleton is vatli, Віталій's vitali: two letters swapped became one
    # dropped and one changed. As written, Виатлий is one swap from Виталий.
    assert _given("Виатлий") is None
    assert table.class_of_spelling(clean_name("Виатлий"), "given") == "vitalii"
    assert table.class_of_spelling(clean_name("Виктоу"), "given") == "viktor"
    assert table.class_of_spelling(clean_name("Андрйович"), "patronymic") == "andrii:m"
    assert table.class_of_spelling(clean_name("Іванна"), "given") is None  # Іван or Яна
    assert keys_of([IdentityRecord(id="1", given_name="Виатлий")])["given_class"][0].as_py() == (
        "vitalii"
    )


def test_names_one_typo_from_a_spelling_are_all_near_however_short() -> None:
    table = given_name_table()
    assert table.classes_near(clean_name("Авло")) == ["pavlo"]
    assert table.classes_near(clean_name("Ігор")) == ["ihor", "yehor"]
    assert table.classes_near(clean_name("Ян")) == []  # too short to say anything
    assert table.classes_near(clean_name("Зорян")) == []  # no known name near


def _osa_distance(one: str, other: str) -> int:
    """The slow, obvious twin: optimal string alignment distance, by the table."""
    rows = [[0] * (len(other) + 1) for _ in range(len(one) + 1)]
    for i in range(len(one) + 1):
        rows[i][0] = i
    for j in range(len(other) + 1):
        rows[0][j] = j
    for i in range(1, len(one) + 1):
        for j in range(1, len(other) + 1):
            cost = 0 if one[i - 1] == other[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and one[i - 1] == other[j - 2] and one[i - 2] == other[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(one)][len(other)]


@settings(max_examples=400)
@given(st.text("abc", max_size=6), st.text("abc", max_size=6))
def test_one_typo_apart_is_an_alignment_distance_of_at_most_one(one: str, other: str) -> None:
    assert one_typo_apart(one, other) == (_osa_distance(one, other) <= 1)


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
