"""Which categories a detainee is in, and how long they have been held.

Both are computed at the exchange's reference date, so the same list gives the same
answer whenever it is solved.
"""

from __future__ import annotations

from datetime import date

from solver.schema import Category, DetaineeRecord, Terms


def reference_date_of(terms: Terms) -> date:
    """The exchange date: the agreed one, or today when the terms leave it open."""
    return terms.reference_date if terms.reference_date is not None else date.today()


def age_on(birth_date: date, on: date) -> int:
    """Age in full years on a given day (a birthday on that day counts)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def known_age(detainee: DetaineeRecord, on: date) -> int | None:
    """The age to use: from `birth_date` when given (it wins), else `age`, else unknown."""
    if detainee.birth_date is not None:
        return age_on(detainee.birth_date, on)
    return detainee.age


def captivity_days(detainee: DetaineeRecord, on: date) -> int:
    """Days held at the reference date; unknown or future capture dates count as 0."""
    if detainee.captured_on is None:
        return 0
    return max(0, (on - detainee.captured_on).days)


def categories_of(detainee: DetaineeRecord, on: date, young_age_limit: int) -> frozenset[Category]:
    """Every category the detainee is in; an unknown age never makes someone young."""
    found = {Category.CIVILIAN if detainee.status == "civilian" else Category.MILITARY}
    if detainee.seriously_ill:
        found.add(Category.SERIOUSLY_ILL)
    age = known_age(detainee, on)
    if age is not None and age < young_age_limit:
        found.add(Category.YOUNG)
    if detainee.requested:
        found.add(Category.REQUESTED)
    return frozenset(found)
