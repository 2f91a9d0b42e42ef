"""The spelling skeleton: the Ukrainian, Russian and Latin forms of a name meet."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciliation.spelling import clean_name, consonants, readings, skeleton


def _key(name: str) -> str:
    return skeleton(clean_name(name))


@pytest.mark.parametrize(
    "forms",
    [
        # ій against ей, и against і, the ending -ий/-ій/-ей
        ("Олійник", "Олейник", "Oliinyk", "Oleynik", "Oleinik", "OLEINIK"),
        # ьо (Ukrainian) against ё (Russian), yo / io / e in Latin
        ("Ковальов", "Ковалёв", "Kovalyov", "Kovaliov", "Kovalev"),
        # г against h and g, й/y/i/j
        ("Юрій", "Юрий", "Yurii", "Iurii", "Yuriy", "Jurij"),
        ("Григоренко", "Hryhorenko", "Grigorenko"),
        # digraphs and diacritics
        ("Шевченко", "Shevchenko", "Ševčenko", "Schewtschenko", "Szewczenko"),
        # French-style: ou for у, tch for ч; Polish ł
        ("Руденко", "Roudenko", "Rudenko"),
        ("Ткаченко", "Tkatchenko", "Tkachenko"),
        ("Білоус", "Bilous", "Biłous"),
        ("Щербина", "Shcherbyna", "Scherbina"),
        ("Харченко", "Kharchenko", "Harchenko"),
        ("Кузнєцов", "Кузнецов", "Kuznetsov", "Kuznietsov"),
        # iotated vowels
        ("Ярослав", "Iaroslav", "Jaroslav", "Yaroslav"),
        ("Марія", "Мария", "Maria", "Mariia", "Mariya"),
        ("Медведєв", "Медведев", "Medvediev", "Medvedev"),
        # -ський / -ский, w for в
        ("Ковальський", "Ковальский", "Kovalskyi", "Kowalski"),
        ("Олександр", "Oleksandr", "Olexandr"),
        # apostrophes and soft signs
        ("Лук'яненко", "Лукьяненко", "Lukianenko", "Luk'yanenko"),
    ],
)
def test_skeleton_is_shared_by_the_forms_of_a_name(forms: tuple[str, ...]) -> None:
    keys = {_key(form) for form in forms}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("one", "other"),
    [("Яна", "Анна"), ("Шевченко", "Шевчук"), ("Іван", "Іванна"), ("Петренко", "Петров")],
)
def test_skeleton_keeps_different_names_apart(one: str, other: str) -> None:
    assert _key(one) != _key(other)


def test_consonants_bridge_the_ukrainian_i_against_russian_e_and_o() -> None:
    assert _key("Білоус") != _key("Белоус")
    assert consonants(_key("Білоус")) == consonants(_key("Белоус")) == "bls"
    assert consonants(_key("Чорновол")) == consonants(_key("Черновол"))


def test_clean_name_keeps_the_name_and_drops_typing_accidents() -> None:
    assert clean_name("  ОЛІЙНИК ") == "олійник"
    assert clean_name("Лук’яненко") == "лукяненко"
    assert clean_name("Петренко-Сидоренко") == "петренко-сидоренко"
    assert clean_name("Шевченко, Тарас") == "шевченко тарас"
    assert clean_name("Шевченко2") == "шевченко"


@given(st.text(max_size=40))
def test_skeleton_is_plain_latin_and_stable(text: str) -> None:
    key = _key(text)
    assert all("a" <= char <= "z" for char in key)
    assert _key(text) == key


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Kosakowytsch", "Козакович"),  # German: s before a vowel is з, tsch is ч
        ("Truzwetuk", "Труцветук"),  # German: z is ц
        ("Łecharow", "Лехаров"),  # Polish: ch is х, ł is л
        ("Sajzew", "Зайцев"),  # German
    ],
)
def test_a_latin_name_spelt_by_other_rules_is_read_by_them_too(latin: str, cyrillic: str) -> None:
    assert _key(latin) != _key(cyrillic)  # the English-style reading misses it
    assert _key(cyrillic) in readings(clean_name(latin))


def test_an_english_style_spelling_gets_no_other_reading() -> None:
    assert readings(clean_name("Shevchenko")) == (_key("Shevchenko"),)
    assert readings(clean_name("Шевченко")) == (_key("Шевченко"),)
