"""Seeded synthetic lists for reconciliation: held, requested, exchanged, and the truth.

Each synthetic person has a surname, a given name and a father's name in Ukrainian and in
Russian, a birth date, and for some a service number and a unit. Given names come from
the benchmark's own tables (`name_tables.py`, common names by rank and a tail of rarer
ones), written apart from the matcher's table of equivalents, so some of them are names
the matcher does not know. Each list writes each of its people once, the way one clerk
would: in one language's forms, in Cyrillic or in a Latin spelling (an official table,
or one written by hand: English-, Polish-, German- or French-style), as separate fields
or as one full name in some order, and with the noise below. The rates are `Noise`'s
defaults, documented there and in benchmarks/README.md; the same seed gives the same
lists, byte for byte.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

import iuliia
import translitua

from benchmarks.reconciliation.name_tables import (
    COMMON_SURNAMES,
    FEMALE_NAMES,
    MALE_NAMES,
    RARE_FEMALE_NAMES,
    RARE_MALE_NAMES,
    SURNAME_ENDINGS,
    SURNAME_STEMS,
    TAIL_FIRST_SYLLABLES,
    TAIL_SECOND_SYLLABLES,
)

Record = dict[str, object]


@dataclass(frozen=True)
class Noise:
    """How each list departs from the truth (rates per record unless said otherwise)."""

    requested_not_held: float = 0.10  # asked for, but not on the held list at all
    held_ukrainian: float = 0.3  # held list: Ukrainian forms (else Russian)
    requested_ukrainian: float = 0.7  # requested list: Ukrainian forms (else Russian)
    held_latin: float = 0.10  # written in a Latin spelling (else Cyrillic)
    requested_latin: float = 0.25
    full_name: float = 0.35  # one `name` field instead of surname/given/patronymic
    swapped: float = 0.04  # surname and given name in each other's field or place
    no_patronymic: float = 0.25
    # One letter inserted (any letter), dropped, changed or swapped with the next, at
    # any place in the word, the first letter included.
    typo_per_name_part: float = 0.04
    day_month_swapped: float = 0.03  # only where the day is 12 or less
    year_off_by_one: float = 0.03
    # A mistyped day: not among the kinds of noise, so 0 by default; such a
    # pair always goes to review (its dates disagree beyond a swap or a year).
    other_date_error: float = 0.0
    no_birth_date: float = 0.03
    dotted_dates: float = 0.5  # DD.MM.YYYY instead of YYYY-MM-DD
    namesakes: float = 0.05  # per requested: a held namesake with another birth date
    namesake_same_year: float = 0.3  # of those, born the same calendar year
    namesake_same_patronymic: float = 0.3
    held_duplicates: float = 0.02  # per held: listed a second time
    already_exchanged: float = 0.011  # per held: also in the registry (7 of 630 in a real list)
    registry_others: float = 0.02  # registry people not held, per held
    female: float = 0.08
    # A given name (and, separately, a father's name) from the tail of rarer names,
    # drawn uniformly, instead of the common names (Zipf by rank).
    rare_given_name: float = 0.08
    serial_number_held: float = 0.4
    serial_number_requested: float = 0.15
    serial_typo: float = 0.05
    unit_held: float = 0.2
    unit_requested: float = 0.1


@dataclass(frozen=True)
class Person:
    surname: tuple[str, str]  # (Ukrainian, Russian)
    given: tuple[str, str]
    patronymic: tuple[str, str] | None  # None: father's name unknown to everyone
    female: bool
    born: date
    serial_number: str
    unit: str


@dataclass
class Truth:
    """Who is who: what a perfect reconciliation would say."""

    match_of: dict[str, set[str]] = field(default_factory=dict)  # requested -> held ids
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    exchanged_of: dict[str, str] = field(default_factory=dict)  # held -> registry id

    @property
    def matchable(self) -> int:
        return sum(1 for held in self.match_of.values() if held)


@dataclass
class SyntheticLists:
    held: list[Record]
    requested: list[Record]
    exchanged: list[Record]
    truth: Truth


def _zipf_weights(count: int, exponent: float = 0.9) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


def _distinct(pairs: list[tuple[str, str]], seen: set[str]) -> list[tuple[str, str]]:
    kept = []
    for pair in pairs:
        if pair[0] not in seen:
            seen.add(pair[0])
            kept.append(pair)
    return kept


def _surname_table() -> tuple[list[tuple[str, str]], list[float]]:
    """Surnames and their weights: the common ones hold a tenth of the people (Мельник
    about 0.4%, as in Ukraine), composed stems a fifth, the syllable tail the rest."""
    seen: set[str] = set()
    common = _distinct(list(COMMON_SURNAMES), seen)
    stems = _distinct(
        [
            (stem_uk + end_uk, stem_ru + end_ru)
            for stem_uk, stem_ru in SURNAME_STEMS
            for end_uk, end_ru in SURNAME_ENDINGS
        ],
        seen,
    )
    tail = _distinct(
        [
            (first_uk + second_uk + end_uk, first_ru + second_ru + end_ru)
            for first_uk, first_ru in TAIL_FIRST_SYLLABLES
            for second_uk, second_ru in TAIL_SECOND_SYLLABLES
            for end_uk, end_ru in SURNAME_ENDINGS
        ],
        seen,
    )
    random.Random(7).shuffle(tail)
    weights: list[float] = []
    for table, mass, exponent in ((common, 0.10, 0.5), (stems, 0.20, 0.0), (tail, 0.70, 0.5)):
        raw = _zipf_weights(len(table), exponent)
        total = sum(raw)
        weights.extend(mass * w / total for w in raw)
    return [*common, *stems, *tail], weights


_SURNAMES, _SURNAME_WEIGHTS = _surname_table()
# Cumulative weights: `choices` then bisects instead of summing 13,000 weights per draw.
_SURNAME_CUMULATIVE = list(accumulate(_SURNAME_WEIGHTS))
_MALE_CUMULATIVE = list(accumulate(_zipf_weights(len(MALE_NAMES), 0.8)))
_FEMALE_CUMULATIVE = list(accumulate(_zipf_weights(len(FEMALE_NAMES), 0.8)))
# Military units hold hundreds of people each: 400 of them, a few large.
_UNITS = [f"А{number}" for number in random.Random(11).sample(range(1000, 9999), 400)]
_UNIT_CUMULATIVE = list(accumulate(_zipf_weights(len(_UNITS), 0.6)))


def _feminine(surname: str, language: int) -> str:
    """The form a woman's surname takes (-ов/-ова, -ський/-ська, -ий/-а ...)."""
    if surname.endswith(("ський", "цький")):
        return surname[:-2] + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    if surname.endswith(("ий", "ій")) and language == 0:
        return surname[:-2] + "а"
    if surname.endswith(("ый", "ий")):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "єв", "ін", "ин", "ёв", "їн")):
        return surname + "а"
    return surname


