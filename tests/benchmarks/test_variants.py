"""Other terms on the same lists: the harness runs end to end, and every variant is
really other terms (or other lists) than the benchmark's."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import variants


def test_every_variant_differs_from_the_benchmark() -> None:
    benchmark = variants.VARIANTS[0].make(300, 5)
    for variant in variants.VARIANTS[1:]:
        request = variant.make(300, 5)
        assert (request["terms"], request["side_a"]) != (
            benchmark["terms"],
            benchmark["side_a"],
        ), variant.name


def test_every_variant_gets_a_proven_answer_through_the_cli(tmp_path: Path) -> None:
    """At 300 a side families everywhere cannot meet the floor exactly: "infeasible" is
    a proven answer too. Only a search cut short would fail the run."""
    code = variants.main(["--per-side", "300", "--out", str(tmp_path)])
    document = json.loads((tmp_path / "variants.json").read_text())
    statuses = {r["name"]: r["status"] for r in document["results"]}
    assert set(statuses) == {v.name for v in variants.VARIANTS}
    assert set(statuses.values()) <= set(variants.PROVEN)
    assert statuses["benchmark"] == "optimal"
    assert code == 0
    table = (tmp_path / "variants.md").read_text()
    assert all(f"| {v.name} |" in table for v in variants.VARIANTS)
