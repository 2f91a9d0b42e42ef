"""The standards' Latin spellings of Cyrillic names, on hand-made names."""

from __future__ import annotations

import pytest

from reconciliation.languages import language_of
from reconciliation.spelling import clean_name
from reconciliation.transliteration import rendering_by_standard, renderings


def _by_standard(name: str) -> dict[str, str]:
    cleaned = clean_name(name)
    return {str(k): v for k, v in rendering_by_standard(cleaned, language_of(cleaned)).items()}


@pytest.mark.parametrize(
    ("name", "national_2010"),
    [
        ("Олександр", "oleksandr"),
        ("Олійник", "oliinyk"),
        ("Юрій", "yurii"),  # й, ю first in a word: y; else i
        ("Євген", "yevhen"),
        ("Згурський", "zghurskyi"),  # зг is zgh, against зх
        ("Григорій", "hryhorii"),
        ("Ґудзь", "gudz"),
    ],
)
def test_national_2010_key_of_ukrainian_names(name: str, national_2010: str) -> None:
    assert _by_standard(name)["national_2010"] == national_2010


@pytest.mark.parametrize(
    ("name", "icao", "bgn"),
    [
        ("Юрий", "iurii", "yuriy"),
        ("Александр", "aleksandr", "aleksandr"),
        ("Соловьёв", "solovev", "solovyev"),
        ("Подъячев", "podieiachev", "podyachev"),
        ("Евгений", "evgenii", "yevgeniy"),
    ],
)
def test_icao_9303_and_bgn_pcgn_keys_of_russian_names(name: str, icao: str, bgn: str) -> None:
    keys = _by_standard(name)
    assert keys["icao_9303"] == icao
    assert keys["bgn_pcgn"] == bgn


def test_a_name_of_either_language_gets_both_languages_standards() -> None:
    keys = _by_standard("Коваленко")
    assert set(keys) == {"national_2010", "icao_9303", "bgn_pcgn"}
    assert set(keys.values()) == {"kovalenko"}


def test_a_latin_name_is_its_own_only_rendering() -> None:
    assert renderings("oliinyk", "latin") == ("oliinyk",)


def test_ukrainian_and_russian_forms_share_a_rendering_where_the_standards_agree() -> None:
    ukrainian = set(renderings(clean_name("Поліщук"), "uk"))
    russian = set(renderings(clean_name("Полищук"), language_of(clean_name("Полищук"))))
    assert ukrainian & russian == {"polishchuk"}
