"""Cyrillic names in the Latin spellings that official documents use.

Three standards cover most Latin names in these lists: Ukraine's national system of 2010
(passports since then), the Russian passport's ICAO Doc 9303 (since 2013), and BGN/PCGN
(maps, news agencies, many Western registries) in its Ukrainian and Russian tables. The
tables come from two small MIT-licensed libraries: `translitua` (the Ukrainian tables,
the 2010 national system with its word-initial and зг rules, and the Russian ICAO table)
and `iuliia` (Russian BGN/PCGN, with its letter-combination rules). A field's language
decides which apply; a field that could be either gets both.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import iuliia
import translitua

from reconciliation.languages import Language

Standard = Literal["national_2010", "icao_9303", "bgn_pcgn", "as_written"]
_NOT_ASCII_LETTER = re.compile(r"[^a-z]+")


def _ascii_letters(text: str) -> str:
    """Lower-case ASCII letters and spaces: marks and apostrophes of a scheme dropped."""
    if text.isascii():
        return " ".join(_NOT_ASCII_LETTER.sub("", word) for word in text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (char for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(c for c in word if "a" <= c <= "z") for word in "".join(kept).split())


def _ukrainian(cleaned: str) -> dict[Standard, str]:
    return {
        "national_2010": _ascii_letters(translitua.translit(cleaned, translitua.UkrainianKMU)),
        "bgn_pcgn": _ascii_letters(translitua.translit(cleaned, translitua.UkrainianBGN)),
    }


def _russian(cleaned: str) -> dict[Standard, str]:
    # ICAO 9303 is a plain letter table (translitua's, faster than iuliia's letter by
    # letter); BGN/PCGN has rules for ye/yë after vowels, which iuliia implements. Its
    # table leaves ё as it is; the standard writes ë.
    bgn = iuliia.BGN_PCGN.translate(cleaned).replace("ё", "ë")
    return {
        "icao_9303": _ascii_letters(translitua.translit(cleaned, translitua.RussianICAO)),
        "bgn_pcgn": _ascii_letters(bgn),
    }


@lru_cache(maxsize=65536)
def renderings(cleaned: str, language: Language) -> tuple[str, ...]:
    """The distinct Latin spellings of a cleaned name under the standards that apply.

    A Latin name is its own and only rendering: which scheme a clerk used is unknown,
    and the skeleton (`reconciliation.spelling`) is what bridges the schemes.
    """
    if language == "none":
        return ()
    if language == "latin":
        return (_ascii_letters(cleaned),)
    found: dict[Standard, str] = {}
    if language in ("uk", "cyrillic", "mixed"):
        found.update(_ukrainian(cleaned))
    if language in ("ru", "cyrillic", "mixed"):
        bgn_uk = found.get("bgn_pcgn")
        found.update(_russian(cleaned))
        if bgn_uk is not None and bgn_uk != found["bgn_pcgn"]:
            return tuple(dict.fromkeys((*found.values(), bgn_uk)))
    return tuple(dict.fromkeys(value for value in found.values() if value))


def rendering_by_standard(cleaned: str, language: Language) -> dict[Standard, str]:
    """Each standard's spelling, by name (for the docs and the tests)."""
    if language == "latin":
        return {"as_written": _ascii_letters(cleaned)}
    found: dict[Standard, str] = {}
    if language in ("uk", "cyrillic", "mixed"):
        found.update(_ukrainian(cleaned))
    if language in ("ru", "cyrillic", "mixed"):
        found.update(_russian(cleaned))
    return found
