"""The screens of a case, in the order a negotiation goes through them.

The navigation shows a screen when its route is registered, so a screen that another
part of the service adds (the reconciliation review queue, the day of the exchange)
appears in its place as soon as its page route exists, with no change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.routing import NoMatchFound

from app.core.security import Caller
from app.pages.rendering import page_path


@dataclass(frozen=True)
class Screen:
    """One screen of a case: its route's name, its label's catalogue key, who sees it."""

    route: str
    label: str
    parties: bool = False


CASE_SCREENS: tuple[Screen, ...] = (
    Screen("case_page", "nav.case", parties=True),
    Screen("lists_page", "nav.lists"),
    Screen("reconciliation_page", "nav.reconciliation"),
    Screen("terms_page", "nav.terms"),
    Screen("solve_page", "nav.solve"),
    Screen("scenarios_page", "nav.scenarios"),
    Screen("verify_page", "nav.verify"),
    Screen("day_page", "nav.day"),
    Screen("downloads_page", "nav.downloads"),
)


def case_screens(request: Request, caller: Caller) -> list[Screen]:
    """The screens this caller may open, among those the service has."""
    return [
        screen
        for screen in CASE_SCREENS
        if (caller.is_mediator or screen.parties) and _exists(request, screen.route)
    ]


def _exists(request: Request, route: str) -> bool:
    try:
        page_path(request, route, case_id="-")
    except NoMatchFound:
        return False
    return True
