"""Hypothesis strategies for small, random, synthetic exchange requests.

Shared by every test that compares a solver with another one (or with brute force), so
they aim at the corners the rules meet in: people who are not releasable, groups, ages
on the young limit, uncounted categories, tight stages, must_include of someone who
cannot be released. Ids look like "A-17" / "B-4", names like "Test Person 3"; no real
person appears. Every request has an explicit `reference_date` so results never depend
on the day the tests run, and every request passes input validation (unique ids,
disjoint must_include / must_exclude naming listed ids, birth dates not after the
reference date, max_per_side >= min_per_side, capacities >= 1).

Typical use::

    @given(requests(max_people_per_side=4, max_stages=2))
    def test_something(request: ExchangeRequest) -> None: ...
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from solver.schema import (
    Category,
    Detainee,
    ExchangeRequest,
    IdsBySide,
    Options,
    Side,
    SideList,
    Terms,
)

REFERENCE_DATE = date(2025, 5, 23)
YOUNG_AGE_LIMIT = 25
GROUP_LABELS = ("g1", "g2")
ALL_CATEGORIES = tuple(Category)


@st.composite
def detainees(
    draw: st.DrawFn,
    side: Side,
    *,
    min_people: int = 0,
    max_people: int = 6,
    reference_date: date = REFERENCE_DATE,
    young_age_limit: int = YOUNG_AGE_LIMIT,
) -> list[Detainee]:
    """One side's list: min_people..max_people synthetic people with unique, shuffled ids.

    Ages cluster around `young_age_limit` and birth dates around the birthday that
    crosses it, so the young category is decided on the boundary as often as not.
    """
    prefix = "A" if side is Side.A else "B"
    numbers = draw(
        st.lists(st.integers(1, 999), min_size=min_people, max_size=max_people, unique=True)
    )
    people: list[Detainee] = []
    for n in numbers:
        age_kind = draw(st.sampled_from(["none", "age", "birth_date"]))
        age: int | None = None
        birth_date: date | None = None
        if age_kind == "age":
            age = draw(st.integers(max(0, young_age_limit - 3), young_age_limit + 3))
        elif age_kind == "birth_date":
            years = draw(st.integers(max(0, young_age_limit - 1), young_age_limit + 1))
            offset = draw(st.integers(-3, 3))
            birth_date = _years_before(reference_date, years) + timedelta(days=offset)
            birth_date = min(birth_date, reference_date)
        captured_on = draw(
            st.none() | st.integers(0, 2000).map(lambda d: reference_date - timedelta(days=d))
        )
        eligible = not draw(_one_in(8))
        people.append(
            Detainee(
                id=f"{prefix}-{n}",
                name=draw(st.none() | st.just(f"Test Person {n}")),
                birth_date=birth_date,
                age=age,
                status=draw(st.sampled_from(["military", "civilian"])),
                seriously_ill=draw(_one_in(4)),
                captured_on=captured_on,
                consents=not draw(_one_in(8)),
                eligible=eligible,
                ineligible_reason=None if eligible else "pending proceedings",
                group=draw(st.sampled_from([None, None, *GROUP_LABELS])),
                requested=draw(st.booleans()),
            )
        )
    return people


@st.composite
def terms_for(
    draw: st.DrawFn,
    side_a: list[Detainee],
    side_b: list[Detainee],
    *,
    max_stages: int = 2,
    max_min_per_side: int = 3,
    reference_date: date = REFERENCE_DATE,
    young_age_limit: int = YOUNG_AGE_LIMIT,
) -> Terms:
    """Terms that fit these lists: small floors, optional caps and stages, named ids.

    release_all and outside_parity are usually empty (a non-empty one often forces
    infeasibility on tiny lists); must_include / must_exclude pick listed ids, disjoint.
    """
    # Floors of 0 or 1 half the time: on lists this short a floor of 3 is mostly infeasible.
    min_per_side = draw(st.integers(0, min(1, max_min_per_side)) | st.integers(0, max_min_per_side))
    max_per_side = draw(st.none() | st.integers(min_per_side, min_per_side + 3))
    priorities = draw(st.permutations(ALL_CATEGORIES).flatmap(_prefix))
    stages: list[int] | None = None
    if max_stages >= 1:
        stages = draw(st.none() | st.lists(st.integers(1, 4), min_size=1, max_size=max_stages))
    must_include: dict[Side, list[str]] = {}
    must_exclude: dict[Side, list[str]] = {}
    for side, people in ((Side.A, side_a), (Side.B, side_b)):
        ids = [p.id for p in people]
        named = draw(
            st.lists(st.sampled_from(ids), unique=True, max_size=2) if ids else st.just([])
        )
        split = draw(st.integers(0, len(named)))
        must_include[side] = named[:split]
        must_exclude[side] = named[split:]
    return Terms(
        reference_date=reference_date,
        min_per_side=min_per_side,
        max_per_side=max_per_side,
        parity=draw(st.sampled_from(["total", "per_status"])),
        young_age_limit=young_age_limit,
        priorities=priorities,
        release_all=draw(_small_category_set()),
        outside_parity=draw(_small_category_set()),
        stages=stages,
        civilians_separately=draw(st.booleans()),
        must_include=IdsBySide(side_a=must_include[Side.A], side_b=must_include[Side.B]),
        must_exclude=IdsBySide(side_a=must_exclude[Side.A], side_b=must_exclude[Side.B]),
    )


@st.composite
def requests(
    draw: st.DrawFn,
    max_people_per_side: int = 6,
    max_stages: int = 2,
    *,
    min_people_per_side: int = 1,
    max_min_per_side: int = 3,
    reference_date: date = REFERENCE_DATE,
) -> ExchangeRequest:
    """A whole valid request: two synthetic lists and terms drawn to fit them.

    Args:
        max_people_per_side: upper bound on each side's list length (releasable or not).
        min_people_per_side: lower bound on it; pass 0 to include empty lists.
        max_stages: upper bound on the number of stages when stages are drawn (None
            is drawn too, meaning one stage without capacity).
        max_min_per_side: upper bound on the drawn floor.
        reference_date: the exchange date written into the terms.

    Options are left at their defaults (one worker, seed 0).
    """
    young_age_limit = draw(st.sampled_from([YOUNG_AGE_LIMIT, 18]))
    people = {
        side: draw(
            detainees(
                side,
                min_people=min_people_per_side,
                max_people=max_people_per_side,
                reference_date=reference_date,
                young_age_limit=young_age_limit,
            )
        )
        for side in (Side.A, Side.B)
    }
    terms = draw(
        terms_for(
            people[Side.A],
            people[Side.B],
            max_stages=max_stages,
            max_min_per_side=max_min_per_side,
            reference_date=reference_date,
            young_age_limit=young_age_limit,
        )
    )
    return ExchangeRequest(
        terms=terms,
        side_a=SideList(name="Side A", detainees=people[Side.A]),
        side_b=SideList(name="Side B", detainees=people[Side.B]),
        options=Options(),
    )


def _one_in(n: int) -> st.SearchStrategy[bool]:
    """True about one time in n: rare enough that most people stay ordinary."""
    return st.integers(1, n).map(lambda k: k == 1)


def _small_category_set() -> st.SearchStrategy[list[Category]]:
    """Empty three times in four; otherwise one or two categories."""
    some = st.lists(st.sampled_from(ALL_CATEGORIES), unique=True, min_size=1, max_size=2)
    return st.sampled_from([False, False, False, True]).flatmap(
        lambda nonempty: some if nonempty else st.just([])
    )


def _prefix(order: list[Category]) -> st.SearchStrategy[list[Category]]:
    return st.integers(0, len(order)).map(lambda n: order[:n])


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
