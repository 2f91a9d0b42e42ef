"""A name cleaned of typing accidents, and its spelling skeleton.

Cleaning keeps the name as written but drops what no clerk meant: case, apostrophes in
all their forms, Latin letters typed inside a Cyrillic word (a Latin i for і), stray
punctuation and spaces.

The skeleton is a coarse key that the Ukrainian and Russian forms of most surnames, and
their usual Latin spellings, share: Олійник, Олейник, Oliinyk and Oleynik all become
`olinik`. It is written by hand because no library does it: Soundex and its kin are made
for English, and transliteration schemes keep exactly the differences it drops (г/h/g,
й/y/i/j, the digraphs, iotated vowels, -ий/-ій/-ей endings, ьо/ё).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans("", "", "'’ʼ`´‘ʹ\"”“")
# Latin letters that look like Cyrillic ones, typed by mistake inside a Cyrillic word.
_LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "i": "і",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "ï": "ї",
        "h": "н",
        "t": "т",
        "b": "в",
    }
)
_SEPARATORS = re.compile(r"[\s,;/()\[\]]+")
_NON_LETTER = re.compile(r"[^\w\s-]+|[\d_]+")


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[^\W\d_\u0400-\u04ff]")


@lru_cache(maxsize=65536)
def clean_name(text: str) -> str:
    """Casefolded, NFC, without apostrophes or digits, single spaces, hyphens kept.

    In a word written mostly in Cyrillic, Latin lookalikes become the Cyrillic letters
    they stand for.
    """
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    text = _NON_LETTER.sub(" ", text)
    words = []
    for word in _SEPARATORS.split(text):
        word = word.strip("-")
        if not word:
            continue
        if _LATIN_LETTER.search(word) is not None:
            cyrillic = len(_CYRILLIC.findall(word))
            if cyrillic and cyrillic >= len(_LATIN_LETTER.findall(word)):
                word = word.translate(_LOOKALIKES)
        words.append(word)
    return " ".join(words)


# ------------------------------------------------------------------ skeleton
#
# Both scripts are first brought to one coarse alphabet of Latin letters, then the same
# rules run on both. Upper-case letters are placeholders for the digraphs' sounds while
# the single Latin letters are mapped, so that the `c` of ч/ц survives the rule for a
# plain Latin `c`.

_CYRILLIC_TO_COARSE = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "h",
        "ґ": "h",
        "д": "d",
        "е": "e",
        "є": "ie",
        "ё": "e",
        "ж": "z",
        "з": "z",
        "и": "i",
        "і": "i",
        "ї": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "c",
        "ч": "c",
        "ш": "s",
        "щ": "s",
        "ъ": "",
        "ы": "i",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    }
)
# Ukrainian writes ьо (and йо) where Russian writes ё: Ковальов, Ковалёв.
_SOFT_O = re.compile(r"[ьй]о")

_LATIN_DIGRAPHS = (
    ("shch", "S"),
    ("chtch", "S"),  # French щ
    ("tsch", "C"),  # German ч
    ("tch", "C"),  # French ч
    ("szcz", "S"),
    ("sch", "S"),
    ("sh", "S"),
    ("sz", "S"),
    ("zh", "Z"),
    ("kh", "H"),
    ("ch", "C"),
    ("cz", "C"),
    ("ts", "C"),
    ("tc", "C"),
    ("tz", "C"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("q", "k"),
)
_LATIN_SINGLE = str.maketrans(
    {"g": "h", "y": "i", "j": "i", "S": "s", "Z": "z", "H": "h", "C": "c"}
)

_IOTATED = (
    (re.compile(r"ou"), "u"),  # French у (Roudenko); оу in both scripts alike (Белоус)
    (re.compile(r"i+"), "i"),  # ii, iii: й after і, ий/ій endings, yy
    # я ю є inside a word (ya, ia, ja, iu, ie...); first in a word only є/е loses its
    # y (Ukrainian Є, Russian Е, both "ye"), so that Яна and Анна stay apart.
    (re.compile(r"(?<=.)i([aue])"), r"\1"),
    (re.compile(r"^ie"), "e"),
    (re.compile(r"io"), "e"),  # ё spelled yo / io / jo
    (re.compile(r"ei"), "i"),  # ей against ій: Олейник, Олійник; Андрей, Андрій
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Анна, Ана
)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Other readings of the same Latin letters, for spellings made by German, Polish and
# French rules rather than English ones: their ch is х (German, Polish) or ш (French),
# German z is ц and s before a vowel з, sh is ж; French j is ж. A Latin name is read
# the other way only when it shows that scheme's marks (German sch or w, Polish sz, cz,
# w or ł, French ou or tch), so that an English-style spelling gets no second reading.
_OTHER_READINGS: tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    (  # German
        ("sch", "w"),
        (("tsch", "C"), ("sch", "S"), ("ch", "H"), ("sh", "Z"), ("ss", "Σ"), ("z", "C")),
    ),
    (  # Polish
        ("sz", "cz", "w", "ł"),
        (("szcz", "S"), ("sz", "S"), ("cz", "C"), ("ch", "H"), ("rz", "Z")),
    ),
    (  # French
        ("ou", "tch"),
        (("chtch", "S"), ("tch", "C"), ("ch", "S"), ("kh", "H"), ("j", "Z")),
    ),
)  # fmt: skip
_GERMAN_VOICED_S = re.compile(r"(?<![s])s(?=[aeiouy])")


def _latin_coarse(cleaned: str, digraphs: tuple[tuple[str, str], ...]) -> str:
    coarse = _strip_marks(cleaned.replace("ł", "l"))  # Polish ł has no mark to strip
    for digraph, sound in digraphs:
        coarse = coarse.replace(digraph, sound)
    return coarse


def _finished(coarse: str) -> str:
    coarse = coarse.translate(_LATIN_SINGLE)
    coarse = "".join(char for char in coarse if "a" <= char <= "z")
    for pattern, replacement in _IOTATED:
        coarse = pattern.sub(replacement, coarse)
    return coarse


@lru_cache(maxsize=65536)
def skeleton(cleaned: str) -> str:
    """The coarse key of a cleaned name (`clean_name`), words run together."""
    if _CYRILLIC.search(cleaned) is not None:
        coarse = _SOFT_O.sub("ё", cleaned).translate(_CYRILLIC_TO_COARSE)
        return _finished(_strip_marks(coarse))
    return _finished(_latin_coarse(cleaned, _LATIN_DIGRAPHS))


@lru_cache(maxsize=65536)
def readings(cleaned: str) -> tuple[str, ...]:
    """The skeleton, then the skeletons of a Latin name read by German, Polish and
    French rules, without repeats (a Cyrillic name has one reading)."""
    first = skeleton(cleaned)
    if _CYRILLIC.search(cleaned) is not None:
        return (first,)
    found = [first]
    for index, (marks, digraphs) in enumerate(_OTHER_READINGS):
        if not any(mark in cleaned for mark in marks):
            continue
        text = _GERMAN_VOICED_S.sub("Z", cleaned) if index == 0 else cleaned
        coarse = _latin_coarse(text, (*digraphs, *_LATIN_DIGRAPHS))
        key = _finished(coarse.replace("Σ", "s"))
        if key and key not in found:
            found.append(key)
    return tuple(found)


_VOWELS = str.maketrans("", "", "aeiou")


def consonants(key: str) -> str:
    """A skeleton without its vowels: the Ukrainian і where Russian writes е or о
    (Білоус, Белоус; Чорновол, Черновол; Ковалів, Ковалев) leaves it unchanged."""
    return key.translate(_VOWELS)
