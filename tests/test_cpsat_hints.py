"""`set_hints` writes the same solution hint as one `add_hint` per pair."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from solver.cpsat import cp_model, set_hints


def _hint_of(model: cp_model.CpModel) -> tuple[list[int], list[int]]:
    hint = model.proto.solution_hint
    return list(hint.vars), list(hint.values)


@given(
    values=st.lists(st.integers(min_value=-50, max_value=50), max_size=12),
    flags=st.lists(st.booleans(), max_size=6),
    stale=st.integers(min_value=0, max_value=3),
)
def test_set_hints_matches_add_hint(values: list[int], flags: list[bool], stale: int) -> None:
    models = []
    for model in (cp_model.CpModel(), cp_model.CpModel()):
        xs = [model.new_int_var(-50, 50, f"x{i}") for i in range(len(values))]
        bs = [model.new_bool_var(f"b{i}") for i in range(len(flags))]
        for x in xs[:stale]:
            model.add_hint(x, 0)  # an earlier hint, which both must drop
        models.append(
            (model, [*zip(xs, values, strict=True), *zip(bs, map(int, flags), strict=True)])
        )
    (bulk, bulk_pairs), (one_by_one, pairs) = models

    set_hints(bulk, bulk_pairs)
    one_by_one.clear_hints()  # type: ignore[no-untyped-call]
    for var, value in pairs:
        one_by_one.add_hint(var, value)

    assert _hint_of(bulk) == _hint_of(one_by_one)
    assert len(_hint_of(bulk)[0]) == len(values) + len(flags)
