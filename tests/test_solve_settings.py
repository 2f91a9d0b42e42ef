"""A solve holds Python's cycle collector off and switches threads more often, and
always leaves the interpreter as it found it."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from solver import planner, solve
from solver.schema import ExchangeRequest
from tests.handmade import exchange, person


@pytest.fixture
def collector_on() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.enable()
    yield
    if not was_on:
        gc.disable()


def _small_request() -> ExchangeRequest:
    return exchange([person("A-1")], [person("B-1")], min_per_side=1)


def test_paused_during_a_solve_and_on_again_after(collector_on: None) -> None:
    seen: list[bool] = []
    with planner._solving():
        seen.append(gc.isenabled())
    assert seen == [False]
    assert gc.isenabled()
    plan = solve(_small_request())
    assert plan.status == "optimal"
    assert gc.isenabled()


def test_quick_switches_during_a_solve_and_the_interval_put_back_after() -> None:
    before = sys.getswitchinterval()
    seen: list[float] = []
    with planner._solving():
        seen.append(sys.getswitchinterval())
    assert seen == [pytest.approx(min(before, planner._SWITCH_INTERVAL_S))]
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), planner._solving():
        raise RuntimeError("boom")
    assert sys.getswitchinterval() == before


def test_a_shorter_interval_set_by_the_host_is_kept() -> None:
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    try:
        with planner._solving():
            assert sys.getswitchinterval() == pytest.approx(0.0002, rel=0.01)
        assert sys.getswitchinterval() == pytest.approx(0.0002, rel=0.01)
    finally:
        sys.setswitchinterval(before)


def test_on_again_after_a_failing_solve(collector_on: None) -> None:
    with pytest.raises(RuntimeError), planner._solving():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_left_off_when_it_was_off(collector_on: None) -> None:
    gc.disable()
    with planner._solving():
        pass
    assert not gc.isenabled()


def test_overlapping_solves_resume_it_once_the_last_ends(collector_on: None) -> None:
    before = sys.getswitchinterval()
    first_in, second_done = threading.Event(), threading.Event()
    states: list[tuple[str, bool]] = []

    def first() -> None:
        with planner._solving():
            first_in.set()
            second_done.wait(5)
            states.append(("first still running", gc.isenabled()))

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with planner._solving():
        pass
    states.append(("second done", gc.isenabled()))
    second_done.set()
    thread.join(5)
    assert states == [("second done", False), ("first still running", False)]
    assert gc.isenabled()
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("collecting", [True, False])
def test_importing_the_planner_leaves_the_collector_as_it_was(collecting: bool) -> None:
    """The collector is held off while the package imports, then put back."""
    script = (
        "import gc\n"
        f"gc.enable() if {collecting} else gc.disable()\n"
        "import solver\n"
        f"assert gc.isenabled() is {collecting}\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[1])
