"""Reading the three lists into identity records, with every problem named at once.

A person fixing a list needs side (which list), id, field and rule for each defect, and
nothing else: messages are written here and never quote a cell, since the cells are names
and birth dates. A list with any problem is refused whole; nothing of it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from reconciliation.birth_dates import UnreadableDateError, parse_birth_date
from reconciliation.schema import (
    DETAINEE_ONLY_FIELDS,
    IDENTITY_FIELDS,
    NAME_FIELDS,
    IdentityRecord,
    ListRole,
)

_ID_MAX = 64
_TEXT_MAX = 500
# Service numbers and units are often typed as numbers in JSON; they are read as text.
_NUMBER_AS_TEXT = frozenset({"serial_number", "unit"})
# A key or column the reader does not know is named back only when it looks like a field
# name: lowercase ASCII letters, digits and underscores, at most 40, as the service's
# error bodies name fields. Anything else (a header row that is really a person's row,
# `Шевченко Тарас`, `09.03.1814`, or a surname in Latin letters, `Smith`) is named by
# position.
_FIELD_NAME_LIKE = re.compile(r"[a-z_][a-z0-9_]{0,39}")


class ListProblem(BaseModel):
    """One defect of a list: which list (`side`), which record, which field, which rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    side: ListRole
    id: str | None
    field: str
    rule: str
    message: str
    row: int | None = None


class InvalidLists(ValueError):  # noqa: N818 - named like solver.input_errors.InvalidRequest
    """The lists cannot be reconciled as sent; `problems` names every defect found."""

    def __init__(self, problems: Sequence[ListProblem]) -> None:
        self.problems = list(problems)
        super().__init__(problems_as_text(self.problems))


def problems_as_text(problems: Sequence[ListProblem], limit: int | None = None) -> str:
    shown = problems if limit is None else problems[:limit]
    lines = [_line(problem) for problem in shown]
    if limit is not None and len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n".join(lines)


def _line(problem: ListProblem) -> str:
    where: list[str] = [problem.side]
    if problem.row is not None:
        where.append(f"row {problem.row}")
    if problem.id is not None:
        where.append(f"id {problem.id}")
    return f"{', '.join(where)}: {problem.field}: {problem.message} [{problem.rule}]"


def shown_field(name: str, position: int) -> str:
    """How a problem names an unknown key or column: as written if it looks like a field
    name, else `column N` (its 1-based position), so that no cell is ever quoted."""
    return name if _FIELD_NAME_LIKE.fullmatch(name) else f"column {position}"


def allowed_fields(role: ListRole) -> tuple[str, ...]:
    """Held records are detainee records; the other lists carry identity fields only."""
    base = ("id", *IDENTITY_FIELDS)
    return (*base, *DETAINEE_ONLY_FIELDS) if role == "held" else base


@dataclass(frozen=True)
class ReadList:
    """A list's records, in order, and the problems found (empty when usable)."""

    records: list[IdentityRecord]
    problems: list[ListProblem]


def read_records(
    role: ListRole, entries: Sequence[object], rows: Sequence[int] | None = None
) -> ReadList:
    """Check and convert one list; `rows` gives each entry's line in its file, if any."""
    allowed = frozenset(allowed_fields(role))
    records: list[IdentityRecord] = []
    problems: list[ListProblem] = []
    unknown_reported: set[str] = set()
    names_seen = False
    for index, entry in enumerate(entries):
        row = rows[index] if rows is not None else None
        if not isinstance(entry, Mapping):
            problems.append(
                ListProblem(
                    side=role,
                    id=None,
                    field=f"[{index}]",
                    rule="not_a_record",
                    message="each entry must be an object of fields",
                    row=row,
                )
            )
            continue
        record, found = _record(role, entry, allowed, unknown_reported, index, row)
        problems.extend(found)
        names_seen = names_seen or any(entry.get(field) for field in NAME_FIELDS)
        if record is not None:
            records.append(record)
    problems.extend(_duplicate_ids(role, entries, rows))
    if entries and not names_seen:
        problems.append(
            ListProblem(
                side=role,
                id=None,
                field="name",
                rule="no_name_field",
                message="no record has a name: give `name`, or `surname` and `given_name`",
            )
        )
    return ReadList(records if not problems else [], problems)


def _record(
    role: ListRole,
    entry: Mapping[object, object],
    allowed: frozenset[str],
    unknown_reported: set[str],
    index: int,
    row: int | None,
) -> tuple[IdentityRecord | None, list[ListProblem]]:
    raw_id = entry.get("id")
    record_id = raw_id if isinstance(raw_id, str) and 1 <= len(raw_id) <= _ID_MAX else None
    problems: list[ListProblem] = []

    def problem(field: str, rule: str, message: str) -> None:
        problems.append(
            ListProblem(side=role, id=record_id, field=field, rule=rule, message=message, row=row)
        )

    if record_id is None:
        problem(
            "id",
            "missing_id" if raw_id in (None, "") else "invalid_id",
            f"each record needs an id of 1 to {_ID_MAX} characters (entry {index})",
        )
    values: dict[str, object] = {"id": record_id or f"#{index}"}
    for position, (key, value) in enumerate(entry.items(), start=1):
        field = str(key)
        if field not in allowed:
            # Named once per list, and only if it looks like a field name: a file
            # without its header would otherwise put a person's name here as a "column".
            if field not in unknown_reported:
                unknown_reported.add(field)
                problem(
                    shown_field(field, position),
                    "unknown_field",
                    f"not a field of a {role} record; use {', '.join(allowed_fields(role))}",
                )
            continue
        if field == "id" or field not in IDENTITY_FIELDS or value is None or value == "":
            continue
        if field in _NUMBER_AS_TEXT and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            problem(field, "not_text", "must be text")
            continue
        if len(value) > _TEXT_MAX:
            problem(field, "too_long", f"must be at most {_TEXT_MAX} characters")
            continue
        if field == "birth_date":
            try:
                values[field] = parse_birth_date(value)
            except UnreadableDateError as error:
                problem(field, "unreadable_date", str(error))
            continue
        text = " ".join(value.split())
        if text:
            values[field] = text
    if problems:
        return None, problems
    # Every field was checked above; building the model without validating it again
    # takes a tenth of the time on a list of 100,000.
    return IdentityRecord.model_construct(**values), problems  # type: ignore[arg-type]


def _duplicate_ids(
    role: ListRole, entries: Sequence[object], rows: Sequence[int] | None
) -> list[ListProblem]:
    first_seen: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries):
        record_id = entry.get("id") if isinstance(entry, Mapping) else None
        if not isinstance(record_id, str) or not record_id:
            continue
        first = first_seen.setdefault(record_id, index)
        if first != index:
            problems.append(
                ListProblem(
                    side=role,
                    id=record_id if len(record_id) <= _ID_MAX else None,
                    field="id",
                    rule="duplicate_id",
                    message=f"the id is used by more than one record (entries {first} and {index})",
                    row=rows[index] if rows is not None else None,
                )
            )
    return problems