def _male_name(rng: random.Random, noise: Noise) -> tuple[str, str, str, str, str, str]:
    if rng.random() < noise.rare_given_name:
        return rng.choice(RARE_MALE_NAMES)
    return rng.choices(MALE_NAMES, cum_weights=_MALE_CUMULATIVE)[0]


def _female_name(rng: random.Random, noise: Noise) -> tuple[str, str]:
    if rng.random() < noise.rare_given_name:
        return rng.choice(RARE_FEMALE_NAMES)
    return rng.choices(FEMALE_NAMES, cum_weights=_FEMALE_CUMULATIVE)[0]


def _person(rng: random.Random, noise: Noise, reference: date) -> Person:
    female = rng.random() < noise.female
    uk_surname, ru_surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUMULATIVE)[0]
    if female:
        uk_surname, ru_surname = _feminine(uk_surname, 0), _feminine(ru_surname, 1)
        given = _female_name(rng, noise)
    else:
        given = _male_name(rng, noise)[:2]
    father = _male_name(rng, noise)
    patronymic = (father[4], father[5]) if female else (father[2], father[3])
    age_days = int(rng.triangular(18, 62, 30) * 365.25)
    return Person(
        surname=(uk_surname, ru_surname),
        given=(given[0], given[1]),
        patronymic=patronymic,
        female=female,
        born=reference - timedelta(days=age_days),
        serial_number=f"{rng.choice('АБВГДЕКМНОРСТ')}{rng.choice('АБВГДЕКМНОРСТ')}"
        f"{rng.randrange(10**6):06d}",
        unit=rng.choices(_UNITS, cum_weights=_UNIT_CUMULATIVE)[0],
    )


# --------------------------------------------------------------------------- spelling


