"""Request bodies for the service tests, and the canary that must never come back."""

from __future__ import annotations

import copy
from typing import Any

from app.examples import EXCHANGE

CANARY_NAME = "Canary Zzyzx-Quintero"
CANARY_BIRTH_DATE = "1987-06-05"


def exchange(**terms: Any) -> dict[str, Any]:
    """The example exchange (a fresh copy), with some terms changed."""
    body = copy.deepcopy(EXCHANGE)
    body["terms"].update(terms)
    return body


def with_canary(body: dict[str, Any]) -> dict[str, Any]:
    """The body with a recognisable fake name and birth date on the first person of side A."""
    body = copy.deepcopy(body)
    person = body["side_a"]["detainees"][0]
    person["name"] = CANARY_NAME
    person["birth_date"] = CANARY_BIRTH_DATE
    return body


def assert_no_personal_data(text: str) -> None:
    assert CANARY_NAME not in text
    assert "Zzyzx" not in text
    assert CANARY_BIRTH_DATE not in text
