"""Within a member code, the longest held come first: the quick order is `np.lexsort`'s."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from solver.pools import by_code_then_longest_held


@st.composite
def _people(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Codes and days; mostly days that fit in 16 bits (the quick path), some not."""
    longest = draw(st.sampled_from([0, 40, 65_535, 1 << 17]))
    n = draw(st.integers(min_value=0, max_value=60))
    codes = draw(st.lists(st.integers(0, 2047), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, longest), min_size=n, max_size=n))
    return codes, days


@given(people=_people())
def test_the_same_order_as_lexsort(people: tuple[list[int], list[int]]) -> None:
    codes = np.array(people[0], dtype=np.int64)
    days = np.array(people[1], dtype=np.int64)
    expected = np.lexsort((np.arange(codes.size), -days, codes))
    assert by_code_then_longest_held(codes, days).tolist() == expected.tolist()


def test_ties_keep_list_order_and_long_captivity_falls_back() -> None:
    codes = np.array([3, 1, 3, 1, 3], dtype=np.int64)
    for longest in (900, 70_000):  # 70,000 days does not fit in 16 bits
        days = np.array([5, 7, longest, 7, 5], dtype=np.int64)
        assert by_code_then_longest_held(codes, days).tolist() == [1, 3, 2, 0, 4]
