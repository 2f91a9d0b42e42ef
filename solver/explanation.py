"""Why people are not released, and what the mediator should look at twice.

Every listed person who is not released gets a reason; warnings flag what the terms
allowed but the agreement's spirit or the data quality questions (art. 109, unknown
ages). Only registry ids and counts appear here, never names or birth dates.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from solver.assignment import Assignment
from solver.roster import CATEGORY_BIT, BoolArray, Roster, Rosters
from solver.schema import Category, NotReleased, NotReleasedReason, PlanWarning, Terms
from solver.wording import people

_SHOWN_IDS = 10


_BLOCKED_BY_EXCLUSION = "a member of the same group is excluded and the group travels together"


def not_released(rosters: Rosters, assignment: Assignment | None) -> list[NotReleased]:
    """Each person not released, with the first reason that applies, side A first.

    Reasons are worked out on whole columns: at 100,000 people per side there are tens
    of thousands of entries, and a Python decision per person would cost more than the
    search.
    """
    entries: list[NotReleased] = []
    for roster in rosters:
        released = (
            assignment.of(roster.side) > 0
            if assignment is not None
            else np.zeros(roster.size, dtype=bool)
        )
        order = roster.by_id
        left = order[~released[order]].tolist()
        code_of = np.select(
            [~roster.eligible, ~roster.consents, roster.must_exclude], [0, 1, 2], default=3
        )
        # A detail is the reason given for an ineligible person, or a blocking exclusion.
        details = {i: text for i, text in roster.ineligible_reasons.items() if code_of[i] == 0}
        blocked = _groups_blocked_by_exclusion(roster) & (code_of == 3)
        details.update(dict.fromkeys(np.flatnonzero(blocked).tolist(), _BLOCKED_BY_EXCLUSION))
        entries.extend(
            map(
                NotReleased,
                repeat(roster.side),
                map(roster.ids.__getitem__, left),
                map(_REASONS.__getitem__, code_of[left].tolist()),
                map(details.get, left),
            )
        )
    return entries


# The reasons in the order they are checked: the first that applies is given.
_REASONS: tuple[NotReleasedReason, ...] = (
    "ineligible",
    "no_consent",
    "must_exclude",
    "not_selected",
)


def _groups_blocked_by_exclusion(roster: Roster) -> BoolArray:
    """People whose group cannot travel because a releasable member is excluded."""
    excluded_groups = np.unique(roster.group[roster.must_exclude & roster.releasable])
    excluded_groups = excluded_groups[excluded_groups >= 0]
    return np.isin(roster.group, excluded_groups) & (roster.group >= 0)


def warnings(rosters: Rosters, assignment: Assignment | None) -> list[PlanWarning]:
    """Data problems that did not stop the solve, and releasable ill people left behind."""
    terms = rosters.terms
    found: list[PlanWarning] = []
    if assignment is not None:
        found.extend(_ill_left_behind(rosters, assignment))
    young_matters = Category.YOUNG in {*terms.priorities, *terms.release_all, *terms.outside_parity}
    for roster in rosters:
        if young_matters and roster.unknown_age.any():
            found.append(
                _per_person(
                    "unknown_age",
                    roster,
                    roster.unknown_age,
                    "with no birth date or age, not counted as young",
                )
            )
        if roster.age_mismatch.any():
            found.append(
                _per_person(
                    "age_mismatch",
                    roster,
                    roster.age_mismatch,
                    "whose stated age disagrees with the birth date; the birth date was used",
                )
            )
        if roster.future_capture.any():
            found.append(
                _per_person(
                    "captured_after_reference_date",
                    roster,
                    roster.future_capture,
                    "captured after the reference date; counted as 0 days in captivity",
                )
            )
        split = _groups_partly_releasable(roster)
        if split.any():
            found.append(
                _per_person(
                    "group_partly_releasable",
                    roster,
                    split,
                    "in groups where some members cannot be released; the others may travel "
                    "without them",
                )
            )
    found.extend(_duplicate_terms(terms))
    return found


def _ill_left_behind(rosters: Rosters, assignment: Assignment) -> list[PlanWarning]:
    found: list[PlanWarning] = []
    for roster in rosters:
        ill = (roster.categories & CATEGORY_BIT[Category.SERIOUSLY_ILL]) != 0
        left = ill & roster.releasable & (assignment.of(roster.side) == 0)
        if left.any():
            found.append(
                _per_person(
                    "seriously_ill_not_released",
                    roster,
                    left,
                    "seriously ill or wounded and releasable but not released; the Third Geneva "
                    "Convention (art. 109) asks for their repatriation regardless of numbers",
                )
            )
    return found


def _groups_partly_releasable(roster: Roster) -> BoolArray:
    in_group = roster.group >= 0
    blocked_groups = np.unique(roster.group[in_group & ~roster.releasable])
    return np.isin(roster.group, blocked_groups) & in_group & roster.releasable


def _per_person(code: str, roster: Roster, who: BoolArray, what: str) -> PlanWarning:
    # The first few ids in id order, from the roster's sorted order: thousands of people
    # may have unknown ages, and only a few of them are named.
    order = roster.by_id
    first = order[who[order]][:_SHOWN_IDS].tolist()
    count = int(who.sum())
    shown = ", ".join(roster.ids[i] for i in first) + (", ..." if count > _SHOWN_IDS else "")
    return PlanWarning(
        code=code,
        message=f"{roster.side.value}: {people(count)} {what} ({shown}).",
    )


def _duplicate_terms(terms: Terms) -> list[PlanWarning]:
    found: list[PlanWarning] = []
    for field in ("priorities", "release_all", "outside_parity"):
        listed: list[Category] = getattr(terms, field)
        if len(set(listed)) != len(listed):
            found.append(
                PlanWarning(
                    code=f"duplicate_{field}",
                    message=f"terms.{field} names a category twice; the first mention counts.",
                )
            )
    return found
