"""The day's event forms: what the mediator fills in, as the events
`POST /v1/cases/{id}/events` takes.

A form can only be wrong here in ways a form alone can be (an age that is not a number,
an update that changes nothing). Everything else (an unknown id, a stage out of order,
someone handed over twice, a date written wrong) is found by the events' own check,
`app.exchange_day.CaseDay.check`, and shown in its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, get_args

from starlette.datastructures import FormData

from solver.schema import DropoutReason

EVENT_KINDS: tuple[str, ...] = ("stage_executed", "dropout", "add", "update")
DROPOUT_REASONS: tuple[str, ...] = get_args(DropoutReason)
SIDES: tuple[str, str] = ("side_a", "side_b")
_IDS = re.compile(r"[\s,;]+")

# Text fields of a person, as `add` and `update` take them; empty means not given.
_TEXT_FIELDS = ("name", "ineligible_reason", "group")
_DATE_FIELDS = ("birth_date", "captured_on")
# Yes/no facts: ticked boxes for `add`, "no change / yes / no" choices for `update`.
_FLAGS = ("seriously_ill", "consents", "eligible", "requested")
_ADD_FLAGS_ON = ("consents", "eligible")  # a person consents and is eligible unless told


@dataclass
class EventForm:
    """One event form as filled in (text), and what is wrong with it: a catalogue key per
    field found here, the check's own words per field it names."""

    kind: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem_texts: dict[str, str] = field(default_factory=dict)

    @property
    def invalid(self) -> set[str]:
        return set(self.errors) | set(self.problem_texts)


def blank_forms(stage: int | None, crossed: dict[str, list[str]]) -> dict[str, EventForm]:
    """The forms as the page first shows them: the next stage's people as agreed, less
    those who dropped out (the check's own default), in its form."""
    forms = {kind: EventForm(kind) for kind in EVENT_KINDS}
    if stage is not None:
        forms["stage_executed"].values = {
            "number": str(stage),
            **{f"crossed_{side}": "\n".join(crossed.get(side, [])) for side in SIDES},
        }
    forms["add"].values = {"status": "military", **dict.fromkeys(_ADD_FLAGS_ON, "yes")}
    return forms


def _whole(form: EventForm, name: str, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        form.errors[name] = "day.error_whole_number"
        return None
    return int(text)


def event_of(data: FormData) -> tuple[EventForm, dict[str, Any] | None]:
    """The event a submitted form stands for, or None when the form itself is wrong (an
    unknown kind of event is None without a form worth showing)."""
    kind = str(data.get("type", ""))
    form = EventForm(kind if kind in EVENT_KINDS else "dropout")
    form.values = {
        name: value.strip() if name != "detail" else value
        for name, value in ((k, str(v)) for k, v in data.multi_items())
        if name not in ("csrf_token", "type")
    }
    if kind not in EVENT_KINDS:
        form.errors["type"] = "day.error_kind"
        return form, None
    values = form.values
    event: dict[str, Any] = {"type": kind}
    if kind == "stage_executed":
        number = _whole(form, "number", values.get("number", ""))
        event["number"] = number
        event["handed_over"] = {
            side: [i for i in _IDS.split(values.get(f"crossed_{side}", "")) if i] for side in SIDES
        }
    else:
        event["side"] = values.get("side", "")
        person_id = values.get("id", "")
        if not person_id:
            form.errors["id"] = "day.error_id"
    if kind == "dropout":
        event["id"] = values.get("id", "")
        event["reason"] = values.get("reason", "")
        if values.get("detail", "").strip():
            event["detail"] = values["detail"].strip()
    elif kind == "add":
        event["detainee"] = _added(form, values)
    elif kind == "update":
        event["id"] = values.get("id", "")
        event["fields"] = _updated(form, values)
        if not event["fields"] and "id" not in form.errors:
            form.errors["fields"] = "day.error_nothing_changed"
    return form, (None if form.errors else event)


def _added(form: EventForm, values: dict[str, str]) -> dict[str, Any]:
    person: dict[str, Any] = {"id": values.get("id", ""), "status": values.get("status", "")}
    for name in (*_TEXT_FIELDS, *_DATE_FIELDS):
        if values.get(name):
            person[name] = values[name]
    age = _whole(form, "age", values.get("age", ""))
    if age is not None:
        person["age"] = age
    for flag in _FLAGS:
        person[flag] = values.get(flag) == "yes"
    return person


def _updated(form: EventForm, values: dict[str, str]) -> dict[str, Any]:
    """Only what the form changes: empty fields and "no change" are left out."""
    fields: dict[str, Any] = {}
    for name in (*_TEXT_FIELDS, *_DATE_FIELDS):
        if values.get(name):
            fields[name] = values[name]
    age = _whole(form, "age", values.get("age", ""))
    if age is not None:
        fields["age"] = age
    if values.get("status") in ("military", "civilian"):
        fields["status"] = values["status"]
    for flag in _FLAGS:
        if values.get(flag) in ("yes", "no"):
            fields[flag] = values[flag] == "yes"
    return fields


_FIELD_PATH = re.compile(r"^events\[\d+\]\.(?:detainee\.|fields\.|handed_over\.)?([a-z_]+)")


def form_field(problem_field: str) -> str | None:
    """The form field a check's problem is about (`events[0].detainee.age` -> `age`,
    `events[0].handed_over.side_b[1]` -> `crossed_side_b`)."""
    found = _FIELD_PATH.match(problem_field)
    if found is None:
        return None
    name = found.group(1)
    if ".handed_over." in problem_field:
        return f"crossed_{name}"
    return name
