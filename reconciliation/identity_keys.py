"""Each record's comparable keys: the table the linkage model reads.

Per name part: the cleaned original (for "exact"), its Latin spellings under the
standards (for "same transliteration"), its spelling skeleton, and for given names and
patronymics the class of the table of equivalents. Birth dates as year, month and day
(so that a day/month swap or a year off by one is plain arithmetic on any SQL backend).
Everything is computed here, in Python, once per distinct spelling: the backend only
compares columns, so DuckDB and Spark run the same model on the same table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa

from reconciliation.given_names import GivenNameTable, given_name_table
from reconciliation.languages import language_of
from reconciliation.name_order import name_parts
from reconciliation.schema import IdentityRecord
from reconciliation.spelling import clean_name, consonants, readings, skeleton
from reconciliation.transliteration import renderings

_CYRILLIC_LOOKALIKES = str.maketrans("авекмнорстухіј", "abekmhopctyxij")
_NOT_ALNUM = re.compile(r"[^0-9a-z\u0400-\u04ff]+")
_NUMBERED = re.compile(r"[^\W_]*\d[^\W_]*")

KEY_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("unique_id", pa.string()),
    ("surname_exact", pa.string()),
    ("surname_latin", pa.list_(pa.string())),
    ("surname_key", pa.string()),
    ("surname_readings", pa.list_(pa.string())),
    ("surname_consonants", pa.string()),
    ("given_exact", pa.string()),
    ("given_latin", pa.list_(pa.string())),
    ("given_key", pa.string()),
    ("given_class", pa.string()),
    ("given_near", pa.list_(pa.string())),
    ("patronymic_exact", pa.string()),
    ("patronymic_key", pa.string()),
    ("patronymic_class", pa.string()),
    ("birth_date", pa.string()),
    ("birth_year", pa.int32()),
    ("birth_month", pa.int32()),
    ("birth_day", pa.int32()),
    ("birth_place_key", pa.string()),
    ("serial_number_key", pa.string()),
    ("unit_key", pa.string()),
    ("name_reordered", pa.bool_()),
)


@dataclass(frozen=True)
class _NameKeys:
    exact: str | None
    latin: list[str] | None
    key: str | None
    readings: list[str] | None  # the skeleton, and a Latin name's other readings
    consonants: str | None


@lru_cache(maxsize=1 << 17)
def _name_keys(cleaned: str | None) -> _NameKeys:
    if not cleaned:
        return _NameKeys(None, None, None, None, None)
    latin = [spelling.replace(" ", "") for spelling in renderings(cleaned, language_of(cleaned))]
    key = skeleton(cleaned)
    read = [reading for reading in readings(cleaned) if reading]
    return _NameKeys(cleaned, latin or None, key or None, read or None, consonants(key) or None)


def _class_of(
    lookup: Callable[[str], str | None],
    keys: _NameKeys,
    by_spelling: Callable[[str], str | None],
) -> str | None:
    """The class of the first reading the table knows, else of the spelling as written
    (a typo the skeleton blurs, `GivenNameTable.class_of_spelling`), else the skeleton
    itself."""
    for reading in keys.readings or ():
        found = lookup(reading)
        if found is not None:
            return found
    if keys.exact:
        found = by_spelling(keys.exact)
        if found is not None:
            return found
    return keys.key


def serial_number_key(text: str | None) -> str | None:
    """Letters and digits only, Cyrillic lookalike letters read as Latin (АВ 123 = AB123)."""
    if not text:
        return None
    key = _NOT_ALNUM.sub("", text.casefold().translate(_CYRILLIC_LOOKALIKES))
    return key or None


def unit_key(text: str | None) -> str | None:
    """A unit by its number, with the letters written next to it ("в/ч А1234", "A1234"
    and "military unit А-1234" are one unit); a unit without a number by its words."""
    if not text:
        return None
    folded = text.casefold().translate(_CYRILLIC_LOOKALIKES).replace("-", "")
    numbered = _NUMBERED.findall(folded)
    if numbered:
        return " ".join(numbered)
    return skeleton(clean_name(text)) or None


def place_key(text: str | None) -> str | None:
    """A place by the consonants of its skeleton: Київ and Киев, Харків and Харьков,
    Львів and Львов differ only in their vowels."""
    if not text:
        return None
    return consonants(skeleton(clean_name(text))) or None


def keys_of(records: Sequence[IdentityRecord], table: GivenNameTable | None = None) -> pa.Table:
    """The key table of a list, one row per record, in order."""
    table = table or given_name_table()
    rows = [_row(record, table) for record in records]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in KEY_COLUMNS]
    return pa.table(
        {name: list(column) for (name, _), column in zip(KEY_COLUMNS, columns, strict=True)},
        schema=pa.schema(list(KEY_COLUMNS)),
    )


def _row(record: IdentityRecord, table: GivenNameTable) -> tuple[object, ...]:
    """One record's keys, in the order of KEY_COLUMNS."""
    parts = name_parts(table, record.name, record.surname, record.given_name, record.patronymic)
    surname = _name_keys(parts.surname)
    given = _name_keys(parts.given_name)
    patronymic = _name_keys(parts.patronymic)
    born = record.birth_date
    given_class = _class_of(
        table.given_class, given, lambda text: table.class_of_spelling(text, "given")
    )
    patronymic_class = _class_of(
        table.patronymic_class,
        patronymic,
        lambda text: table.class_of_spelling(text, "patronymic"),
    )
    return (
        record.id,
        surname.exact,
        surname.latin,
        surname.key,
        surname.readings,
        surname.consonants,
        given.exact,
        given.latin,
        given.key,
        given_class,
        table.classes_near(given.exact) or None if given.exact else None,
        patronymic.exact,
        patronymic.key,
        patronymic_class,
        born.isoformat() if born else None,
        born.year if born else None,
        born.month if born else None,
        born.day if born else None,
        place_key(record.birth_place) if record.birth_place else None,
        serial_number_key(record.serial_number) if record.serial_number else None,
        unit_key(record.unit) if record.unit else None,
        parts.reordered,
    )
