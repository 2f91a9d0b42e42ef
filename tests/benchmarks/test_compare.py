"""Two checkouts on the same requests: the harness runs end to end (here against itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import compare


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
