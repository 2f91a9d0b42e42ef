"""The fast request reader (`solver.decoding`) against the pydantic models it stands in for.

The promise: the fast reader never accepts a request the models reject, and when both
accept, the solver reads the same values from either. It may refuse more (it then hands
the request to pydantic), but not for ordinary requests, or the fast path is never used.

The JSON texts here are written by hand, not by `json.dumps` of a dict, so they can hold
what a dict cannot: duplicate keys, `30.0` or `1e1` where a whole number belongs, escaped
key names, astral characters written as surrogate pairs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NamedTuple

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from solver.decoding import DecodedRequest, DetaineeEntry, SideEntries, decode_request
from solver.input_errors import InvalidRequest, parse_request, read_request
from solver.planner import solve
from solver.schema import (
    Detainee,
    DetaineeRecord,
    ExchangeRequest,
    RequestRecord,
    Side,
    SideList,
)
from solver.synthetic import generate_request, request_json
from solver.validation import read_lists

RANDOM = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

DETAINEE_FIELDS = (
    "id",
    "name",
    "birth_date",
    "age",
    "status",
    "seriously_ill",
    "captured_on",
    "consents",
    "eligible",
    "ineligible_reason",
    "group",
    "requested",
    "surname",
    "given_name",
    "patronymic",
    "birth_place",
    "serial_number",
    "unit",
)
DATE_KEYS = frozenset({"birth_date", "captured_on", "reference_date"})
PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Ids from a small pool, so lists repeat ids and must_include names listed people (or not).
POOL_IDS = ("A-1", "A-2", "A-3", "B-1", "B-2", "é-1", "😀-7")
LONG_IDS = ("x" * 64, "é" * 64, "😀" * 64, "\U0001d538" * 63 + "z")
BAD_IDS = ("", "x" * 65, "é" * 65, "😀" * 65)
CATEGORY_NAMES = ("seriously_ill", "young", "civilian", "military", "requested")

Fragment = str  # a piece of JSON text
Pairs = list[tuple[str, Fragment]]


# --------------------------------------------------------------------------- JSON text


def _key(name: str, escaped: bool) -> Fragment:
    """A key as JSON text; escaped, every character is written as a \\u escape."""
    if escaped:
        return '"' + "".join(f"\\u{ord(c):04x}" for c in name) + '"'
    return json.dumps(name)


def _object(pairs: Sequence[tuple[Fragment, Fragment]], separator: str = ",") -> Fragment:
    return "{" + separator.join(f"{k}:{v}" for k, v in pairs) + "}"


def _strings(values: Sequence[str]) -> st.SearchStrategy[Fragment]:
    """Each value as a JSON string, with non-ASCII written raw or as \\u escapes."""
    return st.builds(
        lambda value, ascii_only: json.dumps(value, ensure_ascii=ascii_only),
        st.sampled_from(values),
        st.booleans(),
    )


def _texts(max_size: int = 12) -> st.SearchStrategy[Fragment]:
    return st.builds(
        lambda value, ascii_only: json.dumps(value, ensure_ascii=ascii_only),
        st.text(max_size=max_size),
        st.booleans(),
    )


def _whole(low: int, high: int) -> st.SearchStrategy[Fragment]:
    return st.integers(low, high).map(str)


def _both(*values: str) -> tuple[Fragment, ...]:
    """Each string as JSON text twice: non-ASCII written raw, and as \\u escapes."""
    rendered = [json.dumps(v, ensure_ascii=a) for v in values for a in (False, True)]
    return tuple(dict.fromkeys(rendered))


class FieldValues(NamedTuple):
    """What one field may hold: drawn valid values, valid values on a limit, refused ones.

    `lenient` values are ones only pydantic may accept (dates not written YYYY-MM-DD):
    the fast reader must leave them to it. The fixed lists are drawn by the generators,
    and each value is also tried alone in an otherwise valid request (`SINGLE_EDITS`).
    """

    drawn: st.SearchStrategy[Fragment]
    edges: tuple[Fragment, ...]
    refused: tuple[Fragment, ...]
    lenient: tuple[Fragment, ...] = ()

    def valid(self) -> st.SearchStrategy[Fragment]:
        return self.drawn | st.sampled_from(self.edges) if self.edges else self.drawn

    def invalid(self) -> st.SearchStrategy[Fragment]:
        return st.sampled_from(self.refused + self.lenient)


Fields = dict[str, FieldValues]

NOTHING: st.SearchStrategy[Fragment] = st.nothing()
BOOL = FieldValues(
    st.sampled_from(["true", "false"]),
    (),
    ('"true"', '"false"', "1", "0", "1.0", "null", '"yes"'),
)
NOT_TEXT = ("5", "true", "[]", "{}", "1.5")

# Dates: plain ISO ones (around the reference dates drawn below, so a birth after the
# exchange happens), and every other spelling someone might send.
ISO_DATES = st.one_of(
    st.dates(date(1930, 1, 1), date(2030, 12, 31)),
    st.dates(),  # years 0001..9999
).map(lambda d: json.dumps(d.isoformat()))
DATE_EDGES = ("null", '"0001-01-01"', '"9999-12-31"', '"2020-02-29"', '"2000-02-29"')
BAD_DATES = (
    '"0000-01-01"',
    '"2020-02-30"',
    '"2021-02-29"',
    '"1900-02-29"',
    '"2020-13-01"',
    '"2020-00-10"',
    "20200101",
    "0",
    "1704067200",
    "1.5",
    "true",
    "[]",
)
# Other spellings: pydantic reads some of them (a midnight datetime, a timestamp in a
# string) and the fast reader leaves them all to it.
OTHER_DATE_SPELLINGS = (
    '"2020-01-01T00:00:00"',
    '"2020-01-01T00:00:00Z"',
    '"2020-01-01T00:00:00+02:00"',
    '"2020-01-01T12:30:00"',
    '"2020-01-01 00:00:00"',
    '"2020-01-01t00:00"',
    '"2020-1-1"',
    '"20200101"',
    '"1704067200"',
    '"0"',
    '""',
    '" 2020-01-01"',
    '"2020-01-01Z"',
    '"\\uff12\\uff10\\uff12\\uff10-01-01"',  # full-width digits
)
DAY = FieldValues(ISO_DATES, DATE_EDGES, BAD_DATES, OTHER_DATE_SPELLINGS)

ENTRY_FIELDS: Fields = {
    "id": FieldValues(
        st.sampled_from(POOL_IDS).map(json.dumps),
        _both(*LONG_IDS, "\\", '"', "\x00", "\u2028"),
        (*_both(*BAD_IDS), "null", *NOT_TEXT),
    ),
    "name": FieldValues(
        _texts(),
        ("null", '""', json.dumps("x" * 300)),
        NOT_TEXT,
    ),
    "birth_date": DAY,
    "age": FieldValues(
        _whole(0, 130),
        ("null", "0", "130", "-0", "100"),
        (
            "-1",
            "131",
            "30.0",
            "1e1",
            "1E1",
            "1e0",
            "10.5",
            "-0.0",
            "true",
            "false",
            '"30"',
            "1e400",
            "100000000000000000000",
            "-100000000000000000000",
        ),
    ),
    "status": FieldValues(
        NOTHING,
        ('"military"', '"civilian"', '"\\u006dilitary"'),
        ('"Military"', '"CIVILIAN"', '"civil"', '"military "', '""', "null", "0"),
    ),
    "seriously_ill": BOOL,
    "captured_on": DAY,
    "consents": BOOL,
    "eligible": BOOL,
    "ineligible_reason": FieldValues(
        _texts(),
        ("null", '""'),
        NOT_TEXT,
    ),
    "group": FieldValues(
        NOTHING,
        ("null", *_both("g1", "g2", "x" * 64, "😀" * 64, "\U0001d538" * 64)),
        (*_both("", "x" * 65, "😀" * 65), "7", "true", "[]"),
    ),
    "requested": BOOL,
    **{
        field: FieldValues(_texts(), ("null", '""'), NOT_TEXT)
        for field in ("surname", "given_name", "patronymic", "birth_place", "serial_number", "unit")
    },
}
UNKNOWN_KEYS = ("Id", "ID", "id ", "birthDate", "extra", "ïd", "releasable", "side_c", "Terms")


def _ids_by_side() -> st.SearchStrategy[Fragment]:
    """must_include / must_exclude: ids from the pool, listed or not, and one never listed."""
    ids = st.lists(st.sampled_from((*POOL_IDS, "C-9")), max_size=3).map(json.dumps)
    by_side = st.fixed_dictionaries({}, optional={"side_a": ids, "side_b": ids})
    return by_side.map(lambda d: _object([(json.dumps(k), v) for k, v in d.items()]))


def _must() -> FieldValues:
    return FieldValues(
        _ids_by_side(),
        ("{}", '{"side_a":[],"side_b":[]}', '{"side_a":["A-1","A-1"]}'),
        (
            '{"side_c":[]}',
            "null",
            '["A-1"]',
            '{"side_a":null}',
            '{"side_a":[""]}',
            '{"side_a":["' + "x" * 65 + '"]}',
            '{"side_b":[1]}',
        ),
    )


def _categories() -> FieldValues:
    return FieldValues(
        st.lists(st.sampled_from(CATEGORY_NAMES), max_size=3).map(json.dumps),
        ("[]", json.dumps(CATEGORY_NAMES), '["young","young"]'),
        ('["old"]', '"young"', "null", '["Young"]', "[1]", "{}"),
    )


TERM_FIELDS: Fields = {
    "reference_date": FieldValues(
        st.dates(date(2018, 1, 1), date(2030, 12, 31)).map(lambda d: f'"{d}"'),
        DATE_EDGES,
        BAD_DATES,
        OTHER_DATE_SPELLINGS,
    ),
    "min_per_side": FieldValues(
        _whole(0, 5), ("0", "1000000"), ("-1", "1.0", '"1"', "true", "null", "1e3")
    ),
    "max_per_side": FieldValues(_whole(0, 6), ("null", "0"), ("-1", "2.0", '"2"', "false", "1e1")),
    "parity": FieldValues(NOTHING, ('"total"', '"per_status"'), ('"Total"', '"none"', "null", "1")),
    "young_age_limit": FieldValues(
        _whole(0, 131), ("0", "131"), ("-1", "132", "25.0", "null", "true")
    ),
    "priorities": _categories(),
    "release_all": _categories(),
    "outside_parity": _categories(),
    "stages": FieldValues(
        NOTHING,
        ("null", "[]", "[0]", "[1]", "[1,2]", "[3,0]", "[-1]", "[2,2,2]"),
        ("[1.0]", '"1"', "[true]", "[null]", "3", "[1e1]", "{}"),
    ),
    "civilians_separately": BOOL,
    "must_include": _must(),
    "must_exclude": _must(),
}
OPTION_FIELDS: Fields = {
    "time_limit_s": FieldValues(
        NOTHING,
        ("10", "10.0", "0.5", "3600", "3600.0", "1e-3", "1E1"),
        ("0", "-1", "3600.5", "0.0", '"10"', "true", "null", "NaN", "Infinity", "-Infinity"),
    ),
    "seed": FieldValues(
        _whole(0, 100), ("0", str(2**31 - 1)), ("-1", str(2**31), "1.0", '"0"', "null")
    ),
    "workers": FieldValues(NOTHING, ("1", "8", "64"), ("0", "65", "2.0", "null", "true")),
}
NOT_AN_OBJECT = ("null", "[]", '"x"', "5", "true")


@st.composite
def _pairs(
    draw: st.DrawFn,
    fields: Fields,
    *,
    clean: bool | None,
    required: tuple[str, ...] = (),
) -> Pairs:
    """Key/value pairs of one object: valid, then (unless clean) one to three defects.

    A defect is a refused value, a field written twice (pydantic keeps the last one; both
    values may be fine), a required field left out, or an unknown field. Few defects per
    object keep each one visible: a reader that let one through would be caught by it.
    `clean=None` draws whether the object is clean (three times in four).
    """
    if clean is None:
        clean = draw(st.integers(0, 3)) > 0
    names = list(fields)
    chosen = [n for n in names if n in required or draw(st.booleans())]
    pairs: Pairs = [(n, draw(fields[n].valid())) for n in chosen]
    for _ in range(0 if clean else draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        spec = fields[name]
        how = draw(st.sampled_from(["refused", "refused", "twice", "omit", "unknown"]))
        pairs = [pair for pair in pairs if pair[0] != name]
        if how == "refused":
            pairs.append((name, draw(spec.invalid())))
        elif how == "twice":
            pairs += [(name, draw(spec.valid() | spec.invalid())) for _ in range(2)]
        elif how == "unknown":
            pairs.append((draw(st.sampled_from(UNKNOWN_KEYS)), draw(st.sampled_from(["1", "{}"]))))
    return draw(st.permutations(pairs))


@st.composite
def _render(draw: st.DrawFn, pairs: Pairs) -> Fragment:
    """The pairs as a JSON object, now and then with escaped keys or loose whitespace."""
    escaped = draw(st.integers(0, 7)) == 0
    separator = draw(st.sampled_from([",", ",", ", ", ",\n  ", " ,\t"]))
    keys = [_key(name, escaped and draw(st.booleans())) for name, _ in pairs]
    return _object(list(zip(keys, (v for _, v in pairs), strict=True)), separator)


@st.composite
def _objects(
    draw: st.DrawFn, fields: Fields, clean: bool | None, required: tuple[str, ...] = ()
) -> Fragment:
    return draw(_render(draw(_pairs(fields, clean=clean, required=required))))


def entry_texts(clean: bool | None) -> st.SearchStrategy[Fragment]:
    """One detainee entry as JSON text: valid (clean) or with a few defects."""
    return _objects(ENTRY_FIELDS, clean, required=("id",))


def _side_fields(clean: bool | None) -> Fields:
    entries = st.lists(entry_texts(clean), max_size=4)
    return {
        "name": FieldValues(
            _strings(["", "Side A"]),
            _both("x" * 200, "😀" * 200, "\U0001d538" * 200, "é" * 200),
            (*_both("x" * 201, "😀" * 201), "null", *NOT_TEXT),
        ),
        "detainees": FieldValues(
            entries.map(lambda items: "[" + ",".join(items) + "]"),
            ("[]",),
            ("null", '"x"', "{}", "[null]", "[[]]", '["A-1"]', "[{}]", '[{"id":"A-1"},]'),
        ),
    }


def _top_fields(clean: bool | None) -> Fields:
    return {
        "side_a": FieldValues(_objects(_side_fields(clean), clean), ("{}",), NOT_AN_OBJECT),
        "side_b": FieldValues(_objects(_side_fields(clean), clean), ("{}",), NOT_AN_OBJECT),
        "terms": FieldValues(
            _objects(TERM_FIELDS, clean), ("{}",), (*NOT_AN_OBJECT, '{"Min_per_side":1}')
        ),
        "options": FieldValues(
            _objects(OPTION_FIELDS, clean), ("{}",), (*NOT_AN_OBJECT, '{"seed":-1}')
        ),
    }


@st.composite
def request_texts(draw: st.DrawFn) -> str:
    """A whole request as JSON text: half valid in form, half with a few defects each.

    Valid in form still leaves the cross-field problems (duplicate ids, must_include of
    an unlisted id, births after the reference date, stages of capacity 0, a cap below
    the floor): those come from the small id pool and the drawn terms.
    """
    clean = True if draw(st.booleans()) else None
    fields = _top_fields(clean)
    return draw(_objects(fields, clean, required=("side_a", "side_b")))


ENTRIES = st.booleans().flatmap(entry_texts)
"""Single entries, half of them valid and half with defects."""


def wrapped(entry: Fragment) -> str:
    """A request around one entry of side_a; everything else left to the defaults."""
    return '{"side_a":{"detainees":[' + entry + ']},"side_b":{}}'


def _single_edits() -> list[Any]:
    """Every fixed value of every field, alone in an otherwise valid request.

    The generators draw these too, but seldom alone; here each one is the only thing to
    decide on, marked with what the readers should do with it: both accept it, both refuse
    it, the fast reader leaves it to pydantic (a detainee's date spelled otherwise than
    YYYY-MM-DD), or both read it as pydantic does (such a date in the terms).
    """
    where: dict[str, tuple[Fields, Callable[[str, Fragment], str]]] = {
        "entry": (ENTRY_FIELDS, lambda k, v: wrapped(_fields_of({"id": '"A-1"', k: v}))),
        "side": (
            _side_fields(True),
            lambda k, v: f'{{"side_a":{_fields_of({k: v})},"side_b":{{}}}}',
        ),
        "terms": (TERM_FIELDS, lambda k, v: _top("terms", _fields_of({k: v}))),
        "options": (OPTION_FIELDS, lambda k, v: _top("options", _fields_of({k: v}))),
        "top": (_top_fields(True), _top),
    }
    edits: list[Any] = []
    for place, (fields, build) in where.items():
        for name, spec in fields.items():
            # Terms are read by pydantic on both paths, dates spelled otherwise too.
            lenient = "as pydantic" if place == "terms" else "left to pydantic"
            kinds = (("accepted", spec.edges), ("refused", spec.refused), (lenient, spec.lenient))
            for expected, values in kinds:
                edits += [
                    pytest.param(build(name, v), expected, id=f"{place}.{name}={v[:24]}")
                    for v in values
                ]
        edits += [
            pytest.param(build(key, "1"), "refused", id=f"{place}.unknown={key}")
            for key in UNKNOWN_KEYS
            if key not in fields
        ]
    return [
        *edits,
        pytest.param(wrapped("{}"), "refused", id="entry.id=missing"),
        pytest.param('{"side_b":{}}', "refused", id="top.side_a=missing"),
        pytest.param('{"side_a":{}}', "refused", id="top.side_b=missing"),
    ]


def _fields_of(values: dict[str, Fragment]) -> Fragment:
    return _object([(json.dumps(k), v) for k, v in values.items()])


def _top(key: str, value: Fragment) -> str:
    """A minimal request with one top-level key set (or replaced)."""
    return _fields_of({"side_a": "{}", "side_b": "{}", key: value})


SINGLE_EDITS = _single_edits()


# --------------------------------------------------------------------------- what is read


def detainee_values(detainee: DetaineeRecord) -> dict[str, tuple[str, object]]:
    """Every field the solver reads, with its type: True and 1 are not the same age."""
    values = {name: getattr(detainee, name) for name in DETAINEE_FIELDS}
    return {name: (type(value).__name__, value) for name, value in values.items()}


def request_values(request: RequestRecord) -> dict[str, object]:
    """Everything the solver (and the consistency checks) read from a request.

    The terms' set fields count: they tell a default min_per_side from a written one.
    """
    terms, options = request.terms, request.options
    values: dict[str, object] = {
        "terms": (terms.model_dump(), sorted(terms.model_fields_set)),
        "options": (options.model_dump(), sorted(options.model_fields_set)),
    }
    for side in Side:
        side_list = request.side(side)
        values[side.value] = (
            side_list.name,
            [detainee_values(d) for d in side_list.detainees],
        )
    return values


def is_plain(text: str) -> bool:
    """Readable JSON with no repeated key and every date written YYYY-MM-DD (or null).

    On such a document the fast reader must agree with pydantic both ways; only there,
    since pydantic also reads midnight datetimes and timestamps as dates, and ignores a
    bad value that a repeated key overrides.
    """
    plain = True

    def check(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal plain
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            plain = False
        for key, value in pairs:
            if key in DATE_KEYS and isinstance(value, str) and not PLAIN_DATE.fullmatch(value):
                plain = False
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=check)
    except ValueError:
        return False
    return plain


def assert_fast_reader_sound(raw: str | bytes) -> DecodedRequest | None:
    """What the fast reader accepts, pydantic accepts, and reads the same values from."""
    decoded = decode_request(raw)
    if decoded is None:
        return None
    try:
        model = ExchangeRequest.model_validate_json(raw)
    except ValidationError as error:
        pytest.fail(f"the fast reader accepted a request pydantic rejects:\n{error}")
    assert request_values(decoded) == request_values(model)
    return decoded


Outcome = tuple[str, object]


def outcome(reader: Callable[[str | bytes], RequestRecord], raw: str | bytes) -> Outcome:
    try:
        request = reader(raw)
    except InvalidRequest as error:
        return "invalid", error.problems
    return "read", request_values(request)


# --------------------------------------------------------------------------- the contract


def test_fields_same_in_both_readers() -> None:
    """The structs mirror the models field for field, so no field can be read from one only."""
    assert tuple(Detainee.model_fields) == DETAINEE_FIELDS
    assert DetaineeEntry.__struct_fields__ == DETAINEE_FIELDS
    assert tuple(SideList.model_fields) == SideEntries.__struct_fields__


@RANDOM
@given(ENTRIES)
def test_entry_decoding_never_looser_than_pydantic(entry: str) -> None:
    """A detainee the struct accepts is one the model accepts, with identical values."""
    try:
        decoded = msgspec.json.decode(entry, type=DetaineeEntry)
    except (msgspec.ValidationError, msgspec.DecodeError):
        decoded = None
    if decoded is not None:
        try:
            model = Detainee.model_validate_json(entry)
        except ValidationError as error:
            pytest.fail(f"DetaineeEntry accepted an entry Detainee rejects:\n{error}")
        assert detainee_values(decoded) == detainee_values(model)
    fast = assert_fast_reader_sound(wrapped(entry))
    assert (fast is None) == (decoded is None)


@RANDOM
@given(ENTRIES)
def test_entry_decoding_plain_accepted_by_both(entry: str) -> None:
    """A well-formed entry pydantic accepts (plain ISO dates) takes the fast path too."""
    assume(is_plain(entry))
    try:
        Detainee.model_validate_json(entry)
    except ValidationError:
        return
    assert decode_request(wrapped(entry)) is not None


@RANDOM
@given(request_texts())
def test_request_decoding_never_looser_than_pydantic(text: str) -> None:
    """Whole requests, as text and as bytes: fast accepts only what pydantic accepts."""
    fast = assert_fast_reader_sound(text)
    fast_bytes = assert_fast_reader_sound(text.encode())
    assert (fast is None) == (fast_bytes is None)


@RANDOM
@given(request_texts())
def test_request_decoding_plain_accepted_by_both(text: str) -> None:
    """A request pydantic accepts, with plain dates and no repeated keys, is read fast."""
    assume(is_plain(text))
    try:
        ExchangeRequest.model_validate_json(text)
    except ValidationError:
        return
    assert decode_request(text) is not None


@pytest.mark.parametrize(("text", "expected"), SINGLE_EDITS)
def test_request_decoding_single_edit(text: str, expected: str) -> None:
    """Each listed value alone: the readers agree both ways, and the table is right."""
    decoded = assert_fast_reader_sound(text)
    assert outcome(read_request, text) == outcome(parse_request, text)
    try:
        ExchangeRequest.model_validate_json(text)
        accepted = True
    except ValidationError:
        accepted = False
    if expected == "left to pydantic":
        assert decoded is None
    elif expected == "as pydantic":
        assert (decoded is not None) == accepted
    else:
        assert accepted == (expected == "accepted"), "the table disagrees with the schema"
        assert (decoded is not None) == accepted  # plain dates, no repeated key


@pytest.mark.parametrize(
    "text",
    [
        # a repeated key: the last one wins in both readers, here and at every level
        wrapped('{"id":"A-1","id":"A-2"}'),
        wrapped('{"id":"A-1","age":5,"\\u0061ge":6}'),
        wrapped('{"id":"A-1","age":"x","age":5}'),
        wrapped('{"id":"A-1","age":5,"age":"x"}'),
        '{"side_a":{},"side_b":{},"terms":{"min_per_side":1},"terms":{"min_per_side":2}}',
        '{"side_a":{},"side_b":{},"terms":{"min_per_side":2},"terms":{"min_per_side":"x"}}',
        '{"side_a":{"name":"x"},"side_a":{"name":"y"},"side_b":{}}',
        # numbers where whole numbers belong
        wrapped('{"id":"A-1","age":30.0}'),
        wrapped('{"id":"A-1","age":1e1}'),
        wrapped('{"id":"A-1","age":true}'),
        '{"side_a":{},"side_b":{},"terms":{"max_per_side":1e1}}',
        # strings: escapes, surrogates, length in code points
        wrapped('{"id":"\\ud83d\\ude00"}'),
        wrapped('{"id":"\\ud800"}'),
        wrapped('{"id":"A-1","name":"\\ud83d\\u0041"}'),
        wrapped('{"id":"' + "😀" * 64 + '"}'),
        wrapped('{"id":"' + "😀" * 65 + '"}'),
        wrapped('{"id":"a\\u0000"}'),
        wrapped('{"id":"a\x7f"}'),
        wrapped('{"id":"a\nb"}'),
        # dates pydantic reads but the fast reader leaves to it
        wrapped('{"id":"A-1","birth_date":"2020-01-01T00:00:00"}'),
        wrapped('{"id":"A-1","birth_date":"1704067200"}'),
        # not a request, or not JSON
        "",
        "null",
        "[]",
        "{}",
        '{"side_a":{},"side_b":{}} x',
        '{"side_a":{},"side_b":{}}{}',
        '{"side_a":{},"side_b":{},}',
        '\ufeff{"side_a":{},"side_b":{}}',
        '{"side_a":{},"side_b":{},"terms":null}',
        '{"side_a":{},"side_b":{},"options":{"time_limit_s":NaN}}',
        '{"side_a":{},"side_b":{},"terms":{"stages":[NaN]}}',
        '{"side_a":{"detainees":null},"side_b":{}}',
    ],
)
def test_request_decoding_hand_written_edges(text: str) -> None:
    """Corners a generator reaches rarely, written out once; same check as the property."""
    assert_fast_reader_sound(text)
    assert outcome(read_request, text) == outcome(parse_request, text)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"side_a":{"detainees":[{"id":"a\xff"}]},"side_b":{}}',
        b'{"side_a":{"detainees":[{"id":"a\xed\xa0\x80"}]},"side_b":{}}',
        b'{"side_a":{"detainees":[{"id":"a\xc0\x80"}]},"side_b":{}}',
        b'{"side_a":{},"side_b":{},"terms":{"must_include":{"side_a":["a\xf4\x90\x80\x80"]}}}',
        b'{"side_a":{},"side_b":{},"terms":{"reference_date":"2020-01-01\xe2\x82"}}',
    ],
)
def test_request_decoding_invalid_utf8_bytes(raw: bytes) -> None:
    """Bytes that are not UTF-8, in a list or in the terms: refused by both readers."""
    assert decode_request(raw) is None
    with pytest.raises(ValidationError):
        ExchangeRequest.model_validate_json(raw)


# --------------------------------------------------------------------------- read_request


@RANDOM
@given(request_texts())
def test_read_request_same_as_parse_request_generated(text: str) -> None:
    """Both readers read the same values, or reject with the same list of problems."""
    assert outcome(read_request, text) == outcome(parse_request, text)
    raw = text.encode()
    assert outcome(read_request, raw) == outcome(parse_request, raw)


def _person(pid: str, birth_date: str = "1990-05-01") -> dict[str, object]:
    return {"id": pid, "birth_date": birth_date, "status": "civilian"}


def _request(side_a: list[dict[str, object]] | None = None, **terms: object) -> str:
    """A valid request of a few people, dated, with the given list and terms on top."""
    people = [_person("A-1"), _person("A-2")] if side_a is None else side_a
    return json.dumps(
        {
            "terms": {"reference_date": "2025-05-23", "min_per_side": 0, **terms},
            "side_a": {"name": "Side A", "detainees": people},
            "side_b": {"name": "Side B", "detainees": [_person("B-1")]},
        }
    )


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        (_request(), set()),
        (_request([_person("A-1"), _person("A-2"), _person("A-1")]), {"duplicate_id"}),
        (_request([_person("A-1", "2030-01-01")]), {"birth_date_after_reference_date"}),
        (_request([_person("A-1", "2025-05-23")]), set()),  # born on the day: allowed
        (
            _request(must_include={"side_b": ["B-9"]}, must_exclude={"side_a": ["A-7"]}),
            {"unknown_id"},
        ),
        (
            _request(must_include={"side_a": ["A-2"]}, must_exclude={"side_a": ["A-2"]}),
            {"included_and_excluded"},
        ),
        (_request(min_per_side=3, max_per_side=2), {"max_below_min"}),
        (_request(min_per_side=2, max_per_side=2), set()),
        (_request(stages=[0]), {"stage_capacity"}),
        (_request(stages=[]), {"stage_capacity"}),
        (_request(stages=[2, 0, -1]), {"stage_capacity"}),
        (
            _request([_person("A-1"), _person("A-1", "2030-01-01")], stages=[0], max_per_side=0),
            {"duplicate_id", "birth_date_after_reference_date", "stage_capacity"},
        ),
    ],
)
def test_read_request_same_as_parse_request_cross_field(text: str, rules: set[str]) -> None:
    """Problems across fields are found on the fast path exactly as on the pydantic one."""
    assert decode_request(text) is not None  # the fast path is the one under test
    fast, slow = outcome(read_request, text), outcome(parse_request, text)
    assert fast == slow
    if not rules:
        assert fast[0] == "read"
        return
    assert fast[0] == "invalid"
    assert isinstance(fast[1], list)
    assert {problem.rule for problem in fast[1]} == rules


def test_read_request_default_floor_above_cap() -> None:
    """A cap below the default floor is named as the default on both paths."""
    text = '{"terms":{"max_per_side":5},"side_a":{},"side_b":{}}'
    assert decode_request(text) is not None
    fast, slow = outcome(read_request, text), outcome(parse_request, text)
    assert fast == slow
    assert fast[0] == "invalid"
    assert "(the default)" in str(fast[1])


# --------------------------------------------------------------------------- solving


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_request_fast_path_taken(seed: int) -> None:
    """A realistic request goes the fast way, with the values pydantic would read."""
    text = request_json(generate_request(300, seed, fake_names=True))
    decoded = assert_fast_reader_sound(text)
    assert decoded is not None
    assert isinstance(read_request(text), DecodedRequest)


@pytest.mark.parametrize("seed", [0, 1])
def test_solve_synthetic_request_same_plan_both_readers(seed: int) -> None:
    """Solving the decoded request gives the plan solving the pydantic request gives."""
    text = request_json(generate_request(300, seed))
    decoded = decode_request(text)
    assert decoded is not None
    slow = solve(parse_request(text)).model_dump(exclude={"solve_seconds"})
    fast = solve(decoded).model_dump(exclude={"solve_seconds"})
    assert fast == slow


@RANDOM
@given(request_texts())
def test_recheck_reads_the_same_lists_from_both_readers(text: str) -> None:
    """The re-check reads slotted records its own quick way (yes/no fields as booleans
    at once); the columns must be those it reads from the pydantic models."""
    decoded = decode_request(text)
    assume(decoded is not None)
    assert decoded is not None
    try:
        parsed = parse_request(text)
    except InvalidRequest:
        assume(False)
        return
    on = date(2025, 5, 23)
    fast, slow = read_lists(decoded, on), read_lists(parsed, on)
    for side in Side:
        quick, models = fast.lists[side], slow.lists[side]
        assert quick.ids == models.ids
        assert quick.position == models.position
        for column in ("eligible", "releasable", "civilian", "categories", "group"):
            assert getattr(quick, column).tolist() == getattr(models, column).tolist(), column
            assert getattr(quick, column).dtype == getattr(models, column).dtype, column
        assert quick.captured_on.tolist() == models.captured_on.tolist()