# Latin spellings a clerk writes by hand, letter by letter: per Cyrillic letter, the
# choices of each scheme (one picked at random each time: clerks are not consistent).
# Ukrainian г is h and и is y in the Ukrainian-based schemes, g and i in the Russian ones.
_LETTERS_ANY = {
    "а": ("a",), "б": ("b",), "д": ("d",), "з": ("z",), "і": ("i",), "к": ("k",),
    "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",),
    "с": ("s",), "т": ("t",), "ф": ("f",), "ъ": ("",), "ь": ("",), "'": ("",), "э": ("e",),
    "ы": ("y",), "ґ": ("g",),
}  # fmt: skip
_SCHEMES: dict[str, dict[str, tuple[str, ...]]] = {
    # English-style, made up: y, i or j for й, kh or h for х ...
    "informal": {
        "в": ("v",), "е": ("e",), "є": ("ye", "ie", "je", "e"), "ё": ("yo", "io", "e"),
        "ж": ("zh", "j"), "и": ("y", "i"), "ї": ("yi", "i", "ji"), "й": ("y", "i", "j", ""),
        "у": ("u",), "х": ("kh", "h"), "ц": ("ts", "tz", "c"), "ч": ("ch",),
        "ш": ("sh",), "щ": ("shch", "sch", "sh"), "ю": ("yu", "iu", "ju"),
        "я": ("ya", "ia", "ja"),
    },
    # French-style (a French consulate, the ICRC): ou for у, ch for ш, tch for ч.
    "french": {
        "в": ("v",), "е": ("e",), "є": ("ie",), "ё": ("io",), "ж": ("j",), "и": ("i",),
        "ї": ("i",), "й": ("i", "ï"), "у": ("ou",), "х": ("kh",), "ц": ("ts",),
        "ч": ("tch",), "ш": ("ch",), "щ": ("chtch",), "ю": ("iou",), "я": ("ia",),
    },
    # German-style: w for в, sch for ш, tsch for ч, ch for х, s for з.
    "german": {
        "в": ("w",), "е": ("e",), "є": ("je",), "ё": ("jo",), "ж": ("sh",), "и": ("i",),
        "ї": ("ji",), "й": ("j",), "у": ("u",), "х": ("ch",), "ц": ("z",), "ч": ("tsch",),
        "ш": ("sch",), "щ": ("schtsch",), "ю": ("ju",), "я": ("ja",), "з": ("s",),
    },
    # Polish-style: w, sz, cz, ch, ł for a hard л, y for и and ы.
    "polish": {
        "в": ("w",), "е": ("e",), "є": ("je",), "ё": ("jo",), "ж": ("ż", "z"), "и": ("y",),
        "ї": ("ji",), "й": ("j",), "у": ("u",), "х": ("ch",), "ц": ("c",), "ч": ("cz",),
        "ш": ("sz",), "щ": ("szcz",), "ю": ("ju",), "я": ("ja",), "л": ("ł", "l"),
    },
}  # fmt: skip


def _by_hand(rng: random.Random, text: str, scheme: str, language: int) -> str:
    """A Latin spelling written letter by letter in one of `_SCHEMES`."""
    letters = {**_LETTERS_ANY, **_SCHEMES[scheme]}
    if language == 0:
        letters["г"] = ("h",)
        if scheme != "informal":
            letters["и"] = ("y",)
    else:
        letters["г"] = ("g",)
    out = []
    for char in text:
        choices = letters.get(char.lower())
        latin = rng.choice(choices) if choices else char
        out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


Spelling = Callable[[random.Random, str], str]


def _library(translate: Callable[[str], str]) -> Spelling:
    return lambda _rng, text: translate(text)


def _hand(scheme: str, language: int) -> Spelling:
    return lambda rng, text: _by_hand(rng, text, scheme, language)


# (spelling, weight) per language. About half from the official tables that libraries
# implement (the matcher reads two of them itself: the national 2010 system and BGN/PCGN
# for Ukrainian, ICAO 9303 and BGN/PCGN for Russian); the other half written by hand:
# made-up English-style spellings most, then Polish-, German- and French-style ones.
_UKRAINIAN_SPELLINGS: list[tuple[Spelling, float]] = [
    (_library(lambda text: translitua.translit(text, translitua.UkrainianKMU)), 0.35),
    (_library(lambda text: translitua.translit(text, translitua.UkrainianBGN)), 0.08),
    (_library(lambda text: translitua.translit(text, translitua.UkrainianPassport2007)), 0.07),
    (_library(lambda text: translitua.translit(text, translitua.UkrainianSimple)), 0.05),
    (_hand("informal", 0), 0.25),
    (_hand("polish", 0), 0.08),
    (_hand("german", 0), 0.07),
    (_hand("french", 0), 0.05),
]
_RUSSIAN_SPELLINGS: list[tuple[Spelling, float]] = [
    (_library(iuliia.ICAO_DOC_9303.translate), 0.30),
    (_library(lambda text: iuliia.BGN_PCGN.translate(text).replace("ё", "e")), 0.08),
    (
        _library(
            lambda text: translitua.translit(text, translitua.RussianInternationalPassport1997)
        ),
        0.07,
    ),
    (_library(iuliia.WIKIPEDIA.translate), 0.05),
    (_library(lambda text: translitua.translit(text, translitua.RussianGOST2006)), 0.05),
    (_hand("informal", 1), 0.25),
    (_hand("french", 1), 0.08),
    (_hand("german", 1), 0.07),
    (_hand("polish", 1), 0.05),
]

