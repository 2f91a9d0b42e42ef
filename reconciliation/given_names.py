"""Given names that are the same name in Ukrainian and Russian, and their patronymics.

Олексій and Алексей are one name: no transliteration or spelling rule makes them meet
(the vowels differ, the endings too), so a table says it, kept in `given_names.csv` with
its version. Every spelling in a row, and every spelling the standards make of its
Cyrillic forms, is looked up by its skeleton; the row's class is its Ukrainian name in the
national transliteration. A patronymic's class is its father's name and the sex of its
form: Олександрович and Александрович are `oleksandr:m`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from reconciliation.languages import language_of
from reconciliation.spelling import clean_name, skeleton
from reconciliation.transliteration import renderings

TABLE = Path(__file__).with_name("given_names.csv")
Sex = Literal["m", "f"]


# A spelling one typo away from a known one (a letter dropped, added, changed, or two
# swapped) is read as that name when it is long enough, starts with the same letter, and
# no other known name is as near: Алексьндр is Александр, Тимофй is Тимофій. A typo in
# the first letter is read too when the spelling is longer still and no other name is
# one typo away at all (Волександр is Олександр).
_REPAIR_MIN_LENGTH = {"given": 5, "patronymic": 7}
_FIRST_LETTER_REPAIR_MIN_LENGTH = {"given": 6, "patronymic": 8}
# Names one typo from the other record's name, its equivalents included, are compared
# from this length on (`GivenNameTable.classes_near`): Ян and Іван are not one typo apart.
_NEAR_MIN_LENGTH = 3


def _one_deletion_variants(key: str) -> set[str]:
    return {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}


def one_typo_apart(one: str, other: str) -> bool:
    """One letter inserted, dropped or changed, or two neighbours swapped (at most)."""
    if one == other:
        return True
    if abs(len(one) - len(other)) > 1:
        return False
    if len(one) == len(other):
        diff = [i for i, (a, b) in enumerate(zip(one, other, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and one[diff[0]] == other[diff[1]]
            and one[diff[1]] == other[diff[0]]
        )
    shorter, longer = sorted((one, other), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _near_index(names: dict[str, str]) -> dict[str, set[tuple[str, str]]]:
    """Each one-deletion variant of each known spelling: the spellings and their class."""
    index: dict[str, set[tuple[str, str]]] = {}
    for key, name_class in names.items():
        for variant in _one_deletion_variants(key):
            index.setdefault(variant, set()).add((key, name_class))
    return index


@dataclass(frozen=True, eq=False)  # hashed by identity: one table per process
class GivenNameTable:
    """The table read once: skeletons of every spelling, to name classes."""

    version: str
    given: dict[str, str]  # skeleton -> class
    sex_of: dict[str, Sex]  # class -> sex
    patronymic: dict[str, str]  # skeleton -> class:sex
    near_given: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    near_patronymic: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    # The same, by the spellings as written (cleaned), not by their skeletons: the
    # skeleton can turn one typo into several changes (Виатлий is vatli, Віталій vitali;
    # Виктоу is viktu), the spelling keeps it one (Виатлий is Виталий, two letters swapped).
    spelled_given: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    spelled_patronymic: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    # Lookups already made (every surname is looked up too, to tell swapped fields).
    _given_seen: dict[str, str | None] = field(default_factory=dict, repr=False)
    _patronymic_seen: dict[str, str | None] = field(default_factory=dict, repr=False)
    _spelling_seen: dict[tuple[str, str], str | None] = field(default_factory=dict, repr=False)
    _near_seen: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def given_class(self, name_skeleton: str) -> str | None:
        """The class of a given name: as spelt, or one typo away (see above)."""
        seen = self._given_seen
        if name_skeleton not in seen:
            seen[name_skeleton] = self.given.get(name_skeleton) or _repaired(
                self.near_given, name_skeleton, "given"
            )
        return seen[name_skeleton]

    def patronymic_class(self, patronymic_skeleton: str) -> str | None:
        seen = self._patronymic_seen
        if patronymic_skeleton not in seen:
            seen[patronymic_skeleton] = self.patronymic.get(patronymic_skeleton) or _repaired(
                self.near_patronymic, patronymic_skeleton, "patronymic"
            )
        return seen[patronymic_skeleton]

    def class_of_spelling(self, cleaned: str, kind: Literal["given", "patronymic"]) -> str | None:
        """The class of a cleaned spelling one typo from a spelling of the table, by the
        same rules as a skeleton's (`_repaired`), for a name whose skeleton no class has."""
        seen = self._spelling_seen
        if (cleaned, kind) not in seen:
            index = self.spelled_given if kind == "given" else self.spelled_patronymic
            seen[cleaned, kind] = _repaired(index, cleaned, kind)
        return seen[cleaned, kind]

    def classes_near(self, cleaned: str) -> list[str]:
        """Every class with a spelling one typo from this one, however short or wherever
        the typo (Авло: pavlo, Павло with its first letter dropped). Not a class of its
        own, as `class_of_spelling` gives: the other record's name says which is meant."""
        seen = self._near_seen
        if cleaned not in seen:
            near: set[str] = set()
            if len(cleaned) >= _NEAR_MIN_LENGTH:
                for variant in _one_deletion_variants(cleaned):
                    near.update(
                        name_class
                        for known, name_class in self.spelled_given.get(variant, ())
                        if one_typo_apart(cleaned, known)
                    )
            seen[cleaned] = sorted(near)
        return seen[cleaned]


