"""A side's list in numbers: how many people, by category, and how many cannot be
released (and why), at the case's reference date. Categories are the solver's own
(`solver.categories`); nothing here decides who is in which."""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.categories import categories_of, reference_date_of
from solver.schema import Category, SideList, Terms

CATEGORY_ORDER: tuple[Category, ...] = (
    Category.SERIOUSLY_ILL,
    Category.YOUNG,
    Category.CIVILIAN,
    Category.MILITARY,
    Category.REQUESTED,
)


@dataclass(frozen=True)
class ListCounts:
    listed: int
    releasable: int
    ineligible: int
    refuse: int
    unknown_age: int
    groups: int
    by_category: dict[Category, int] = field(default_factory=dict)


def terms_of(terms_json: str | None) -> Terms:
    """The case's terms, or the defaults before any are set."""
    return Terms.model_validate_json(terms_json) if terms_json else Terms()


def list_counts(side_list: SideList, terms: Terms) -> ListCounts:
    on = reference_date_of(terms)
    by_category = dict.fromkeys(CATEGORY_ORDER, 0)
    releasable = ineligible = refuse = unknown_age = 0
    groups: set[str] = set()
    for person in side_list.detainees:
        for category in categories_of(person, on, terms.young_age_limit):
            by_category[category] += 1
        if person.releasable:
            releasable += 1
        if not person.eligible:
            ineligible += 1
        elif not person.consents:
            refuse += 1
        if person.birth_date is None and person.age is None:
            unknown_age += 1
        if person.group is not None:
            groups.add(person.group)
    return ListCounts(
        listed=len(side_list.detainees),
        releasable=releasable,
        ineligible=ineligible,
        refuse=refuse,
        unknown_age=unknown_age,
        groups=len(groups),
        by_category=by_category,
    )
