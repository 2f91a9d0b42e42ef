"""Seeded synthetic lists for reconciliation: held, requested, exchanged, and the truth.

Each synthetic person has a surname, a given name and a father's name in Ukrainian and in
Russian, a birth date, and for some a service number and a unit. Each list writes each
of its people once, the way one clerk would: in one language's forms, in Cyrillic or in
one of several Latin spellings, as separate fields or as one full name in some order,
and with the noise below. The rates are `Noise`'s defaults, documented there and in
benchmarks/README.md; the same seed gives the same lists, byte for byte.
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
    typo_per_name_part: float = 0.04  # one letter inserted, dropped, changed or swapped
    day_month_swapped: float = 0.03  # only where the day is 12 or less
    year_off_by_one: float = 0.03
    # A mistyped day: not among the kinds of noise, so 0 by default; such a
    # pair always goes to review (its dates disagree beyond a swap or a year).
    other_date_error: float = 0.0
    no_birth_date: float = 0.03
    dotted_dates: float = 0.5  # DD.MM.YYYY instead of YYYY-MM-DD
    namesakes: float = 0.05  # per requested: a held namesake with another birth date
    namesake_same_year: float = 0.3  # of those, born the same year
    namesake_same_patronymic: float = 0.3
    held_duplicates: float = 0.02  # per held: listed a second time
    already_exchanged: float = 0.011  # per held: also in the registry (7 of 630 in a real list)
    registry_others: float = 0.02  # registry people not held, per held
    female: float = 0.08
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


def _person(rng: random.Random, noise: Noise, reference: date) -> Person:
    female = rng.random() < noise.female
    uk_surname, ru_surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUMULATIVE)[0]
    if female:
        uk_surname, ru_surname = _feminine(uk_surname, 0), _feminine(ru_surname, 1)
        given = rng.choices(FEMALE_NAMES, cum_weights=_FEMALE_CUMULATIVE)[0]
    else:
        given = rng.choices(MALE_NAMES, cum_weights=_MALE_CUMULATIVE)[0][:2]
    father = rng.choices(MALE_NAMES, cum_weights=_MALE_CUMULATIVE)[0]
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


def _informal(text: str, language: int) -> str:
    """The English-style spelling a clerk makes up: y for й, kh, ya, yu, sch for щ."""
    common = {
        "а": "a", "б": "b", "в": "v", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ё": "yo",
        "ж": "zh", "з": "z", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
        "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
        "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "",
        "э": "e", "ю": "yu", "я": "ya", "'": "",
    }  # fmt: skip
    common["г"] = "h" if language == 0 else "g"
    common["и"] = "y" if language == 0 else "i"
    out = []
    for char in text:
        latin = common.get(char.lower(), char)
        out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


# (spelling, weight) per language: the official standards most, informal and foreign
# schemes (German, Polish-like, French) least.
_UKRAINIAN_SPELLINGS: list[tuple[Callable[[str], str], float]] = [
    (lambda text: translitua.translit(text, translitua.UkrainianKMU), 0.45),
    (lambda text: translitua.translit(text, translitua.UkrainianBGN), 0.1),
    (lambda text: translitua.translit(text, translitua.UkrainianPassport2007), 0.1),
    (lambda text: _informal(text, 0), 0.2),
    (lambda text: translitua.translit(text, translitua.UkrainianSimple), 0.07),
    (lambda text: translitua.translit(text, translitua.UkrainianWWS), 0.05),
    (lambda text: translitua.translit(text, translitua.UkrainianGerman), 0.03),
]
_RUSSIAN_SPELLINGS: list[tuple[Callable[[str], str], float]] = [
    (iuliia.ICAO_DOC_9303.translate, 0.35),
    (lambda text: iuliia.BGN_PCGN.translate(text).replace("ё", "e"), 0.1),
    (lambda text: translitua.translit(text, translitua.RussianInternationalPassport1997), 0.1),
    (iuliia.WIKIPEDIA.translate, 0.1),
    (lambda text: _informal(text, 1), 0.2),
    (lambda text: translitua.translit(text, translitua.RussianSimple), 0.1),
    (lambda text: translitua.translit(text, translitua.RussianGOST2006), 0.05),
]

_CYRILLIC_LETTERS = "абвгдежзиклмнопрстуфхцчшщьюяіїє"
_LATIN_LETTERS = "abcdefghijklmnoprstuvyz"


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    at = rng.randrange(1, len(text))
    letters = _CYRILLIC_LETTERS if any("\u0400" <= c <= "\u04ff" for c in text) else _LATIN_LETTERS
    kind = rng.randrange(4)
    if kind == 0:
        return text[:at] + rng.choice(letters) + text[at + 1 :]
    if kind == 1:
        return text[:at] + text[at + 1 :]
    if kind == 2:
        return text[:at] + text[at] + text[at:]
    if at + 1 < len(text):
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    return text


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
        surname, given = spell(surname), spell(given)
        patronymic = spell(patronymic) if patronymic else None
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
        shift = rng.randrange(1, 365) if same_year else rng.randrange(366, 365 * 20)
        born = person.born + timedelta(days=rng.choice((-1, 1)) * shift)
        if born != person.born:
            break
    father = rng.choices(MALE_NAMES, cum_weights=_MALE_CUMULATIVE)[0]
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
