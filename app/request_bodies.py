"""Reading exchange requests from raw bodies, so a bad one is answered in our own words.

Bodies are parsed by the solver's `parse_request`, not by FastAPI, so that a 422 carries
one problem per defect (side, id, field, rule) and never quotes a name or birth date.
These functions run through `app.core.offload`: a long list is parsed in a helper process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from app.core.config import Settings
from app.dispatch import SolveOrder
from app.problems import ProblemItem, invalid_request
from solver import ExchangeRequest
from solver.input_errors import InputProblem, InvalidRequest, parse_request


def order_from_json(body: bytes, settings: Settings) -> SolveOrder:
    """The body as an exchange request within this service's limits, ready for a worker."""
    return SolveOrder.of(exchange_request_of(body, settings))


def json_object_of(body: bytes) -> dict[str, object]:
    """The body as a JSON object, for bodies that wrap an exchange request with more."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        parse_request(body)  # raises InvalidRequest, described the same way as for /plans
        raise InvalidRequest([_not_an_object()])
    return document


def exchange_request_of(raw: bytes | Mapping[str, object], settings: Settings) -> ExchangeRequest:
    """Parse a request, then apply the service's default and maximum time limit."""
    return within_service_limits(parse_request(raw), settings)


def within_service_limits(request: ExchangeRequest, settings: Settings) -> ExchangeRequest:
    """The default time limit when none was asked for; a longer one than allowed, or a list
    longer than `max_list_length`, is refused."""
    too_long = [
        InputProblem(
            side=side,
            id=None,
            field="detainees",
            rule="service_limit",
            message=f"lists {len(people):,} people; this service takes at most "
            f"{settings.max_list_length:,} per side",
        )
        for side, people in (
            ("side_a", request.side_a.detainees),
            ("side_b", request.side_b.detainees),
        )
        if len(people) > settings.max_list_length
    ]
    if too_long:
        raise InvalidRequest(too_long)
    options = request.options
    if "time_limit_s" not in options.model_fields_set:
        limit = min(settings.default_time_limit_s, settings.max_time_limit_s)
        options = options.model_copy(update={"time_limit_s": limit})
        return request.model_copy(update={"options": options})
    if options.time_limit_s > settings.max_time_limit_s:
        raise InvalidRequest(
            [
                InputProblem(
                    side=None,
                    id=None,
                    field="options.time_limit_s",
                    rule="service_limit",
                    message=f"must be at most {settings.max_time_limit_s:g} s on this service",
                )
            ]
        )
    return request


M = TypeVar("M", bound=BaseModel)


def model_from_body(model: type[M], body: bytes) -> M:
    """A small JSON body as `model`, or the 422 problem naming each bad field (read here,
    after authentication, rather than by FastAPI, which reads bodies before it)."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        items = [
            ProblemItem(
                side=None,
                id=None,
                field=".".join(str(part) for part in detail["loc"]) or "request",
                rule=str(detail["type"]),
                message=str(detail["msg"]),
            )
            for detail in error.errors(include_input=False, include_url=False)
        ]
        raise invalid_request(items) from None


def _not_an_object() -> InputProblem:
    return InputProblem(
        side=None, id=None, field="request", rule="wrong_type", message="must be a JSON object"
    )
