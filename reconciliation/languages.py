"""Which script and language a name is written in, read from its letters alone.

Ukrainian and Russian share most of the Cyrillic alphabet; each has letters the other
lacks (і ї є ґ against ы э ъ ё). A name with neither kind (Коваленко) could be either,
and is transliterated both ways.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

Language = Literal["uk", "ru", "cyrillic", "latin", "mixed", "none"]

_UKRAINIAN_ONLY = frozenset("іїєґІЇЄҐ")
_RUSSIAN_ONLY = frozenset("ыэъёЫЭЪЁ")


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


@lru_cache(maxsize=1 << 17)
def language_of(text: str) -> Language:
    """`uk` or `ru` when the letters say so; `cyrillic` when they do not; `latin`;
    `mixed` for a field with letters of both languages, or both scripts (a typo, or
    a field glued from two sources); `none` without letters."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return "none"
    cyrillic = sum(1 for char in letters if _is_cyrillic(char))
    if cyrillic == 0:
        return "latin"
    # One Latin letter inside Cyrillic (a Latin i for і) is a typing slip, not a script.
    if len(letters) - cyrillic > 1:
        return "mixed"
    ukrainian = any(char in _UKRAINIAN_ONLY for char in letters)
    russian = any(char in _RUSSIAN_ONLY for char in letters)
    if ukrainian and russian:
        return "mixed"
    if ukrainian:
        return "uk"
    if russian:
        return "ru"
    return "cyrillic"
