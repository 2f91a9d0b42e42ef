"""Reading a request and rejecting a bad one with every problem named at once.

A negotiator fixing a list needs to see all of its defects in one pass, each pinned to a
side, an id and a field. Messages are written here, never copied from the parser, so no
value of a `name` or `birth_date` field (personal data) can end up in an error, a log or a
response. Nothing about a rejected request is kept.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from operator import attrgetter
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from solver.categories import reference_date_of
from solver.decoding import DecodedRequest, decode_request
from solver.schema import Category, DetaineeRecord, ExchangeRequest, RequestRecord, Side, Terms
from solver.wording import did_you_mean

_SIDES = tuple(s.value for s in Side)
_MUST_LISTS = ("must_include", "must_exclude")
_ID_MAX_LENGTH = 64
_DEFAULT_MIN_PER_SIDE: int = Terms.model_fields["min_per_side"].default

# Fields whose bad value may be quoted back: short codes and numbers. Everything else
# (names, dates, ids that failed to parse, free text, whole objects) is described, not quoted.
_QUOTABLE_FIELDS = frozenset(
    {
        "type",
        "reason",
        "policy",
        "number",
        "options",
        "status",
        "age",
        "seriously_ill",
        "consents",
        "eligible",
        "requested",
        "min_per_side",
        "max_per_side",
        "parity",
        "young_age_limit",
        "priorities",
        "release_all",
        "outside_parity",
        "stages",
        "civilians_separately",
        "time_limit_s",
        "seed",
        "workers",
    }
)
_QUOTE_MAX_CHARS = 40
_CATEGORY_NAMES = ", ".join(c.value for c in Category)
_SELF_LOCATED = ("plan", "events", "repair")


class InputProblem(BaseModel):
    """One defect in a request, pinned down so a person can find and fix it.

    `side` and `id` name the detainee (or the side's must_include/must_exclude list) the
    problem is about; `index` is the position in that list, which still points at the
    entry when its id is missing or unreadable. `field` is the detainee's field for a
    problem with one person, else the dotted path from the top of the request
    ("terms.stages", "side_a.name"). `rule` is a stable code for programs.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    side: str | None
    id: str | None
    field: str
    rule: str
    message: str
    index: int | None = None

    @property
    def about_a_detainee(self) -> bool:
        """True when the problem is with one person's entry (its field has no dots)."""
        return self.side is not None and self.index is not None and "." not in self.field

    @property
    def path(self) -> str:
        """Where the problem is, written as a path into the JSON document."""
        at = f"[{self.index}]" if self.index is not None else ""
        if self.field.startswith(_SELF_LOCATED):
            return self.field  # a repair's plan and events: the field is the whole path
        if self.about_a_detainee:
            entry = f"{self.side}.detainees{at}"
            return entry if self.field == "detainees" else f"{entry}.{self.field}"
        if self.side is not None and not self.field.startswith(self.side):
            return f"{self.field}.{self.side}{at}"
        return f"{self.field}{at}"


class InvalidRequest(ValueError):  # noqa: N818 - the name the API and the app agreed on
    """The request cannot be solved as sent; `problems` lists every defect found."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems: list[InputProblem] = list(problems)
        super().__init__(problems_as_text(self.problems))


def parse_request(raw: bytes | str | Mapping[str, object]) -> ExchangeRequest:
    """Read and check a request; raise `InvalidRequest` naming every problem found.

    JSON text goes straight to pydantic's JSON parser; the slower generic decoder runs
    only to describe a request that failed. `read_request` is faster on long lists.
    """
    try:
        if isinstance(raw, bytes | str):
            request = ExchangeRequest.model_validate_json(raw)
        else:
            request = ExchangeRequest.model_validate(dict(raw))
    except ValidationError as error:
        raise InvalidRequest(_problems_of_unparsed(raw, error)) from None
    problems = _consistency_problems(_RequestView.of_request(request))
    if problems:
        raise InvalidRequest(problems)
    return request


def read_request(raw: bytes | str) -> ExchangeRequest | DecodedRequest:
    """Read and check a request as `parse_request` does, the fast way when it can.

    The fast reader (`solver.decoding`) accepts exactly what the models accept, in light
    objects the solver reads the same way; anything it refuses goes to `parse_request`,
    so a bad request gets the same list of problems either way.
    """
    request = decode_request(raw)
    if request is None:
        return parse_request(raw)
    problems = _consistency_problems(_RequestView.of_request(request))
    if problems:
        raise InvalidRequest(problems)
    return request


def problems_as_text(problems: Iterable[InputProblem], limit: int | None = None) -> str:
    """One line per problem, for a terminal or a log a person reads.

    `limit` keeps the text short for a list with thousands of bad entries; the count of
    the rest is still given.
    """
    problems = list(problems)
    shown = problems if limit is None else problems[:limit]
    lines = [f"{len(problems)} problem(s) in the request:"] if problems else []
    for problem in shown:
        who = f" (id {problem.id!r})" if problem.id is not None else ""
        lines.append(f"  {problem.path}{who}: {problem.message} [{problem.rule}]")
    if len(shown) < len(problems):
        lines.append(f"  ... and {len(problems) - len(shown)} more")
    return "\n".join(lines)


# --------------------------------------------------------------------------- schema errors


def _problems_of_unparsed(
    raw: bytes | str | Mapping[str, object], error: ValidationError
) -> list[InputProblem]:
    """Turn the parser's errors into problems, then add the consistency checks."""
    details = error.errors(include_url=False, include_input=True)
    document: object
    if isinstance(raw, bytes | str):
        try:
            document = json.loads(raw)
        except ValueError as decode_error:
            return [_unreadable_json(decode_error)]
        if any(d["type"] == "json_invalid" for d in details):
            # Python's decoder is more lenient (NaN, UTF-16); the request still is not JSON.
            return [_unreadable_json(None)]
    else:
        document = raw
    problems = _dedupe(_schema_problem(detail, document) for detail in details)
    problems += _consistency_problems(_RequestView.of_document(document))
    return problems


def parser_problem(
    detail: Any, side: str | None, detainee_id: str | None, where: str
) -> InputProblem:
    """One parser error of a part of a request read elsewhere (a repair's plan and events),
    explained in the same words as the request's own, located at `where`."""
    loc = tuple(detail["loc"])
    leaf = next((str(part) for part in reversed(loc) if not isinstance(part, int)), "")
    quoted = _quote(detail.get("input"), leaf)
    rule, message = _explain(detail["type"], detail.get("ctx") or {}, quoted, loc)
    return InputProblem(side=side, id=detainee_id, field=where, rule=rule, message=message)


def unreadable_json(error: ValueError | None) -> InputProblem:
    """The problem of a body that is not JSON at all."""
    return _unreadable_json(error)


def readable_id(value: object) -> str | None:
    """An id when it is a valid one; a bad id is never quoted back."""
    return value if isinstance(value, str) and _is_readable_id(value) else None


def _unreadable_json(error: ValueError | None) -> InputProblem:
    if isinstance(error, json.JSONDecodeError):
        where = f": {error.msg} at line {error.lineno}, column {error.colno}"
    elif isinstance(error, UnicodeDecodeError):
        where = ": it is not UTF-8 text"
    else:
        where = ""
    return InputProblem(
        side=None,
        id=None,
        field="request",
        rule="unreadable_json",
        message=f"the request is not readable as JSON{where}",
    )


def _dedupe(problems: Iterable[InputProblem]) -> list[InputProblem]:
    """Keep one problem per place: a single bad value is a single defect."""
    seen: set[tuple[str | None, int | None, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.side, problem.index, problem.field)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def _schema_problem(detail: Any, document: object) -> InputProblem:
    """One parser error as a problem: located in the request, explained in our words."""
    loc = tuple(detail["loc"])
    kind: str = detail["type"]
    side, index, field_path = _locate(loc)
    leaf = field_path.rsplit(".", 1)[-1]
    quoted = _quote(detail.get("input"), leaf)
    rule, message = _explain(kind, detail.get("ctx") or {}, quoted, loc)
    detainee_id = None
    if side is not None and index is not None and "." not in field_path:
        detainee_id = _readable_id(_entry(document, side, index))
    return InputProblem(
        side=side, id=detainee_id, field=field_path, rule=rule, message=message, index=index
    )


def _locate(loc: tuple[str | int, ...]) -> tuple[str | None, int | None, str]:
    """Side, list position and field of a parser error location.

    ("side_a", "detainees", 12, "age") is the `age` of entry 12 of side_a;
    ("terms", "must_include", "side_b", 3) is entry 3 of side_b's must_include list.
    """
    if len(loc) >= 3 and loc[0] in _SIDES and loc[1] == "detainees" and isinstance(loc[2], int):
        rest = [str(part) for part in loc[3:]]
        return str(loc[0]), loc[2], ".".join(rest) if rest else "detainees"
    if len(loc) >= 3 and loc[0] == "terms" and loc[1] in _MUST_LISTS and loc[2] in _SIDES:
        position = loc[3] if len(loc) > 3 and isinstance(loc[3], int) else None
        return str(loc[2]), position, f"terms.{loc[1]}"
    side = str(loc[0]) if loc and loc[0] in _SIDES else None
    positions = [part for part in loc if isinstance(part, int)]
    names = [str(part) for part in loc if not isinstance(part, int)]
    return side, positions[-1] if positions else None, ".".join(names) or "request"


def _explain(
    kind: str, ctx: Mapping[str, Any], quoted: str, loc: tuple[str | int, ...]
) -> tuple[str, str]:
    """The rule code and a short sentence for one parser error type."""
    got = f", got {quoted}" if quoted else ""
    if kind == "missing":
        return "missing_field", "is required"
    if kind == "extra_forbidden":
        known = _fields_at(loc[:-1])
        return "unknown_field", "is not a known field" + did_you_mean(str(loc[-1]), known)
    if kind == "enum":
        return "unknown_category", f"is not a category; use one of {_CATEGORY_NAMES}{got}"
    if kind == "literal_error":
        return "invalid_value", f"must be one of {ctx.get('expected', '?')}{got}"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        bound = {
            "greater_than_equal": f"at least {ctx.get('ge')}",
            "greater_than": f"more than {ctx.get('gt')}",
            "less_than_equal": f"at most {ctx.get('le')}",
            "less_than": f"less than {ctx.get('lt')}",
        }[kind]
        return "out_of_range", f"must be {bound}{got}"
    if kind == "string_too_short":
        return "invalid_length", f"must have at least {ctx.get('min_length')} character(s)"
    if kind == "string_too_long":
        return "invalid_length", f"must have at most {ctx.get('max_length')} characters"
    if kind.startswith(("date_", "datetime_")):
        return "invalid_date", "must be a date written YYYY-MM-DD"
    expected = _EXPECTED_TYPE.get(kind)
    if expected is not None:
        return "wrong_type", f"must be {expected}{got}"
    return "invalid_value", f"is not valid ({kind}){got}"


def _fields_at(loc: tuple[str | int, ...]) -> tuple[str, ...]:
    """The field names of the object at `loc` in a request, as the models declare them."""
    model: type[BaseModel] | None = ExchangeRequest
    for part in loc:
        if isinstance(part, int):
            continue  # a position in a list: the list's items have the same fields
        declared = model.model_fields.get(part) if model is not None else None
        model = _model_in(declared.annotation) if declared is not None else None
    return tuple(model.model_fields) if model is not None else ()


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model a field holds, also inside `list[...]`, `... | None` or `Annotated`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


_EXPECTED_TYPE = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def _quote(value: object, leaf: str) -> str:
    """A short rendering of a bad value, or nothing when the field may hold personal data."""
    if leaf not in _QUOTABLE_FIELDS:
        return ""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = json.dumps(value)
        return text if len(text) <= _QUOTE_MAX_CHARS else text[: _QUOTE_MAX_CHARS - 4] + '..."'
    return "a list" if isinstance(value, list) else "an object"


# --------------------------------------------------------------------------- consistency


_DATE = TypeAdapter(date, config=ConfigDict(defer_build=True))


@dataclass
class _ListView:
    """One side's list as the checks need it: ids by position, and the known birth dates."""

    ids: list[str | None] = field(default_factory=list)  # None: missing or unreadable
    birth_dates: list[tuple[int, date]] = field(default_factory=list)

    @cached_property
    def known(self) -> set[str]:
        """The readable ids, once: both the duplicate and the must-list checks ask."""
        return set(filter(None, self.ids))  # a readable id is never empty

    @property
    def readable(self) -> int:
        return len(self.ids) - self.ids.count(None)


@dataclass
class _RequestView:
    """The few values the consistency checks need, read from a model or a raw document.

    A value that could not be read is None (or left out of its list), so a check skips it
    instead of piling a second problem onto one the parser already reported.
    """

    people: dict[str, _ListView] = field(default_factory=dict)
    reference_date: date | None = None
    min_per_side: int | None = None
    min_is_default: bool = False
    max_per_side: int | None = None
    stage_count: int | None = None  # None: no stage list, one stage without capacity
    stages: list[tuple[int, int]] = field(default_factory=list)
    must: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)

    @classmethod
    def of_request(cls, request: RequestRecord) -> _RequestView:
        terms = request.terms
        on = reference_date_of(terms)
        return cls(
            people={
                side.value: _ListView(
                    ids=list(map(_ID, request.side(side).detainees)),
                    birth_dates=_births_after(request.side(side).detainees, on),
                )
                for side in Side
            },
            reference_date=on,
            min_per_side=terms.min_per_side,
            min_is_default="min_per_side" not in terms.model_fields_set,
            max_per_side=terms.max_per_side,
            stage_count=None if terms.stages is None else len(terms.stages),
            stages=list(enumerate(terms.stages or [])),
            must={
                (name, side.value): list(enumerate(getattr(terms, name).of(side)))
                for name in _MUST_LISTS
                for side in Side
            },
        )

    @classmethod
    def of_document(cls, document: object) -> _RequestView:
        """Best-effort reading of a request the parser rejected."""
        root = document if isinstance(document, Mapping) else {}
        raw_terms = root.get("terms", {})
        terms = raw_terms if isinstance(raw_terms, Mapping) else {}
        view = cls(people={side: _people_of(root.get(side)) for side in _SIDES})
        if "reference_date" not in terms or terms["reference_date"] is None:
            view.reference_date = date.today()
        else:
            view.reference_date = _term(terms, "reference_date")
        view.min_is_default = "min_per_side" not in terms
        view.min_per_side = (
            _DEFAULT_MIN_PER_SIDE if view.min_is_default else _term(terms, "min_per_side")
        )
        view.max_per_side = _term(terms, "max_per_side")
        raw_stages = terms.get("stages")
        if isinstance(raw_stages, list):
            view.stage_count = len(raw_stages)
            for index, entry in enumerate(raw_stages):
                capacity = _term({"stages": [entry]}, "stages")
                if capacity is not None:
                    view.stages.append((index, capacity[0]))
        for name in _MUST_LISTS:
            lists = terms.get(name)
            for side in _SIDES:
                entries = lists.get(side) if isinstance(lists, Mapping) else None
                view.must[(name, side)] = [
                    (i, value)
                    for i, value in enumerate(entries if isinstance(entries, list) else [])
                    if _is_readable_id(value)
                ]
        return view


_ID = attrgetter("id")
_BIRTH_DATE = attrgetter("birth_date")


def _births_after(people: Sequence[DetaineeRecord], on: date) -> list[tuple[int, date]]:
    """(position, birth date) of the people born after `on`: only those are reported.

    The latest birth date is found first, without a Python step per person: in nearly
    every list nobody is born after the exchange date, and then nothing more is read.
    """
    births = list(map(_BIRTH_DATE, people))
    latest = max(filter(None, births), default=None)
    if latest is None or latest <= on:
        return []
    return [(i, born) for i, born in enumerate(births) if born is not None and born > on]


def _term(terms: Mapping[str, object], name: str) -> Any:
    """One term read with exactly the schema's rules, or None when it does not parse."""
    try:
        return getattr(Terms.model_validate({name: terms.get(name)}), name)
    except ValidationError:
        return None


def _people_of(side_list: object) -> _ListView:
    entries = side_list.get("detainees") if isinstance(side_list, Mapping) else None
    people = _ListView()
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        people.ids.append(_readable_id(entry))
        if isinstance(entry, Mapping) and entry.get("birth_date") is not None:
            with suppress(ValidationError):  # a bad date was already reported by the parser
                people.birth_dates.append((index, _DATE.validate_python(entry["birth_date"])))
    return people


def _entry(document: object, side: str, index: int) -> object:
    side_list = document.get(side) if isinstance(document, Mapping) else None
    entries = side_list.get("detainees") if isinstance(side_list, Mapping) else None
    if isinstance(entries, list) and 0 <= index < len(entries):
        return entries[index]
    return None


def _is_readable_id(value: object) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= _ID_MAX_LENGTH


def _readable_id(entry: object) -> str | None:
    """The entry's id when it is a valid one; a bad id is never quoted back."""
    value = entry.get("id") if isinstance(entry, Mapping) else None
    return value if isinstance(value, str) and _is_readable_id(value) else None


def _consistency_problems(view: _RequestView) -> list[InputProblem]:
    """The checks no field type can express: they relate values to each other."""
    return [
        *_duplicate_ids(view),
        *_must_list_problems(view),
        *_birth_dates_after_reference(view),
        *_stage_problems(view),
        *_floor_above_cap(view),
    ]


def _duplicate_ids(view: _RequestView) -> Iterator[InputProblem]:
    """An id names one person; a repeated one makes must_include and the plan ambiguous."""
    for side, people in view.people.items():
        if len(people.known) == people.readable:
            continue  # the common case, checked without building position lists
        positions: dict[str, list[int]] = defaultdict(list)
        for index, detainee_id in enumerate(people.ids):
            if detainee_id is not None:
                positions[detainee_id].append(index)
        for detainee_id, at in positions.items():
            if len(at) > 1:
                yield InputProblem(
                    side=side,
                    id=detainee_id,
                    field="id",
                    rule="duplicate_id",
                    message=(
                        f"the id is used by {len(at)} entries of {side} "
                        f"(positions {_positions(at)}); ids must be unique within a side"
                    ),
                    index=at[1],
                )


def _positions(at: list[int], shown: int = 5) -> str:
    text = ", ".join(str(i) for i in at[:shown])
    return text if len(at) <= shown else f"{text}, ..."


def _must_list_problems(view: _RequestView) -> Iterator[InputProblem]:
    """Negotiated ids must name listed people, and nobody can be both kept and released."""
    for side in _SIDES:
        named = any(view.must.get((name, side)) for name in _MUST_LISTS)
        known = view.people[side].known if named and side in view.people else set()
        for name in _MUST_LISTS:
            reported: set[str] = set()
            for index, detainee_id in view.must.get((name, side), []):
                if detainee_id not in known and detainee_id not in reported:
                    reported.add(detainee_id)
                    yield InputProblem(
                        side=side,
                        id=detainee_id,
                        field=f"terms.{name}",
                        rule="unknown_id",
                        message=f"{name} names an id that is not in {side}'s list",
                        index=index,
                    )
        excluded = {i for _, i in view.must.get(("must_exclude", side), [])}
        reported = set()
        for index, detainee_id in view.must.get(("must_include", side), []):
            if detainee_id in excluded and detainee_id not in reported:
                reported.add(detainee_id)
                yield InputProblem(
                    side=side,
                    id=detainee_id,
                    field="terms.must_include",
                    rule="included_and_excluded",
                    message="the id is in both must_include and must_exclude",
                    index=index,
                )


def _birth_dates_after_reference(view: _RequestView) -> Iterator[InputProblem]:
    """A birth after the exchange date is a typo in the list; its age would be negative."""
    if view.reference_date is None:
        return
    for side, people in view.people.items():
        for index, birth_date in people.birth_dates:
            if birth_date > view.reference_date:
                yield InputProblem(
                    side=side,
                    id=people.ids[index],
                    field="birth_date",
                    rule="birth_date_after_reference_date",
                    message=(
                        "the birth date is after the reference date "
                        f"{view.reference_date.isoformat()}"
                    ),
                    index=index,
                )


def _stage_problems(view: _RequestView) -> Iterator[InputProblem]:
    """A stage releases at least one person per side; an empty list leaves no stage at all."""
    if view.stage_count == 0:
        yield InputProblem(
            side=None,
            id=None,
            field="terms.stages",
            rule="stage_capacity",
            message="must list at least one stage capacity, or be null for a single stage",
        )
    for index, capacity in view.stages:
        if capacity < 1:
            yield InputProblem(
                side=None,
                id=None,
                field="terms.stages",
                rule="stage_capacity",
                message=f"stage {index + 1} has capacity {capacity}; each must be at least 1",
                index=index,
            )


def _floor_above_cap(view: _RequestView) -> Iterator[InputProblem]:
    if view.min_per_side is None or view.max_per_side is None:
        return
    if view.max_per_side < view.min_per_side:
        default = " (the default)" if view.min_is_default else ""
        yield InputProblem(
            side=None,
            id=None,
            field="terms.max_per_side",
            rule="max_below_min",
            message=(
                f"max_per_side {view.max_per_side:,} is below "
                f"min_per_side {view.min_per_side:,}{default}"
            ),
        )
