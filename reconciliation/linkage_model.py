"""The linkage model as data: comparisons, blocking rules and training, in one place.

A Fellegi-Sunter model (Splink) scores a pair of records by comparing them field by
field. Each comparison has levels, most specific first; a pair hits the first level
whose condition holds, and the level's label is the evidence shown to a mediator
("surname: same_transliteration"). Conditions are written in DuckDB's SQL on the key
columns of `reconciliation.identity_keys` (`_l`, `_r` for the two records); Splink
translates them for Spark, so one model runs on either backend. The starting m
probabilities are rough priors; expectation maximisation learns the real ones from the
lists at hand, and the u probabilities come from random pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LevelKind = Literal["exact", "sql", "arrays_share", "jaro_winkler", "levenshtein", "else"]


@dataclass(frozen=True)
class Level:
    """One level of a comparison: its evidence label, its test, and its priors.

    `m` (how often one person's two records land here) and `u` (how often two people's
    do) start the training; EM learns m and random pairs u. Lists too short to learn
    from (`MIN_PAIRS_TO_TRAIN`) are scored with the priors alone; the u priors are what
    training found on the benchmark's lists of 10,000 x 2,000.
    """

    label: str
    kind: LevelKind
    m: float
    u: float
    column: str | None = None  # for exact, arrays_share, jaro_winkler, levenshtein
    sql: str | None = None  # for sql
    threshold: float = 0.0  # similarity (jaro_winkler) or distance (levenshtein)
    term_frequency_column: str | None = None  # frequent values weigh less (Шевченко)
    fixed: bool = False  # too rare to learn (swapped names, mostly repaired before): m kept


@dataclass(frozen=True)
class Comparison:
    """A field compared: missing on either side is its null level (no evidence)."""

    field: str  # the evidence key, the field a mediator knows
    null_column: str  # the comparison is null when this column is, on either side
    levels: tuple[Level, ...]  # most specific first; the last is `else`


def _else(m: float, u: float) -> Level:
    return Level("different", "else", m, u)


_SWAPPED = "surname_key_l = given_key_r AND given_key_l = surname_key_r"
# One letter inserted, dropped or changed, on keys long enough that one letter leaves
# most of the name (Іван and Ян, two letters apart in four, are not one name).
_ONE_LETTER_OFF = "levenshtein({key}_l, {key}_r) <= 1 AND length({key}_l) >= {length}"

_NEAR_EQUIVALENT = (
    "list_contains(given_near_l, given_class_r) OR list_contains(given_near_r, given_class_l)"
)

# Frequent values weigh less (Шевченко, Олександр): on levels that test equality of one
# column, that column's frequency takes the place of u (Splink's term frequencies).
# Only there: on a level below another, such as a skeleton agreeing where the spelling
# did not, the frequency of the whole value would overstate u many times over.
COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "surname",
        "surname_key",
        (
            Level("exact", "exact", 0.55, 0.014, column="surname_exact",
                  term_frequency_column="surname_exact"),
            Level("same_transliteration", "arrays_share", 0.12, 0.007, column="surname_latin"),
            # A skeleton in common, a Latin name read by English, German, Polish or
            # French rules (`spelling.readings`).
            Level("same_skeleton", "arrays_share", 0.18, 0.001, column="surname_readings"),
            Level("same_consonants", "exact", 0.03, 0.002, column="surname_consonants"),
            Level("swapped_with_given_name", "sql", 0.01, 1e-6, sql=_SWAPPED, fixed=True),
            Level("similar", "jaro_winkler", 0.06, 0.002, column="surname_key", threshold=0.92),
            # A typo anywhere, the first letter too (where Jaro-Winkler is harshest).
            Level("one_letter_off", "sql", 0.02, 0.0003, sql=_ONE_LETTER_OFF.format(
                key="surname_key", length=5)),
            Level("roughly_similar", "jaro_winkler", 0.03, 0.012, column="surname_key",
                  threshold=0.84),
            # One consonant off, the vowels aside: a typo on top of the Ukrainian against
            # the Russian vowels (Дарівишин, Даевишин), which no level above survives.
            Level("consonants_one_off", "sql", 0.02, 0.0005, sql=_ONE_LETTER_OFF.format(
                key="surname_consonants", length=4)),
            _else(0.03, 0.962),
        ),
    ),
    Comparison(
        "given_name",
        "given_key",
        (
            Level("exact", "exact", 0.5, 0.02, column="given_exact",
                  term_frequency_column="given_exact"),
            Level("same_transliteration", "arrays_share", 0.1, 0.009, column="given_latin"),
            Level("equivalent_name", "exact", 0.3, 0.042, column="given_class",
                  term_frequency_column="given_class"),
            Level("swapped_with_surname", "sql", 0.01, 1e-6, sql=_SWAPPED, fixed=True),
            Level("similar", "jaro_winkler", 0.04, 0.0004, column="given_key", threshold=0.9),
            Level("one_letter_off", "sql", 0.03, 0.0008, sql=_ONE_LETTER_OFF.format(
                key="given_key", length=4)),
            # A typo on top of the other language's form (Авло and Павел, Рётр and Петро):
            # one name is one typo from a spelling of the other's equivalents.
            Level("one_typo_from_equivalent", "sql", 0.03, 0.002, sql=_NEAR_EQUIVALENT),
            _else(0.03, 0.93),
        ),
    ),
    Comparison(
        "patronymic",
        "patronymic_key",
        (
            Level("exact", "exact", 0.5, 0.025, column="patronymic_exact",
                  term_frequency_column="patronymic_exact"),
            Level("equivalent_name", "exact", 0.38, 0.044, column="patronymic_class",
                  term_frequency_column="patronymic_class"),
            Level("similar", "jaro_winkler", 0.07, 0.015, column="patronymic_key",
                  threshold=0.9),
            _else(0.05, 0.916),
        ),
    ),
    Comparison(
        "birth_date",
        "birth_date",
        (
            Level("exact", "exact", 0.86, 1e-4, column="birth_date"),
            Level(
                "day_month_swapped", "sql", 0.03, 3e-5,
                sql="birth_year_l = birth_year_r AND birth_month_l = birth_day_r "
                "AND birth_day_l = birth_month_r",
            ),
            Level(
                "year_off_by_one", "sql", 0.03, 1.5e-4,
                sql="birth_month_l = birth_month_r AND birth_day_l = birth_day_r "
                "AND abs(birth_year_l - birth_year_r) = 1",
            ),
            Level(
                "same_year_and_month", "sql", 0.02, 0.0025,
                sql="birth_year_l = birth_year_r AND birth_month_l = birth_month_r",
            ),
            Level("same_year", "sql", 0.02, 0.028, sql="birth_year_l = birth_year_r"),
            _else(0.04, 0.969),
        ),
    ),
    Comparison(
        "serial_number",
        "serial_number_key",
        (
            Level("exact", "exact", 0.9, 2e-5, column="serial_number_key"),
            Level("one_character_off", "levenshtein", 0.06, 1e-5, column="serial_number_key",
                  threshold=1),
            _else(0.04, 0.99997),
        ),
    ),
    Comparison(
        "unit",
        "unit_key",
        (
            Level("exact", "exact", 0.8, 0.005, column="unit_key"),
            Level("similar", "jaro_winkler", 0.1, 0.005, column="unit_key", threshold=0.9),
            _else(0.1, 0.99),
        ),
    ),
    Comparison(
        "birth_place",
        "birth_place_key",
        (
            Level("exact", "exact", 0.8, 0.02, column="birth_place_key"),
            Level("similar", "jaro_winkler", 0.1, 0.01, column="birth_place_key",
                  threshold=0.9),
            _else(0.1, 0.97),
        ),
    ),
)  # fmt: skip

# Birth dates are the main guard of precision: a pair whose dates are both given and
# disagree beyond these levels is never decided without a person (`decisions`).
DATE_LEVELS_THAT_MAY_AGREE = frozenset({"exact", "day_month_swapped", "year_off_by_one"})

# What counts as agreement when `decisions` asks whether a pair is corroborated: both
# names agree, and one more field that tells people apart (date, patronymic, number).
AGREEING_LEVELS: dict[str, frozenset[str]] = {
    "surname": frozenset(
        {"exact", "same_transliteration", "same_skeleton", "same_consonants",
         "swapped_with_given_name", "similar", "one_letter_off", "consonants_one_off",
         "roughly_similar"}
    ),
    "given_name": frozenset(
        {"exact", "same_transliteration", "equivalent_name", "swapped_with_surname", "similar",
         "one_letter_off", "one_typo_from_equivalent"}
    ),
    "patronymic": frozenset({"exact", "equivalent_name", "similar"}),
    "birth_date": DATE_LEVELS_THAT_MAY_AGREE,
    "serial_number": frozenset({"exact", "one_character_off"}),
}  # fmt: skip

# Pairs to score: each rule lets a pair through when it holds. Together they keep recall
# high without comparing everyone with everyone: a surname typo is caught by the given
# name and patronymic rules, a wrong birth year by surname with month and day, a name
# in the wrong field by the swapped rule, a missing date by surname with given name, a
# surname typo with a year off by given name (or patronymic) with month and day, both
# names beyond their keys by the birth date alone, a surname typo with a
# missing date by given name, patronymic and the surname's first letters, a given-name
# typo with a missing date by surname and patronymic; a surname is
# compared by its consonants, which the Ukrainian і against Russian е/о (Білоус,
# Белоус) leaves alone.
_SURNAME_AND_YEAR = "l.surname_consonants = r.surname_consonants AND l.birth_year = r.birth_year"
_SURNAME_AND_DAY = (
    "l.surname_consonants = r.surname_consonants AND l.birth_month = r.birth_month "
    "AND l.birth_day = r.birth_day"
)
_SURNAME_AND_GIVEN = "l.surname_consonants = r.surname_consonants AND l.given_class = r.given_class"
_GIVEN_AND_MONTH = (
    "l.given_class = r.given_class AND l.birth_year = r.birth_year "
    "AND l.birth_month = r.birth_month"
)
_GIVEN_AND_PATRONYMIC = (
    "l.given_class = r.given_class AND l.patronymic_class = r.patronymic_class "
    "AND l.birth_year = r.birth_year"
)
_SWAPPED_NAMES = "l.surname_key = r.given_key AND l.given_key = r.surname_key"
_SERIAL_NUMBER = "l.serial_number_key = r.serial_number_key"
# Born the same day, whatever the names: a few pairs per person even on 100,000 people
# (16,000 birthdays in 44 years), and the only rule left when a typo and the other
# language's spelling leave neither name's keys equal.
_SAME_BIRTH_DATE = "l.birth_date = r.birth_date"
_DATE_AND_INITIALS = (
    "l.birth_date = r.birth_date AND substr(l.surname_key, 1, 2) = substr(r.surname_key, 1, 2)"
)
_DATE_AND_GIVEN = "l.birth_date = r.birth_date AND l.given_class = r.given_class"
_PATRONYMIC_AND_DAY = (
    "l.patronymic_class = r.patronymic_class AND l.birth_month = r.birth_month "
    "AND l.birth_day = r.birth_day"
)
_GIVEN_AND_DAY = (
    "l.given_class = r.given_class AND l.birth_month = r.birth_month AND l.birth_day = r.birth_day"
)
_SURNAME_AND_PATRONYMIC = (
    "l.surname_consonants = r.surname_consonants AND l.patronymic_class = r.patronymic_class"
)
_GIVEN_PATRONYMIC_AND_INITIALS = (
    "l.given_class = r.given_class AND l.patronymic_class = r.patronymic_class "
    "AND substr(l.surname_key, 1, 2) = substr(r.surname_key, 1, 2)"
)

BLOCKING_RULES: tuple[str, ...] = (
    _SURNAME_AND_YEAR,
    _SURNAME_AND_DAY,
    _SURNAME_AND_GIVEN,
    _GIVEN_AND_MONTH,
    _GIVEN_AND_PATRONYMIC,
    _SWAPPED_NAMES,
    _SERIAL_NUMBER,
    _SAME_BIRTH_DATE,
    _GIVEN_AND_DAY,
    _PATRONYMIC_AND_DAY,
    _GIVEN_PATRONYMIC_AND_INITIALS,
    _SURNAME_AND_PATRONYMIC,
)

# Within the held list (100,000 people: five billion pairs) the widest rules, given name
# with year and month or with month and day of birth, the birth date alone, patronymic
# with month and day, are left out (they would double the pairs): a person listed twice
# is written by the same clerks, so the surname seldom differs so much that no other
# rule finds the pair; the birth date goes with the surname's first letters or the given
# name instead.
_WIDEST = (_GIVEN_AND_MONTH, _GIVEN_AND_DAY, _SAME_BIRTH_DATE, _PATRONYMIC_AND_DAY)
DUPLICATE_BLOCKING_RULES: tuple[str, ...] = (
    *(rule for rule in BLOCKING_RULES if rule not in _WIDEST),
    _DATE_AND_INITIALS,
    _DATE_AND_GIVEN,
)


@dataclass(frozen=True)
class SureRule:
    """Pairs that surely match, to estimate how often two random records do, with the
    share of true matches the rule is expected to catch, and the key columns it needs
    on both lists."""

    rule: str
    recall: float
    needs: frozenset[str]


# The first rule whose columns both lists give is used. Lists without birth dates (a
# side that asks by name only) fall back on the full name; such a rule catches more
# namesakes, so its count is an overestimate that the one-to-one step corrects (it
# learns the share of requested people who are held from the candidates themselves).
SURE_RULES: tuple[SureRule, ...] = (
    SureRule(
        "l.surname_key = r.surname_key AND l.given_class = r.given_class "
        "AND l.birth_date = r.birth_date",
        0.7,
        frozenset({"surname_key", "given_class", "birth_date"}),
    ),
    SureRule(
        "l.surname_key = r.surname_key AND l.given_class = r.given_class "
        "AND l.patronymic_class = r.patronymic_class",
        0.5,
        frozenset({"surname_key", "given_class", "patronymic_class"}),
    ),
    SureRule(
        "l.surname_key = r.surname_key AND l.given_class = r.given_class",
        0.8,
        frozenset({"surname_key", "given_class"}),
    ),
)


@dataclass(frozen=True)
class TrainingBlock:
    """One expectation maximisation session: its rule, and the columns it needs."""

    rule: str
    needs: frozenset[str]


# Expectation maximisation, one session per rule: each learns the comparisons its rule
# does not fix (names from pairs born the same day; dates and the rest from pairs with
# the same surname and given name). A session whose columns a list lacks is skipped:
# the comparisons it would have taught keep their priors.
TRAINING_BLOCKS: tuple[TrainingBlock, ...] = (
    TrainingBlock(
        "l.surname_key = r.surname_key AND l.given_class = r.given_class",
        frozenset({"surname_key", "given_class"}),
    ),
    TrainingBlock("l.birth_date = r.birth_date", frozenset({"birth_date"})),
)
# Without birth dates on both lists, the names are learnt from pairs that share the
# other two name parts instead (surname from given name and patronymic; given name from
# surname and patronymic): left at their priors, the name levels would weigh an exact
# spelling far above the other language's form of the same name.
TRAINING_BLOCKS_WITHOUT_DATES: tuple[TrainingBlock, ...] = (
    TrainingBlock(
        "l.given_class = r.given_class AND l.patronymic_class = r.patronymic_class",
        frozenset({"given_class", "patronymic_class"}),
    ),
    TrainingBlock(
        "l.surname_consonants = r.surname_consonants AND l.patronymic_class = r.patronymic_class",
        frozenset({"surname_consonants", "patronymic_class"}),
    ),
)
U_SAMPLE_PAIRS = 1_200_000
# Fewer possible pairs than this, and random pairs say little and EM has nothing to
# learn from: the priors of COMPARISONS are used as they are.
MIN_PAIRS_TO_TRAIN = 250_000
# After training, no level's m may fall below M_FLOOR: a synthetic or small list can
# teach EM that, say, units never differ, and one field would then veto any pair. And
# no u below U_FLOOR, so that no single agreement counts for more than about 23 bits.
M_FLOOR = 0.005
U_FLOOR = 1e-7


def comparisons_for(columns_present: frozenset[str]) -> tuple[Comparison, ...]:
    """The comparisons whose field both lists give: the rest would only add nulls."""
    return tuple(c for c in COMPARISONS if c.null_column in columns_present)


def sure_rule_for(columns_present: frozenset[str]) -> SureRule | None:
    return next((r for r in SURE_RULES if r.needs <= columns_present), None)


def training_blocks_for(columns_present: frozenset[str]) -> tuple[TrainingBlock, ...]:
    """The sessions both lists have the columns for (see TRAINING_BLOCKS)."""
    blocks = TRAINING_BLOCKS
    if "birth_date" not in columns_present:
        blocks = (TRAINING_BLOCKS[0], *TRAINING_BLOCKS_WITHOUT_DATES)
    return tuple(block for block in blocks if block.needs <= columns_present)


def blocking_rules_for(
    columns_present: frozenset[str], rules: tuple[str, ...] = BLOCKING_RULES
) -> tuple[str, ...]:
    """The rules whose columns both lists give (a rule on a column one list lacks
    would find no pair)."""
    return tuple(rule for rule in rules if _columns_of(rule) <= columns_present)


def _columns_of(rule: str) -> set[str]:
    """The key columns a rule reads (`l.x`, `r.x`)."""
    return set(re.findall(r"\b[lr]\.([a-z_]+)", rule))


def level_labels(comparison: Comparison) -> dict[int, str]:
    """Evidence label by the comparison vector value Splink gives each level (-1: null)."""
    count = len(comparison.levels)
    labels = {-1: "missing"}
    for index, level in enumerate(comparison.levels):
        labels[count - 1 - index] = level.label
    return labels
