"""The plan chart: parsed back as XML, its bars and numbers must be the plan's."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from solver.categories import categories_of
from solver.chart import CATEGORY_ORDER, REASONS, bands_for, plan_chart_svg
from solver.cli import main
from solver.schema import (
    Category,
    Conflict,
    ExchangeRequest,
    NotReleased,
    Plan,
    PlanWarning,
    Side,
)
from tests.handmade import DAY, exchange, person, staged_plan

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def bars(root: ET.Element, panel: str) -> list[dict[str, str]]:
    return [
        dict(rect.attrib) for rect in root.iter(f"{SVG}rect") if rect.get("data-panel") == panel
    ]


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def two_stage_exchange() -> tuple[ExchangeRequest, Plan]:
    """Two stages of capacity 3; one seriously ill person outside parity on side A."""
    request = exchange(
        [
            person("A-1", seriously_ill=True),
            person("A-2", age=19),
            person("A-3", status="civilian", age=40),
            person("A-4", age=40, requested=True),
            person("A-5", age=40),
            person("A-6", age=40, eligible=False, ineligible_reason="already exchanged"),
            person("A-7", age=40, seriously_ill=True, consents=False),
        ],
        [
            person("B-1", age=22),
            person("B-2", status="civilian", age=50),
            person("B-3", age=50),
            person("B-4", age=50),
            person("B-5", age=50),
        ],
        stages=[3, 3],
        outside_parity=["seriously_ill"],
        must_exclude=([], ["B-5"]),
    )
    plan = staged_plan((["A-1", "A-2", "A-3"], ["B-1", "B-2"]), (["A-4", "A-5"], ["B-3", "B-4"]))
    plan.not_released.extend(
        [
            NotReleased(side=Side.A, id="A-6", reason="ineligible", detail="already exchanged"),
            NotReleased(side=Side.A, id="A-7", reason="no_consent"),
            NotReleased(side=Side.B, id="B-5", reason="must_exclude"),
        ]
    )
    return request, plan


def test_chart_stage_bars_add_up_to_each_stage_and_side() -> None:
    request, plan = two_stage_exchange()
    root = parse(plan_chart_svg(request, plan))
    drawn: Counter[tuple[str, str]] = Counter()
    for bar in bars(root, "stages"):
        drawn[(bar["data-stage"], bar["data-side"])] += int(bar["data-count"])
    expected = {
        (str(stage.number), side.value): len(stage.side_a if side is Side.A else stage.side_b)
        for stage in plan.stages
        for side in (Side.A, Side.B)
    }
    assert dict(drawn) == expected
    totals = [
        (t.get("data-side"), t.get("data-stage-total"))
        for t in root.iter(f"{SVG}text")
        if t.get("data-stage-total") is not None
    ]
    assert totals == [("side_a", "3"), ("side_b", "2"), ("side_a", "2"), ("side_b", "2")]
    capacities = [
        (c.get("data-stage"), c.get("data-capacity"))
        for c in root.iter(f"{SVG}rect")
        if c.get("data-panel") == "capacity"
    ]
    assert sorted(capacities) == [("1", "3"), ("1", "3"), ("2", "3"), ("2", "3")]


def test_chart_stage_bars_put_each_person_in_their_first_band() -> None:
    request, plan = two_stage_exchange()
    root = parse(plan_chart_svg(request, plan))
    bands = bands_for(request.terms.priorities)
    expected: Counter[tuple[str, str, str]] = Counter()
    for stage in plan.stages:
        for side in (Side.A, Side.B):
            listed = {d.id: d for d in request.side(side).detainees}
            for pid in stage.side_a if side is Side.A else stage.side_b:
                found = categories_of(listed[pid], DAY, request.terms.young_age_limit)
                band = next(b for b in bands if b in found or b is Category.MILITARY)
                expected[(str(stage.number), side.value, band.value)] += 1
    drawn = Counter(
        {
            (b["data-stage"], b["data-side"], b["data-band"]): int(b["data-count"])
            for b in bars(root, "stages")
        }
    )
    assert drawn == expected
    assert drawn[("1", "side_a", "seriously_ill")] == 1
    assert drawn[("1", "side_a", "young")] == 1
    assert drawn[("2", "side_a", "requested")] == 1


def test_chart_categories_show_released_out_of_listed() -> None:
    request, plan = two_stage_exchange()
    root = parse(plan_chart_svg(request, plan))
    drawn = {
        (b["data-category"], b["data-side"], b["data-measure"]): int(b["data-count"])
        for b in bars(root, "categories")
    }
    for category in CATEGORY_ORDER:
        for side in (Side.A, Side.B):
            members = [
                d.id
                for d in request.side(side).detainees
                if category in categories_of(d, DAY, request.terms.young_age_limit)
            ]
            released = set(plan.released.side_a if side is Side.A else plan.released.side_b)
            assert drawn[(category.value, side.value, "listed")] == len(members)
            assert drawn[(category.value, side.value, "released")] == len(
                [pid for pid in members if pid in released]
            )
    assert drawn[("seriously_ill", "side_a", "listed")] == 2
    assert drawn[("seriously_ill", "side_a", "released")] == 1
    assert "1 of 2" in texts(root)


def test_chart_not_released_by_reason_marks_the_seriously_ill() -> None:
    request, plan = two_stage_exchange()
    root = parse(plan_chart_svg(request, plan))
    drawn: Counter[tuple[str, str]] = Counter()
    ill: Counter[tuple[str, str]] = Counter()
    for bar in bars(root, "not_released"):
        drawn[(bar["data-reason"], bar["data-side"])] += int(bar["data-count"])
        if bar["data-seriously-ill"] == "true":
            ill[(bar["data-reason"], bar["data-side"])] += int(bar["data-count"])
    expected = Counter((entry.reason, entry.side.value) for entry in plan.not_released)
    assert +drawn == expected
    assert {reason for reason, _ in drawn} == set(REASONS)
    assert +ill == Counter({("no_consent", "side_a"): 1})
    assert "1 seriously ill" in texts(root)


def test_chart_headline_counts_and_notes() -> None:
    request, plan = two_stage_exchange()
    root = parse(plan_chart_svg(request, plan))
    all_text = texts(root)
    assert "Exchange plan: optimal" in all_text
    summary = next(t for t in root.iter(f"{SVG}text") if t.get("data-summary") == "released")
    assert summary.text == (
        "Side A releases 5 of 7 listed  \u00b7  Side B releases 4 of 5 listed  \u00b7  2 stages"
    )
    assert "2 counted + 1 on top" in all_text
    assert "3 places a side" in all_text


def test_chart_of_infeasible_terms_lists_the_conflicts() -> None:
    request, _ = two_stage_exchange()
    plan = Plan(
        status="infeasible",
        reference_date=DAY,
        conflicts=[Conflict(rule="min_per_side", message="side_b can release at most 4 people")],
        warnings=[PlanWarning(code="art_109", message="1 seriously ill person stays")],
    )
    root = parse(plan_chart_svg(request, plan))
    all_text = texts(root)
    assert "No plan meets these terms" in all_text
    assert "\u2022 min_per_side: side_b can release at most 4 people" in all_text
    assert "\u2022 1 seriously ill person stays" in all_text
    assert bars(root, "stages") == []


def test_chart_never_shows_names_and_escapes_side_names() -> None:
    request, plan = two_stage_exchange()
    people = [
        person("A-1", name="Canary Zzyzx-Quintero", birth_date="1987-06-05", seriously_ill=True),
        *request.side_a.detainees[1:],
    ]
    hostile = "<script>alert(1)</script>"
    request = request.model_copy(
        update={
            "side_a": request.side_a.model_copy(update={"detainees": people}),
            "side_b": request.side_b.model_copy(update={"name": hostile}),
        }
    )
    svg = plan_chart_svg(request, plan)
    assert "Zzyzx" not in svg
    assert "1987-06-05" not in svg
    assert "<script>" not in svg
    root = parse(svg)
    assert any(hostile in text for text in texts(root))
    assert list(root.iter(f"{SVG}script")) == []


def test_chart_is_the_same_bytes_for_the_same_plan() -> None:
    request, plan = two_stage_exchange()
    assert plan_chart_svg(request, plan) == plan_chart_svg(request, plan)


def test_cli_chart_writes_the_chart_of_a_plan_file(tmp_path: Path) -> None:
    request, plan = two_stage_exchange()
    request_file = tmp_path / "request.json"
    plan_file = tmp_path / "plan.json"
    request_file.write_text(request.model_dump_json(), encoding="utf-8")
    # A plan as the service returns it carries its id; the chart reads it all the same.
    plan_file.write_text('{"id": "p-1", ' + plan.model_dump_json()[1:], encoding="utf-8")
    out = tmp_path / "chart.svg"
    assert main(["chart", str(request_file), str(plan_file), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == plan_chart_svg(request, plan)


def test_cli_chart_rejects_a_file_that_is_not_a_plan(tmp_path: Path) -> None:
    request, _ = two_stage_exchange()
    request_file = tmp_path / "request.json"
    request_file.write_text(request.model_dump_json(), encoding="utf-8")
    not_a_plan = tmp_path / "plan.json"
    not_a_plan.write_text('{"released": {}}', encoding="utf-8")
    assert main(["chart", str(request_file), str(not_a_plan)]) == 2
