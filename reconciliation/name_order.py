"""Which word of a name is the surname, the given name and the patronymic.

Lists write a full name in either order (Шевченко Тарас Григорович, Taras Shevchenko),
and clerks put a given name in the surname column often enough to matter. A word is
taken for a given name or a patronymic when the table of given names knows it; the rest
is the surname. Repairing the order here, before any comparison, matters more than a
comparison level for swapped names: a swapped pair would otherwise also lose its
surname and given-name agreement, and be blocked apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reconciliation.given_names import GivenNameTable
from reconciliation.languages import language_of
from reconciliation.spelling import clean_name, skeleton

# Patronymic endings, as skeletons (-ович, -евич, -йович, -ич; -івна, -овна, -евна, -ична).
_PATRONYMIC_ENDINGS = ("ovic", "evic", "ivna", "ovna", "evna", "icna", "inicna")


@dataclass(frozen=True)
class NameParts:
    """A name split into its parts (cleaned), and whether the parts were reordered."""

    surname: str | None
    given_name: str | None
    patronymic: str | None
    reordered: bool = False


# Exact spellings only: the typo-tolerant lookup of the table would read a surname
# such as Петров as a misspelt Петро.
def _is_given(table: GivenNameTable, word: str) -> bool:
    return skeleton(word) in table.given


def _is_misspelt_given(table: GivenNameTable, word: str) -> bool:
    """A given name, maybe one typo away: only to tell a swapped pair of fields."""
    return table.given_class(skeleton(word)) is not None


@lru_cache(maxsize=1 << 17)
def _is_patronymic(table: GivenNameTable, word: str) -> bool:
    """A known patronymic, or a word with a patronymic's ending, or one typo from a
    known patronymic (looked up only for words that end as patronymics do, in -ич or
    -на: the lookup is dear, and every word of every full name asks)."""
    key = skeleton(word)
    if key in table.patronymic or (len(key) > 5 and key.endswith(_PATRONYMIC_ENDINGS)):
        return True
    return key.endswith(("ic", "na")) and table.patronymic_class(key) is not None


def _is_known_patronymic(table: GivenNameTable, word: str) -> bool:
    return table.patronymic_class(skeleton(word)) is not None


def split_full_name(table: GivenNameTable, text: str, written: str) -> NameParts:
    """The parts of a full name (`text` cleaned, `written` as in the list)."""
    words = text.split()
    if not words:
        return NameParts(None, None, None)
    if len(words) == 1:
        return NameParts(words[0], None, None)
    # No order writes the patronymic first (Шевченко Тарас Григорович; Тарас Григорович
    # Шевченко; SHEVCHENKO Taras Hryhorovych): a first word in -ович of three or more is
    # a surname (Гедубович Мар'ян Івановчи, its patronymic misspelt).
    patronymics = [
        i
        for i, word in enumerate(words)
        if _is_patronymic(table, word) and not (i == 0 and len(words) >= 3)
    ]
    givens = [i for i, word in enumerate(words) if _is_given(table, word) and i not in patronymics]
    if not givens and patronymics:
        # No word is a known given name as spelt, but there is a patronymic: a given
        # name a typo away, if only one word is (with two words, a surname such as
        # Михайлов would read as a misspelt Михайло).
        misspelt = [
            i
            for i, word in enumerate(words)
            if i not in patronymics and _is_misspelt_given(table, word)
        ]
        givens = misspelt if len(misspelt) == 1 else []
    # Surnames end in -ович too (Петрович, Шкурович): of several patronymic-like words,
    # the patronymic is one the table knows right after a given name, else one the
    # table knows, else one after a given name, else the last.
    after_given = [i for i in patronymics if i - 1 in givens]
    known = [i for i in patronymics if _is_known_patronymic(table, words[i])]
    both = [i for i in after_given if i in known]
    chosen = both or known or after_given or patronymics[-1:]
    patronymic_at: int | None = chosen[0] if chosen else None
    if len(words) == 2 and (givens or not known):
        # Two words are a surname and a given name (Петрович Іван), unless one is a known
        # patronymic and the other no known name: a surname in -ович stays a surname.
        patronymic_at = None
    given_at: int | None = None
    if givens:
        # A given name just before the patronymic is the surest anchor; else the first.
        before = [i for i in givens if patronymic_at is not None and i == patronymic_at - 1]
        given_at = before[0] if before else givens[0]
    elif patronymic_at is not None and patronymic_at > 0:
        given_at = patronymic_at - 1
    elif patronymic_at is None:
        given_at = _unknown_order_given(words, written)
    if given_at is not None and given_at == patronymic_at:
        given_at = None
    if len(words) == 3 and given_at is not None and patronymic_at is None:
        # Three words, one a given name, none a known patronymic: a misspelt one, in
        # its usual place (Шевченко Тарас Григорвич; Тарас Григорвич Шевченко).
        patronymic_at = {0: 1, 1: 2}.get(given_at)
    surname = [w for i, w in enumerate(words) if i not in (given_at, patronymic_at)]
    return NameParts(
        " ".join(surname) or None,
        words[given_at] if given_at is not None else None,
        words[patronymic_at] if patronymic_at is not None else None,
    )


def _unknown_order_given(words: list[str], written: str) -> int:
    """Where the given name is when no word is a known name: a word in capitals is the
    surname (SHEVCHENKO Taras); Cyrillic lists put the surname first, Latin ones last."""
    original = written.split()
    if len(original) == len(words):
        capitals = [w.isupper() and len(w) > 1 for w in original]
        if sum(capitals) == 1 and len(words) == 2:
            return 1 - capitals.index(True)
    if language_of(" ".join(words)) == "latin" and len(words) == 2:
        return 0
    return 1


def name_parts(
    table: GivenNameTable,
    name: str | None,
    surname: str | None,
    given_name: str | None,
    patronymic: str | None,
) -> NameParts:
    """The parts of a record's name, from its separate fields when it has them (their
    order repaired when the table shows a given name in the surname field), else from
    its full name."""
    surname_clean = clean_name(surname) if surname else ""
    given_clean = clean_name(given_name) if given_name else ""
    patronymic_clean = clean_name(patronymic) if patronymic else ""
    if not (surname_clean or given_clean):
        if name:
            parts = split_full_name(table, clean_name(name), name)
            if patronymic_clean and parts.patronymic is None:
                return NameParts(parts.surname, parts.given_name, patronymic_clean)
            return parts
        return NameParts(None, None, patronymic_clean or None)
    if surname_clean and not given_clean and len(surname_clean.split()) > 1:
        # A whole name in the surname column.
        parts = split_full_name(table, surname_clean, surname or "")
        return NameParts(parts.surname, parts.given_name, patronymic_clean or parts.patronymic)
    reordered = False
    if (
        surname_clean
        and given_clean
        and not _is_patronymic(table, surname_clean)
        and (
            (_is_given(table, surname_clean) and not _is_given(table, given_clean))
            or (
                _is_misspelt_given(table, surname_clean)
                and not _is_misspelt_given(table, given_clean)
            )
        )
    ):
        surname_clean, given_clean = given_clean, surname_clean
        reordered = True
    if (
        given_clean
        and patronymic_clean
        and _is_patronymic(table, given_clean)
        and _is_given(table, patronymic_clean)
    ):
        given_clean, patronymic_clean = patronymic_clean, given_clean
        reordered = True
    return NameParts(
        surname_clean or None, given_clean or None, patronymic_clean or None, reordered
    )
