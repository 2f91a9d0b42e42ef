"""Which word is the surname, the given name, the patronymic; swapped fields repaired."""

from __future__ import annotations

import pytest

from reconciliation.given_names import given_name_table
from reconciliation.name_order import NameParts, name_parts, split_full_name
from reconciliation.spelling import clean_name


def _split(name: str) -> tuple[str | None, str | None, str | None]:
    parts = split_full_name(given_name_table(), clean_name(name), name)
    return parts.surname, parts.given_name, parts.patronymic


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Шевченко Тарас Григорович", ("шевченко", "тарас", "григорович")),
        ("Тарас Григорович Шевченко", ("шевченко", "тарас", "григорович")),
        ("Taras Shevchenko", ("shevchenko", "taras", None)),
        ("SHEVCHENKO Taras", ("shevchenko", "taras", None)),
        ("Шевченко Тарас", ("шевченко", "тарас", None)),
        # surnames in -ович, told from the patronymic by where the given name is
        ("Петрович Іван Степанович", ("петрович", "іван", "степанович")),
        ("Мозарович Олександр Вадимович", ("мозарович", "олександр", "вадимович")),
        ("Петрович Іван", ("петрович", "іван", None)),
        # a surname in -ович first, the patronymic misspelt: no order puts it first
        ("Лылинович Василий Юрьеви", ("лылинович", "василий", "юрьеви")),
        ("Осратович Влас Васильевч", ("осратович", "влас", "васильевч")),
        # a misspelt patronymic in its usual place
        ("Шевченко Тарас Григорвич", ("шевченко", "тарас", "григорвич")),
        # no known word: Cyrillic lists put the surname first
        ("Бжезинський Збігнєв", ("бжезинський", "збігнєв", None)),
        # two words, one ending in -ович but no known patronymic: a surname
        ("Чуновович Эмиль", ("чуновович", "эмиль", None)),
        # a patronymic with a typo is still a patronymic, and anchors the given name
        ("Арсен Михайлвич Роволов", ("роволов", "арсен", "михайлвич")),
        # a given name with a typo (the first letter), found beside a patronymic
        ("Волександр Костенко Власович", ("костенко", "волександр", "власович")),
        # ... but not in a two-word name, where a surname (Михайлов) could pass for one
        ("Михайлов Отап", ("михайлов", "отап", None)),
    ],
)
def test_split_full_name(name: str, parts: tuple[str | None, ...]) -> None:
    assert _split(name) == parts


def test_a_given_name_in_the_surname_field_is_swapped_back() -> None:
    parts = name_parts(given_name_table(), None, "Костянтин", "Петров", None)
    assert parts == NameParts("петров", "костянтин", None, reordered=True)
    # one typo in the misplaced given name does not hide it
    assert name_parts(given_name_table(), None, "Никоалй", "Дохарович", None).reordered


def test_a_surname_that_looks_like_a_given_name_stays_put() -> None:
    parts = name_parts(given_name_table(), None, "Петров", "Андрій", None)
    assert parts == NameParts("петров", "андрій", None, reordered=False)


def test_a_patronymic_in_the_given_name_field_is_swapped_back() -> None:
    parts = name_parts(given_name_table(), None, "Шевченко", "Григорович", "Тарас")
    assert (parts.given_name, parts.patronymic, parts.reordered) == (
        "тарас",
        "григорович",
        True,
    )


def test_a_whole_name_in_the_surname_field_is_split() -> None:
    parts = name_parts(given_name_table(), None, "Шевченко Тарас Григорович", None, None)
    assert (parts.surname, parts.given_name, parts.patronymic) == (
        "шевченко",
        "тарас",
        "григорович",
    )
