"""What a person with a spreadsheet would do, measured on the same lists.

- **exact**: every name transliterated once, the naive way (one table for every
  Cyrillic letter, Ukrainian and Russian alike), lower-cased; a requested person is
  matched when exactly one held person has the same surname, given name and birth
  date.
- **fuzzy, normalised** (the fair one): every word of the name, in any order, in one
  normalised Latin spelling (one table for both languages, then g/h, kh/h, y/i/j, w/v
  and doubled letters made one), compared word by word with Jaro-Winkler (RapidFuzz)
  against every held person born within a year; a pair's score is the mean, over the
  words of the record with fewer words, of each word's best Jaro-Winkler in the other
  record; the best held person from 0.9 on wins.
- **fuzzy, naive** (the first baseline, kept for comparison): the naive spelling of the
  first two words taken as "surname given-name", one Jaro-Winkler against every held
  person born the same year; the best above 0.9 wins.

All answer yes or no, so everything they say counts as `auto`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from reconciliation.schema import IdentityRecord, Match, Reconciliation

_NAIVE = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "e",
        "ё": "e", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
        "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "'": "", "’": "",
    }
)  # fmt: skip
_FUZZY_CUTOFF = 0.9


def _naive(text: str | None) -> str:
    return " ".join((text or "").casefold().translate(_NAIVE).split())


def _surname_given(record: IdentityRecord) -> tuple[str, str]:
    """The naive reading of a record's name: its fields, or the first two words of its
    full name taken as surname and given name."""
    if record.surname or record.given_name:
        return _naive(record.surname), _naive(record.given_name)
    words = _naive(record.name).split()
    return (words[0] if words else ""), (words[1] if len(words) > 1 else "")


def _answer(pairs: Sequence[tuple[str, str]], probability: float) -> Reconciliation:
    return Reconciliation(
        matches=[
            Match(
                requested_id=requested,
                held_id=held,
                probability=probability,
                band="auto",
                evidence={},
            )
            for requested, held in pairs
        ]
    )


def exact_after_naive_transliteration(
    held: Sequence[IdentityRecord], requested: Sequence[IdentityRecord]
) -> Reconciliation:
    index: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for record in held:
        surname, given = _surname_given(record)
        if surname and record.birth_date is not None:
            index[(surname, given, record.birth_date.isoformat())].append(record.id)
    pairs = []
    for record in requested:
        surname, given = _surname_given(record)
        if record.birth_date is None:
            continue
        found = index.get((surname, given, record.birth_date.isoformat()), [])
        if len(found) == 1:
            pairs.append((record.id, found[0]))
    return _answer(pairs, 1.0)


def fuzzy_with_birth_year(
    held: Sequence[IdentityRecord], requested: Sequence[IdentityRecord]
) -> Reconciliation:
    by_year: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for record in held:
        if record.birth_date is not None:
            ids, names = by_year[record.birth_date.year]
            ids.append(record.id)
            names.append(" ".join(_surname_given(record)))
    pairs = []
    for record in requested:
        if record.birth_date is None or record.birth_date.year not in by_year:
            continue
        ids, names = by_year[record.birth_date.year]
        best = process.extractOne(
            " ".join(_surname_given(record)),
            names,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=_FUZZY_CUTOFF,
        )
        if best is not None:
            pairs.append((record.id, ids[best[2]]))
    return _answer(pairs, 1.0)


# ------------------------------------------------------------ fuzzy, normalised

_ONE_TABLE = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ye",
        "ё": "yo", "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
        "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ł": "l",
    }
)  # fmt: skip
_FOLDS = (("kh", "h"), ("g", "h"), ("w", "v"), ("x", "ks"), ("j", "i"), ("y", "i"))
_DOUBLED = re.compile(r"(.)\1+")
_NOT_LETTER = re.compile(r"[^a-z ]+")


def _normalised_words(record: IdentityRecord) -> list[str]:
    """Every word of a record's name, in one normalised Latin spelling."""
    text = " ".join(
        part for part in (record.name, record.surname, record.given_name, record.patronymic) if part
    )
    text = unicodedata.normalize("NFKD", text.casefold().translate(_ONE_TABLE))
    text = _NOT_LETTER.sub("", "".join(c for c in text if not unicodedata.combining(c)))
    words = []
    for word in text.split():
        for before, after in _FOLDS:
            word = word.replace(before, after)
        words.append(_DOUBLED.sub(r"\1", word))
    return [word for word in words if word]


def _scores(
    queries: list[list[str]], owners: list[list[str]]
) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
    """Order-free name scores of every query against every owner (module doc)."""
    query_words = [w for words in queries for w in words]
    owner_words = [w for words in owners for w in words]
    similarity = process.cdist(
        query_words, owner_words, scorer=JaroWinkler.normalized_similarity, workers=-1
    )
    query_starts = np.cumsum([0, *(len(w) for w in queries)])[:-1]
    owner_starts = np.cumsum([0, *(len(w) for w in owners)])[:-1]
    query_sizes = np.array([len(w) for w in queries])
    owner_sizes = np.array([len(w) for w in owners])
    # Each query word's best in each owner, and each owner word's best in each query.
    best_in_owner = np.maximum.reduceat(similarity, owner_starts, axis=1)
    best_in_query = np.maximum.reduceat(similarity, query_starts, axis=0)
    query_mean = np.add.reduceat(best_in_owner, query_starts, axis=0) / query_sizes[:, None]
    owner_mean = np.add.reduceat(best_in_query, owner_starts, axis=1) / owner_sizes[None, :]
    fewer_query = query_sizes[:, None] < owner_sizes[None, :]
    fewer_owner = query_sizes[:, None] > owner_sizes[None, :]
    both = (query_mean + owner_mean) / 2
    scores: np.ndarray[tuple[int, int], np.dtype[np.float64]] = np.where(
        fewer_query, query_mean, np.where(fewer_owner, owner_mean, both)
    ).astype(np.float64)
    return scores


def fuzzy_normalised(
    held: Sequence[IdentityRecord], requested: Sequence[IdentityRecord]
) -> Reconciliation:
    by_year: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    for record in held:
        words = _normalised_words(record)
        if record.birth_date is not None and len(words) >= 2:
            by_year[record.birth_date.year].append((record.id, words))
    asking: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    for record in requested:
        words = _normalised_words(record)
        if record.birth_date is not None and len(words) >= 2:
            asking[record.birth_date.year].append((record.id, words))
    pairs = []
    for year, queries in sorted(asking.items()):
        owners = [owner for near in (year - 1, year, year + 1) for owner in by_year.get(near, [])]
        if not owners:
            continue
        scores = _scores([words for _, words in queries], [words for _, words in owners])
        best = scores.argmax(axis=1)
        for (query_id, _), column, row in zip(queries, best, scores, strict=True):
            if row[column] >= _FUZZY_CUTOFF:
                pairs.append((query_id, owners[int(column)][0]))
    return _answer(pairs, 1.0)
