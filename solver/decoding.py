"""The fast reader: a request's JSON decoded into light objects, checked as strictly.

The pydantic models in `solver.schema` are the contract and the API's documentation, but
building 100,000 of them costs about seven times decoding the JSON itself. Here msgspec
decodes the lists of people into slotted structs with the same fields, types and limits,
in about the time `json.loads` takes. The terms and options, a few hundred bytes, still
go through the pydantic models.

This reader only ever says "yes, exactly as the models would" or "ask the models": a
request it refuses is read again by `parse_request`, which names every problem (or, for
the few spellings only pydantic accepts, such as a date written as a midnight datetime,
accepts it). A hypothesis test holds the two readers to accepting the same requests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Literal

import msgspec

from solver.schema import Options, Side, Terms

_Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class DetaineeEntry(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    """One person, as `solver.schema.Detainee` describes it (same names, types, limits)."""

    id: _Id
    name: str | None = None
    birth_date: date | None = None
    age: Annotated[int, msgspec.Meta(ge=0, le=130)] | None = None
    status: Literal["military", "civilian"] = "military"
    seriously_ill: bool = False
    captured_on: date | None = None
    consents: bool = True
    eligible: bool = True
    ineligible_reason: str | None = None
    group: _Id | None = None
    requested: bool = False
    surname: str | None = None
    given_name: str | None = None
    patronymic: str | None = None
    birth_place: str | None = None
    serial_number: str | None = None
    unit: str | None = None


class SideEntries(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One side's list, as `solver.schema.SideList` describes it."""

    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    detainees: list[DetaineeEntry] = msgspec.field(default_factory=list)


class _Document(msgspec.Struct, forbid_unknown_fields=True):
    """The request's top level; terms and options are left as JSON for the models."""

    side_a: SideEntries
    side_b: SideEntries
    terms: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"{}"))
    options: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"{}"))


_DECODER = msgspec.json.Decoder(_Document)


@dataclass(frozen=True)
class DecodedRequest:
    """A request read by the fast reader: the solver reads it like an `ExchangeRequest`."""

    terms: Terms
    options: Options
    side_a: SideEntries
    side_b: SideEntries

    def side(self, side: Side) -> SideEntries:
        return self.side_a if side is Side.A else self.side_b

    def with_options(self, options: Options) -> DecodedRequest:
        return replace(self, options=options)


def decode_request(raw: bytes | str) -> DecodedRequest | None:
    """The request read the fast way, or None when the pydantic models must read it.

    Only the form of the request is checked here; the checks across fields (duplicate
    ids, unknown ids in must_include, dates after the reference date...) are the same
    for both readers and run after this.
    """
    try:
        document = _DECODER.decode(raw)
        terms = Terms.model_validate_json(bytes(document.terms))
        options = Options.model_validate_json(bytes(document.options))
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
        return None
    return DecodedRequest(terms, options, document.side_a, document.side_b)
