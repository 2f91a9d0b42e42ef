"""Language per field, from the letters only Ukrainian or only Russian has."""

from __future__ import annotations

import pytest

from reconciliation.languages import language_of
from reconciliation.spelling import clean_name


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("Олійник", "uk"),
        ("Євген", "uk"),
        ("Ґудзь", "uk"),
        ("Їжак", "uk"),
        ("Соловьёв", "ru"),
        ("Эдуард", "ru"),
        ("Подъячев", "ru"),
        ("Рыбак", "ru"),
        ("Коваленко", "cyrillic"),
        ("Oliinyk", "latin"),
        ("Ševčenko", "latin"),
        ("Олійник Соловьёв", "mixed"),
        ("Олійн Smith", "mixed"),
        ("1234", "none"),
        ("", "none"),
    ],
)
def test_language_of_reads_the_letters(name: str, language: str) -> None:
    assert language_of(clean_name(name)) == language


def test_language_of_takes_a_latin_i_in_cyrillic_for_a_typing_slip() -> None:
    # "Oлiйник" typed with a Latin O and i: cleaning reads them as the Cyrillic letters.
    assert clean_name("Oлiйник") == "олійник"
    assert language_of(clean_name("Oлiйник")) == "uk"