_CYRILLIC_LETTERS = "абвгдежзиклмнопрстуфхцчшщьюяіїє"
_LATIN_LETTERS = "abcdefghijklmnoprstuvyz"


def _typo(rng: random.Random, text: str) -> str:
    """One letter inserted, dropped, changed, or swapped with the next, anywhere in the
    word; the word keeps its capitals (Шевченко, not шЕвченко)."""
    if len(text) < 3:
        return text
    word = text.lower()
    at = rng.randrange(len(word))
    letters = _CYRILLIC_LETTERS if any("\u0400" <= c <= "\u04ff" for c in word) else _LATIN_LETTERS
    kind = rng.randrange(4)
    if kind == 0:
        word = word[:at] + rng.choice([c for c in letters if c != word[at]]) + word[at + 1 :]
    elif kind == 1:
        word = word[:at] + word[at + 1 :]
    elif kind == 2:
        word = word[:at] + rng.choice(letters) + word[at:]
    elif at + 1 < len(word):
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        word = word[: at - 1] + word[at] + word[at - 1]
    if text.isupper():
        return word.upper()
    return word.capitalize() if text[:1].isupper() else word


def _date_text(rng: random.Random, noise: Noise, born: date) -> str | None:
    """The birth date as this clerk writes it: maybe missing, swapped, a year off, mistyped."""
    if rng.random() < noise.no_birth_date:
        return None
    day = born
    if rng.random() < noise.day_month_swapped and born.day <= 12 and born.day != born.month:
        day = date(born.year, born.day, born.month)
    if rng.random() < noise.year_off_by_one:
        year = day.year + rng.choice((-1, 1))
        day = date(year, day.month, day.day if (day.month, day.day) != (2, 29) else 28)
    if rng.random() < noise.other_date_error:
        day = date(day.year, day.month, rng.choice([d for d in range(1, 29) if d != day.day]))
    if rng.random() < noise.dotted_dates:
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return day.isoformat()


@dataclass(frozen=True)
class _Clerk:
    """How one list is written."""

    ukrainian: float
    latin: float
    serial_number: float
    unit: float


def _written(rng: random.Random, noise: Noise, clerk: _Clerk, person: Person, pid: str) -> Record:
    language = 0 if rng.random() < clerk.ukrainian else 1
    surname = person.surname[language]
    given = person.given[language]
    patronymic = person.patronymic[language] if person.patronymic else None
    if rng.random() < noise.no_patronymic:
        patronymic = None
    if rng.random() < clerk.latin:
        spellings = _UKRAINIAN_SPELLINGS if language == 0 else _RUSSIAN_SPELLINGS
        spell = rng.choices([s for s, _ in spellings], [w for _, w in spellings])[0]
        surname, given = spell(rng, surname), spell(rng, given)
        patronymic = spell(rng, patronymic) if patronymic else None
    parts = [surname, given, patronymic]
    for index, part in enumerate(parts):
        if part and rng.random() < noise.typo_per_name_part:
            parts[index] = _typo(rng, part)
    surname, given, patronymic = parts[0] or "", parts[1] or "", parts[2]
    if rng.random() < noise.swapped:
        surname, given = given, surname
    record: Record = {"id": pid}
    if rng.random() < noise.full_name:
        order = rng.random()
        if order < 0.6:
            words = [surname, given, patronymic]
        elif order < 0.85:
            words = [given, patronymic, surname]
        else:
            words = [surname.upper(), given, patronymic]
        record["name"] = " ".join(w for w in words if w)
    else:
        record["surname"] = surname
        record["given_name"] = given
        if patronymic:
            record["patronymic"] = patronymic
    born = _date_text(rng, noise, person.born)
    if born:
        record["birth_date"] = born
    if rng.random() < clerk.serial_number:
        serial = person.serial_number
        if rng.random() < noise.serial_typo:
            serial = _typo(rng, serial)
        record["serial_number"] = serial
    if rng.random() < clerk.unit:
        record["unit"] = ("в/ч " if rng.random() < 0.5 else "") + person.unit
    return record


