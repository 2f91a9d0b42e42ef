"""What a person with a spreadsheet would do, measured on the same lists.

- **exact**: every name transliterated once, the naive way (one table for every
  Cyrillic letter, Ukrainian and Russian alike), lower-cased; a requested person is
  matched when exactly one held person has the same surname, given name and birth
  date.
- **fuzzy**: the same naive spelling of "surname given-name", compared with Jaro-Winkler
  (RapidFuzz) against every held person born the same year; the best above 0.9 wins.

Both answer yes or no, so everything they say counts as `auto`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

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
