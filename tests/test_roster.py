"""Reading a side's list into columns: the column arithmetic against one person at a time."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.categories import age_on
from solver.roster import _ages
from tests.handmade import person

_DAYS = st.one_of(
    st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31)),
    st.dates(),  # any year from 1 to 9999
)


@settings(max_examples=300)
@given(
    on=_DAYS,
    births=st.lists(st.one_of(st.none(), _DAYS), max_size=12),
    stated=st.lists(st.one_of(st.none(), st.integers(0, 130)), min_size=12, max_size=12),
)
def test_ages_match_age_on_person_by_person(
    on: date, births: list[date | None], stated: list[int | None]
) -> None:
    """Leap days and births after `on` included: the whole column is aged exactly as
    `age_on` ages one person."""
    people = [
        person(f"A-{i}", birth_date=b, age=a)
        for i, (b, a) in enumerate(zip(births, stated, strict=False))
    ]
    ages, unknown, mismatch = _ages(people, on)
    for i, p in enumerate(people):
        expected = age_on(p.birth_date, on) if p.birth_date is not None else p.age
        assert bool(unknown[i]) == (expected is None)
        if expected is not None:
            assert ages[i] == expected
        assert bool(mismatch[i]) == (
            p.birth_date is not None and p.age is not None and p.age != expected
        )
