"""The README's repaired plan is what the repair makes of the shipped example today."""

from __future__ import annotations

import json
import re
from pathlib import Path

from solver import repair
from solver.repair_request import parse_repair_request
from tests.test_docs import README, ROOT, mismatches

_REPAIRED = re.compile(r"<!-- repaired: (\S+) -->\n```json\n(.*?)\n```", re.DOTALL)


def test_readme_repaired_plan_quote_holds_when_repaired_again() -> None:
    quoted = _REPAIRED.findall(README.read_text(encoding="utf-8"))
    assert [path for path, _ in quoted] == ["examples/teaching.repair.json"]
    for path, block in quoted:
        body = (ROOT / path).read_bytes()
        plan = repair(parse_repair_request(body))
        assert mismatches(json.loads(block), plan.model_dump(mode="json", by_alias=True)) == []


def test_terms_doc_has_the_repair_section_the_readme_links_to() -> None:
    terms = (ROOT / "docs" / "terms.md").read_text(encoding="utf-8")
    assert "\n## The day of the exchange: repair\n" in terms
    assert "docs/terms.md#the-day-of-the-exchange-repair" in README.read_text(encoding="utf-8")
    assert Path(ROOT / "examples" / "teaching.events.json").exists()
