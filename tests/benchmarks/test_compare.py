"""Two checkouts on the same requests: the harness runs end to end (here against itself)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks import compare
from benchmarks.variants import VARIANTS
from solver.synthetic import request_json


def test_compare_runs_a_checkout_against_itself(capsys: pytest.CaptureFixture[str]) -> None:
    code = compare.main(
        ["--before", str(compare.HERE), "--per-side", "200", "--rounds", "1", "--only", "a cap"]
    )
    table = capsys.readouterr().out
    assert code == 0
    assert "| a-cap |" in table
    assert "| all |" in table
    assert "optimal" in table


def test_compare_refuses_a_folder_that_is_no_checkout(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        compare.main(["--before", str(tmp_path)])


def test_compare_names_the_variants_when_none_matches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        compare.main(["--before", str(compare.HERE), "--only", "civilians-separately"])
    message = capsys.readouterr().err
    assert "no variant's name contains 'civilians-separately'" in message
    assert "civilians separately" in message


def test_compare_solves_with_the_checkout_it_is_given(tmp_path: Path) -> None:
    """A copy of the planner elsewhere is the one imported, not the installed project."""
    copy = tmp_path / "before"
    shutil.copytree(compare.HERE / "solver", copy / "solver")
    request = tmp_path / "request.json"
    request.write_text(request_json(VARIANTS[0].make(150, 1)))
    timing = compare.solve_with(copy, request)
    assert timing.status == "optimal"
