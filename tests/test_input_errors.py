"""Every kind of input error: found, pinned to its side, id and field, and free of personal data.

Every listed person carries a canary name and birth date; the checks at the bottom of
`problems_of` fail any test whose messages would leak them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from solver.input_errors import InputProblem, InvalidRequest, parse_request, problems_as_text
from solver.schema import ExchangeRequest

CANARY_NAME = "Canary Zzyzx"
CANARY_BIRTH = "1991-07-13"
CANARY_FUTURE_BIRTH = "2031-02-17"  # after the reference date: also personal data
PERSONAL = (CANARY_NAME, "Zzyzx", CANARY_BIRTH, "1991", CANARY_FUTURE_BIRTH, "2031")

Raw = bytes | str | dict[str, Any]
FORMS: dict[str, Callable[[dict[str, Any]], Raw]] = {
    "bytes": lambda doc: json.dumps(doc).encode(),
    "str": json.dumps,
    "mapping": lambda doc: doc,
}


def person(pid: str, **fields: Any) -> dict[str, Any]:
    """A listed person with the canary name and birth date, plus the given fields."""
    return {"id": pid, "name": CANARY_NAME, "birth_date": CANARY_BIRTH, **fields}


def request(
    side_a: list[Any] | None = None,
    side_b: list[Any] | None = None,
    **terms: Any,
) -> dict[str, Any]:
    """A valid request of two people per side, dated, with the given terms on top."""
    return {
        "terms": {"reference_date": "2025-05-23", "min_per_side": 0, **terms},
        "side_a": {
            "name": "Side A",
            "detainees": [person("A-1"), person("A-2")] if side_a is None else side_a,
        },
        "side_b": {
            "name": "Side B",
            "detainees": [person("B-1"), person("B-2")] if side_b is None else side_b,
        },
    }


def problems_of(raw: bytes | str | dict[str, Any]) -> list[InputProblem]:
    """The problems the request is rejected with, after checking none leaks personal data."""
    with pytest.raises(InvalidRequest) as caught:
        parse_request(raw)
    problems = caught.value.problems
    assert problems, "a rejected request names at least one problem"
    texts = [str(caught.value), problems_as_text(problems)]
    texts += [json.dumps(p.model_dump()) for p in problems]
    for text in texts:
        for secret in PERSONAL:
            assert secret not in text
    return problems


def only(problems: list[InputProblem]) -> InputProblem:
    assert len(problems) == 1, problems_as_text(problems)
    return problems[0]


def summary(problems: list[InputProblem]) -> set[tuple[str, str | None, str | None, str]]:
    return {(p.rule, p.side, p.id, p.field) for p in problems}


# --------------------------------------------------------------------------- valid input


@pytest.mark.parametrize("form", FORMS)
def test_parse_request_valid_returns_the_model(form: str) -> None:
    parsed = parse_request(FORMS[form](request()))
    assert isinstance(parsed, ExchangeRequest)
    assert [d.id for d in parsed.side_a.detainees] == ["A-1", "A-2"]


def test_parse_request_valid_keeps_birth_date_on_the_reference_day() -> None:
    parsed = parse_request(request(side_a=[person("A-1", birth_date="2025-05-23")]))
    assert parsed.side_a.detainees[0].birth_date == date(2025, 5, 23)


# --------------------------------------------------------------------------- unreadable


def test_unreadable_json_one_problem_with_line_and_column() -> None:
    problem = only(problems_of(b'{"terms": {"min_per_side": 3,\n  }'))
    assert problem.rule == "unreadable_json"
    assert problem.field == "request"
    assert "line 2" in problem.message


def test_unreadable_json_not_utf8() -> None:
    problem = only(problems_of(b'{"side_a": "\xff\xfe\xfa"}'))
    assert problem.rule == "unreadable_json"


def test_unreadable_json_does_not_echo_the_text() -> None:
    problem = only(problems_of(f'{{"name": "{CANARY_NAME}" "{CANARY_BIRTH}"}}'))
    assert problem.rule == "unreadable_json"


def test_request_not_an_object() -> None:
    problem = only(problems_of("[1, 2]"))
    assert (problem.rule, problem.field) == ("wrong_type", "request")


# --------------------------------------------------------------------------- schema


@pytest.mark.parametrize("form", FORMS)
def test_wrong_type_names_side_id_and_field(form: str) -> None:
    doc = request(side_b=[person("B-1"), person("B-2", age="12")])
    problem = only(problems_of(FORMS[form](doc)))
    assert (problem.side, problem.id, problem.index, problem.field) == ("side_b", "B-2", 1, "age")
    assert problem.rule == "wrong_type"
    assert problem.path == "side_b.detainees[1].age"


def test_out_of_range_age_quotes_the_value() -> None:
    problem = only(problems_of(request(side_a=[person("A-1", age=131)])))
    assert (problem.rule, problem.side, problem.id, problem.field) == (
        "out_of_range",
        "side_a",
        "A-1",
        "age",
    )
    assert "130" in problem.message
    assert "131" in problem.message


def test_unknown_field_in_a_detainee() -> None:
    problem = only(problems_of(request(side_a=[person("A-1", nickname=CANARY_NAME)])))
    assert (problem.rule, problem.side, problem.id, problem.field) == (
        "unknown_field",
        "side_a",
        "A-1",
        "nickname",
    )


def test_unknown_field_in_terms_and_at_the_top() -> None:
    doc = request(mnimum_per_side=3)
    doc["extra"] = {"name": CANARY_NAME}
    assert summary(problems_of(doc)) == {
        ("unknown_field", None, None, "terms.mnimum_per_side"),
        ("unknown_field", None, None, "extra"),
    }


def test_a_misspelt_field_suggests_the_closest_one() -> None:
    doc = request(min_per_sid=3)
    doc["side_b"]["detainees"][0]["seriously_il"] = True
    doc["optons"] = {}
    doc["terms"]["must_include"] = {"side_c": []}
    found = {p.field: p.message for p in problems_of(doc)}
    assert found["terms.min_per_sid"] == "is not a known field; did you mean min_per_side?"
    assert found["seriously_il"] == "is not a known field; did you mean seriously_ill?"
    assert found["optons"] == "is not a known field; did you mean options?"
    assert "; did you mean side_" in found["terms.must_include.side_c"]
    text = problems_as_text(problems_of(request(min_per_sid=3)))
    assert "terms.min_per_sid: is not a known field; did you mean min_per_side?" in text


def test_a_field_like_no_other_gets_no_suggestion() -> None:
    problem = only(problems_of(request(colour="blue")))
    assert problem.message == "is not a known field"


def test_unknown_category_names_the_list_position() -> None:
    problem = only(problems_of(request(priorities=["young", "elderly"])))
    assert (problem.rule, problem.field, problem.index) == (
        "unknown_category",
        "terms.priorities",
        1,
    )
    assert "elderly" in problem.message


@pytest.mark.parametrize("terms_field", ["release_all", "outside_parity"])
def test_unknown_category_in_every_category_list(terms_field: str) -> None:
    problem = only(problems_of(request(**{terms_field: ["wounded"]})))
    assert (problem.rule, problem.field) == ("unknown_category", f"terms.{terms_field}")


def test_invalid_status_value() -> None:
    problem = only(problems_of(request(side_a=[person("A-1", status="prisoner")])))
    assert (problem.rule, problem.id, problem.field) == ("invalid_value", "A-1", "status")
    assert "military" in problem.message


def test_invalid_birth_date_is_described_not_quoted() -> None:
    doc = request(side_a=[person("A-1", birth_date=f"{CANARY_NAME} {CANARY_BIRTH}")])
    problem = only(problems_of(doc))
    assert (problem.rule, problem.id, problem.field) == ("invalid_date", "A-1", "birth_date")


def test_name_of_wrong_type_is_not_quoted() -> None:
    problem = only(problems_of(request(side_a=[person("A-1", name=[CANARY_NAME, 1991])])))
    assert (problem.rule, problem.id, problem.field) == ("wrong_type", "A-1", "name")


def test_entry_that_is_not_an_object_is_located_by_position() -> None:
    doc = request(side_a=[person("A-1"), f"{CANARY_NAME}, born {CANARY_BIRTH}"])
    problem = only(problems_of(doc))
    assert (problem.side, problem.id, problem.index) == ("side_a", None, 1)
    assert problem.path == "side_a.detainees[1]"


def test_missing_id_is_located_by_position() -> None:
    entry = person("A-2")
    del entry["id"]
    problem = only(problems_of(request(side_a=[person("A-1"), entry])))
    assert (problem.rule, problem.side, problem.id, problem.index, problem.field) == (
        "missing_field",
        "side_a",
        None,
        1,
        "id",
    )


def test_too_long_id_is_not_quoted() -> None:
    long_id = "X" * 65
    problem = only(problems_of(request(side_a=[person(long_id)])))
    assert (problem.rule, problem.id, problem.field) == ("invalid_length", None, "id")
    assert long_id not in problem.message


def test_missing_side() -> None:
    doc = request()
    del doc["side_b"]
    problem = only(problems_of(doc))
    assert (problem.rule, problem.side, problem.field) == ("missing_field", "side_b", "side_b")


def test_bad_must_include_entry_names_side_and_position() -> None:
    problem = only(problems_of(request(must_include={"side_a": ["A-1", 7]})))
    assert (problem.rule, problem.side, problem.field, problem.index) == (
        "wrong_type",
        "side_a",
        "terms.must_include",
        1,
    )


# --------------------------------------------------------------------------- consistency


def test_duplicate_id_one_problem_per_repeated_id() -> None:
    doc = request(side_a=[person("A-1"), person("A-2"), person("A-1"), person("A-1")])
    problem = only(problems_of(doc))
    assert (problem.rule, problem.side, problem.id, problem.field, problem.index) == (
        "duplicate_id",
        "side_a",
        "A-1",
        "id",
        2,
    )
    assert "3 entries" in problem.message


def test_same_id_on_both_sides_is_fine() -> None:
    parse_request(request(side_a=[person("X-1")], side_b=[person("X-1")]))


@pytest.mark.parametrize("listing", ["must_include", "must_exclude"])
def test_must_list_naming_an_unknown_id(listing: str) -> None:
    named: dict[str, Any] = {listing: {"side_b": ["B-2", "B-9", "B-9"]}}
    problem = only(problems_of(request(**named)))
    assert (problem.rule, problem.side, problem.id, problem.field, problem.index) == (
        "unknown_id",
        "side_b",
        "B-9",
        f"terms.{listing}",
        1,
    )


def test_id_of_the_other_side_is_unknown() -> None:
    problem = only(problems_of(request(must_include={"side_a": ["B-1"]})))
    assert (problem.rule, problem.side, problem.id) == ("unknown_id", "side_a", "B-1")


def test_same_id_in_must_include_and_must_exclude() -> None:
    doc = request(must_include={"side_a": ["A-1"]}, must_exclude={"side_a": ["A-2", "A-1"]})
    problem = only(problems_of(doc))
    assert (problem.rule, problem.side, problem.id) == ("included_and_excluded", "side_a", "A-1")


def test_birth_date_after_reference_date() -> None:
    doc = request(side_b=[person("B-1"), person("B-2", birth_date=CANARY_FUTURE_BIRTH)])
    problem = only(problems_of(doc))
    assert (problem.rule, problem.side, problem.id, problem.field, problem.index) == (
        "birth_date_after_reference_date",
        "side_b",
        "B-2",
        "birth_date",
        1,
    )
    assert "2025-05-23" in problem.message


def test_birth_date_after_today_when_no_reference_date() -> None:
    doc = request(side_a=[person("A-1", birth_date=(date.today() + timedelta(days=1)).isoformat())])
    del doc["terms"]["reference_date"]
    problem = only(problems_of(doc))
    assert problem.rule == "birth_date_after_reference_date"


def test_stage_capacity_below_one_each_reported() -> None:
    problems = problems_of(request(stages=[390, 0, 303, -3]))
    assert [(p.rule, p.field, p.index) for p in problems] == [
        ("stage_capacity", "terms.stages", 1),
        ("stage_capacity", "terms.stages", 3),
    ]


def test_empty_stage_list() -> None:
    problem = only(problems_of(request(stages=[])))
    assert (problem.rule, problem.field) == ("stage_capacity", "terms.stages")


def test_max_below_min() -> None:
    problem = only(problems_of(request(min_per_side=1000, max_per_side=999)))
    assert (problem.rule, problem.field) == ("max_below_min", "terms.max_per_side")
    assert "999" in problem.message


def test_max_below_default_min_says_so() -> None:
    doc = request(max_per_side=500)
    del doc["terms"]["min_per_side"]
    problem = only(problems_of(doc))
    assert problem.rule == "max_below_min"
    assert "default" in problem.message


def test_max_equal_to_min_is_fine() -> None:
    parse_request(request(min_per_side=2, max_per_side=2))


# --------------------------------------------------------------------------- all at once


def every_defect() -> dict[str, Any]:
    """One defect of every kind, each in its own place."""
    doc = request(
        side_a=[
            person("A-1", age=200),
            person("A-2", status="alien"),
            person("A-1"),
            person("A-4", birth_date=CANARY_FUTURE_BIRTH),
            person("A-5", shoe_size=44),
        ],
        side_b=[person("B-1", birth_date="1991-02-30")],
        priorities=["young", "elderly"],
        stages=[1, 0],
        min_per_side=10,
        max_per_side=5,
        must_include={"side_a": ["A-2", "A-9"], "side_b": ["B-1"]},
        must_exclude={"side_a": ["A-2"]},
    )
    doc["options"] = {"time_limit_s": "soon"}
    return doc


EVERY_DEFECT = {
    ("out_of_range", "side_a", "A-1", "age"),
    ("invalid_value", "side_a", "A-2", "status"),
    ("duplicate_id", "side_a", "A-1", "id"),
    ("birth_date_after_reference_date", "side_a", "A-4", "birth_date"),
    ("unknown_field", "side_a", "A-5", "shoe_size"),
    ("invalid_date", "side_b", "B-1", "birth_date"),
    ("unknown_category", None, None, "terms.priorities"),
    ("stage_capacity", None, None, "terms.stages"),
    ("max_below_min", None, None, "terms.max_per_side"),
    ("unknown_id", "side_a", "A-9", "terms.must_include"),
    ("included_and_excluded", "side_a", "A-2", "terms.must_include"),
    ("wrong_type", None, None, "options.time_limit_s"),
}


@pytest.mark.parametrize("form", FORMS)
def test_all_problems_reported_at_once_one_per_defect(form: str) -> None:
    problems = problems_of(FORMS[form](every_defect()))
    assert summary(problems) == EVERY_DEFECT
    assert len(problems) == len(EVERY_DEFECT)


def test_consistency_checks_agree_with_and_without_schema_errors() -> None:
    """The checks read a parsed model or, after a schema error, the raw document."""
    clean = request(
        side_a=[person("A-1"), person("A-1"), person("A-3", birth_date=CANARY_FUTURE_BIRTH)],
        stages=[0],
        must_include={"side_b": ["B-7"]},
    )
    broken = json.loads(json.dumps(clean))
    broken["options"] = {"workers": 0}
    from_model = problems_of(json.dumps(clean))
    from_document = problems_of(json.dumps(broken))
    assert [p.field for p in from_document if p not in from_model] == ["options.workers"]
    assert [p for p in from_document if p.field != "options.workers"] == from_model


# --------------------------------------------------------------------------- text


def test_problems_as_text_names_path_id_and_rule() -> None:
    doc = request(side_b=[person("B-1"), person("B-2", age=-1)])
    text = problems_as_text(problems_of(doc))
    assert "side_b.detainees[1].age (id 'B-2')" in text
    assert "[out_of_range]" in text


def test_problems_as_text_limit_counts_the_rest() -> None:
    doc = request(side_a=[person(f"A-{i}", age=-1) for i in range(30)])
    problems = problems_of(doc)
    text = problems_as_text(problems, limit=5)
    assert text.count("[out_of_range]") == 5
    assert "and 25 more" in text


def test_invalid_request_is_a_value_error_listing_every_problem() -> None:
    with pytest.raises(ValueError, match=r"2 problem\(s\)"):
        parse_request(request(stages=[0, 0]))


@pytest.mark.parametrize("spelling", ["0", "1704067200", "2020-01-01T00:00:00", "2020-1-1"])
def test_date_not_written_yyyy_mm_dd_is_an_error(spelling: str) -> None:
    """A string of digits would otherwise be read as seconds since 1970: a silent typo."""
    doc = request(side_a=[person("A-1", birth_date=spelling, captured_on=spelling)])
    problems = problems_of(doc)
    assert {(p.id, p.field, p.rule) for p in problems} == {
        ("A-1", "birth_date", "invalid_date"),
        ("A-1", "captured_on", "invalid_date"),
    }