def _namesake(rng: random.Random, noise: Noise, person: Person) -> Person:
    """Another person with the same surname and given name."""
    same_year = rng.random() < noise.namesake_same_year
    while True:
        if same_year:  # another day of the same calendar year
            first = date(person.born.year, 1, 1)
            days = (date(person.born.year, 12, 31) - first).days
            born = first + timedelta(days=rng.randrange(days + 1))
        else:  # another year, one to twenty years apart
            born = person.born + timedelta(days=rng.choice((-1, 1)) * rng.randrange(366, 365 * 20))
        if born != person.born and (born.year == person.born.year) == same_year:
            break
    father = _male_name(rng, noise)
    patronymic = (
        person.patronymic
        if rng.random() < noise.namesake_same_patronymic
        else ((father[4], father[5]) if person.female else (father[2], father[3]))
    )
    return Person(
        surname=person.surname,
        given=person.given,
        patronymic=patronymic,
        female=person.female,
        born=born,
        serial_number=f"ЖЖ{rng.randrange(10**6):06d}",
        unit=person.unit
        if rng.random() < 0.3
        else rng.choices(_UNITS, cum_weights=_UNIT_CUMULATIVE)[0],
    )


def generate_lists(
    held_size: int, requested_size: int, seed: int, noise: Noise | None = None
) -> SyntheticLists:
    """Held, requested and exchanged lists of synthetic people, and who is who."""
    noise = noise or Noise()
    rng = random.Random(f"reconciliation:{seed}:{held_size}:{requested_size}")
    reference = date(2025, 6, 1)
    held_clerk = _Clerk(
        noise.held_ukrainian, noise.held_latin, noise.serial_number_held, noise.unit_held
    )
    requested_clerk = _Clerk(
        noise.requested_ukrainian,
        noise.requested_latin,
        noise.serial_number_requested,
        noise.unit_requested,
    )
    held_people: list[Person] = []
    requested_people: list[tuple[Person, int | None]] = []  # (person, index in held_people)
    matched = min(held_size, round(requested_size * (1 - noise.requested_not_held)))
    for _ in range(matched):
        person = _person(rng, noise, reference)
        requested_people.append((person, len(held_people)))
        held_people.append(person)
    for _ in range(requested_size - matched):
        requested_people.append((_person(rng, noise, reference), None))
    decoys = [
        _namesake(rng, noise, person)
        for person, _ in requested_people
        if rng.random() < noise.namesakes
    ]
    held_people.extend(decoys[: max(0, held_size - len(held_people))])
    while len(held_people) < held_size:
        held_people.append(_person(rng, noise, reference))
    order = list(range(len(held_people)))
    rng.shuffle(order)
    held_id_of = {index: f"H-{rank + 1:06d}" for rank, index in enumerate(order)}

    truth = Truth()
    held: list[Record] = []
    copies: dict[int, list[str]] = {}
    for index in order:
        person = held_people[index]
        held.append(_written(rng, noise, held_clerk, person, held_id_of[index]))
        copies[index] = [held_id_of[index]]
    duplicated = [i for i in order if rng.random() < noise.held_duplicates]
    for number, index in enumerate(duplicated, start=1):
        copy_id = f"H-D{number:05d}"
        held.append(_written(rng, noise, held_clerk, held_people[index], copy_id))
        truth.duplicates.append((held_id_of[index], copy_id))
        copies[index].append(copy_id)
    rng.shuffle(held)

    requested: list[Record] = []
    for number, (person, held_index) in enumerate(requested_people, start=1):
        requested_id = f"R-{number:06d}"
        requested.append(_written(rng, noise, requested_clerk, person, requested_id))
        truth.match_of[requested_id] = set(copies[held_index]) if held_index is not None else set()
    rng.shuffle(requested)

    registry_clerk = _Clerk(0.5, 0.2, 0.3, 0.1)
    exchanged: list[Record] = []
    for index in order:
        if rng.random() < noise.already_exchanged:
            registry_id = f"X-{len(exchanged) + 1:06d}"
            record = _written(rng, noise, registry_clerk, held_people[index], registry_id)
            exchanged.append(record)
            for held_id in copies[index]:
                truth.exchanged_of[held_id] = registry_id
    for _ in range(round(held_size * noise.registry_others)):
        registry_id = f"X-{len(exchanged) + 1:06d}"
        person = _person(rng, noise, reference)
        exchanged.append(_written(rng, noise, registry_clerk, person, registry_id))
    rng.shuffle(exchanged)
    return SyntheticLists(held, requested, exchanged, truth)