def _repaired(index: dict[str, set[tuple[str, str]]], key: str, kind: str) -> str | None:
    """The class of the known spellings one typo from `key`, if they are of one class
    (the deletion variants find the candidates; `one_typo_apart` keeps the true ones)."""
    if len(key) < _REPAIR_MIN_LENGTH[kind]:
        return None
    near: set[tuple[str, str]] = set()
    for variant in _one_deletion_variants(key):
        near.update(index.get(variant, ()))
    near = {(known, name_class) for known, name_class in near if one_typo_apart(key, known)}
    same_start = {name_class for known, name_class in near if known[0] == key[0]}
    if same_start:
        return same_start.pop() if len(same_start) == 1 else None
    anywhere = {name_class for _, name_class in near}
    if len(key) >= _FIRST_LETTER_REPAIR_MIN_LENGTH[kind] and len(anywhere) == 1:
        return anywhere.pop()
    return None


class TableError(ValueError):
    """The data file contradicts itself (two names share a spelling)."""


def _spellings(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _skeletons(cell: str) -> set[str]:
    """The skeletons of a cell's spellings and of their standard Latin renderings."""
    found = set()
    for spelling in _spellings(cell):
        cleaned = clean_name(spelling)
        found.add(skeleton(cleaned))
        found.update(skeleton(latin) for latin in renderings(cleaned, language_of(cleaned)))
    return {key for key in found if key}


def _version(lines: list[str]) -> str:
    for line in lines:
        if line.startswith("# version:"):
            return line.removeprefix("# version:").strip()
    raise TableError(f"{TABLE.name} has no '# version:' line")


def _claim(index: dict[str, str], key: str, owner: str, what: str) -> None:
    previous = index.setdefault(key, owner)
    if previous != owner:
        raise TableError(
            f"{TABLE.name}: the {what} spelling {key!r} is both {previous} and {owner}"
        )


@cache
def given_name_table(path: Path = TABLE) -> GivenNameTable:
    """Read and index the table (once per process)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    version = _version(lines)
    rows = csv.DictReader(line for line in lines if line and not line.startswith("#"))
    given: dict[str, str] = {}
    sex_of: dict[str, Sex] = {}
    patronymic: dict[str, str] = {}
    spelled_given: dict[str, str] = {}
    spelled_patronymic: dict[str, str] = {}
    for row in rows:
        sex: Sex = "f" if row["sex"].strip() == "f" else "m"
        ukrainian = _spellings(row["uk"])[0]
        name_class = renderings(clean_name(ukrainian), "uk")[0].replace(" ", "")
        sex_of[name_class] = sex
        for cell in (row["uk"], row["ru"], row["latin"]):
            for key in _skeletons(cell):
                _claim(given, key, name_class, "given name")
            for written in _written_forms(cell):
                spelled_given.setdefault(written, name_class)
        for cell in (row["uk_patronymic"], row["ru_patronymic"]):
            for spelling in _spellings(cell):
                form: Sex = "f" if _is_daughters(spelling) else "m"
                for key in _skeletons(spelling):
                    _claim(patronymic, key, f"{name_class}:{form}", "patronymic")
                for written in _written_forms(spelling):
                    spelled_patronymic.setdefault(written, f"{name_class}:{form}")
    return GivenNameTable(
        version,
        given,
        sex_of,
        patronymic,
        _near_index(given),
        _near_index(patronymic),
        _near_index(spelled_given),
        _near_index(spelled_patronymic),
    )


def _written_forms(cell: str) -> set[str]:
    """A cell's spellings cleaned, and the standards' Latin renderings of them."""
    found = set()
    for spelling in _spellings(cell):
        cleaned = clean_name(spelling)
        found.add(cleaned)
        found.update(latin.replace(" ", "") for latin in renderings(cleaned, language_of(cleaned)))
    return {form for form in found if form}


def _is_daughters(patronymic: str) -> bool:
    """Daughters' forms end in -вна / -ична / -чна (Олександрівна, Ильинична)."""
    return patronymic.endswith(("вна", "чна"))
