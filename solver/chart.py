"""The plan at a glance, as an SVG picture a mediator can print or put on a slide.

Every panel is a "butterfly": side A's bars grow to the left of the middle, side B's to
the right, on one scale per panel, so a glance tells whether the two sides match. Three
panels: who is released in each stage (stacked by the most urgent category of each
person, with the stage's capacity as a dashed outline), how many of each category are
released out of how many are listed, and who is not released, by reason. Conflicts and
warnings follow as text.

The picture holds counts only: no names, no birth dates, no ids outside the plan's own
messages. Each bar carries `data-*` attributes with the numbers it draws, so a program
(or a test) can read the chart back. Built with `xml.etree`, so text from a request
(side names, messages) is escaped and never becomes markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from solver.categories import categories_of
from solver.schema import (
    Category,
    ExchangeRequest,
    NotReleasedReason,
    Plan,
    RepairedPlan,
    RequestRecord,
    Side,
)

SIDES: tuple[Side, Side] = (Side.A, Side.B)

# Okabe-Ito colours: told apart by readers with the common colour-vision deficiencies.
CATEGORY_COLOURS: dict[Category, str] = {
    Category.SERIOUSLY_ILL: "#D55E00",
    Category.YOUNG: "#E69F00",
    Category.CIVILIAN: "#009E73",
    Category.REQUESTED: "#CC79A7",
    Category.MILITARY: "#0072B2",
}
CATEGORY_LABELS: dict[Category, str] = {
    Category.SERIOUSLY_ILL: "Seriously ill",
    Category.YOUNG: "Young",
    Category.CIVILIAN: "Civilian",
    Category.REQUESTED: "Requested",
    Category.MILITARY: "Military",
}
# The order of the category panel: the default priorities, then military.
CATEGORY_ORDER: tuple[Category, ...] = (
    Category.SERIOUSLY_ILL,
    Category.YOUNG,
    Category.CIVILIAN,
    Category.MILITARY,
    Category.REQUESTED,
)
REASONS: tuple[NotReleasedReason, ...] = (
    "not_selected",
    "ineligible",
    "no_consent",
    "must_exclude",
)
REASON_LABELS: dict[str, str] = {
    "not_selected": "Not selected",
    "ineligible": "Ineligible",
    "no_consent": "Refuses",
    "must_exclude": "Excluded by agreement",
    "dropout": "Dropped out",
}
# Shown only for repaired plans that have dropouts.
_DROPOUT: NotReleasedReason = "dropout"
_STATUS_HEADLINES = {
    "optimal": "Exchange plan: optimal",
    "feasible": "Exchange plan: meets the terms, optimality not proven in time",
    "infeasible": "No plan meets these terms",
    "timeout": "No plan found within the time limit",
}

# Geometry, in SVG user units (pixels at 100 %).
WIDTH = 960
_MARGIN = 24
_MIDDLE = WIDTH / 2
_LABEL_HALF = 96  # half the width of the middle column that holds the row labels
_NUMBER_ROOM = 150  # room beyond the longest bar for its numbers
_BAR_ROOM = _MIDDLE - _LABEL_HALF - _MARGIN - _NUMBER_ROOM
_BAR_HEIGHT = 22
_ROW = 40
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_INK = "#1F2933"
_MUTED = "#616E7C"
_RULE = "#CBD2D9"
_NOT_RELEASED = "#9AA5B1"
_CHARS_PER_LINE = 130  # for wrapping 12 px text across the page


# --------------------------------------------------------------------------- figures


@dataclass
class StageFigures:
    """One stage: its capacity per side, and its releases by band and side."""

    number: int
    capacity: int | None
    bands: dict[Side, dict[Category, int]]
    outside_parity: dict[Side, int]
    executed: bool = False  # a repaired plan's stage that happened
    # A repaired plan: per side, people new in this stage (added or moved in) and people
    # agreed for it who are not in it any more (removed or moved out).
    changes: dict[Side, tuple[int, int]] = field(default_factory=dict)

    def released(self, side: Side) -> int:
        return sum(self.bands[side].values())


@dataclass
class PlanFigures:
    """Every number the chart draws, computed from the request and its plan."""

    status: str
    reference_date: date
    side_names: dict[Side, str]
    listed: dict[Side, int]
    released: dict[Side, int]
    young_age_limit: int
    bands: tuple[Category, ...]
    stages: list[StageFigures]
    # category -> side -> (released, listed); a person counts in each of their categories
    categories: dict[Category, dict[Side, tuple[int, int]]]
    # reason -> side -> (not released, of whom seriously ill)
    not_released: dict[str, dict[Side, tuple[int, int]]]
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # A repaired plan: how many people it adds, removes and moves against the agreed one.
    changes: dict[str, int] | None = None


def bands_for(priorities: Sequence[Category]) -> tuple[Category, ...]:
    """The stacking order of the stage bars: the terms' priorities first, military last.

    Each released person is drawn once, in the first band among their categories, so the
    bands add up to the stage's releases.
    """
    order = [c for c in priorities if c is not Category.MILITARY]
    order += [c for c in CATEGORY_ORDER if c not in order and c is not Category.MILITARY]
    return (*dict.fromkeys(order), Category.MILITARY)


def plan_figures(request: RequestRecord, plan: Plan) -> PlanFigures:
    """The chart's numbers; people the plan names but the lists lack are left out."""
    terms = request.terms
    on = plan.reference_date
    bands = bands_for(terms.priorities)
    outside = frozenset(terms.outside_parity)
    people: dict[Side, dict[str, frozenset[Category]]] = {
        side: {
            d.id: categories_of(d, on, terms.young_age_limit) for d in request.side(side).detainees
        }
        for side in SIDES
    }

    def band_of(found: frozenset[Category]) -> Category:
        return next(c for c in bands if c in found or c is Category.MILITARY)

    stages: list[StageFigures] = []
    for stage in plan.stages:
        capacity = (
            terms.stages[stage.number - 1]
            if terms.stages and 0 < stage.number <= len(terms.stages)
            else None
        )
        figures = StageFigures(
            number=stage.number,
            capacity=capacity,
            bands={side: dict.fromkeys(bands, 0) for side in SIDES},
            outside_parity=dict.fromkeys(SIDES, 0),
            executed=bool(getattr(stage, "executed", False)),
        )
        if isinstance(plan, RepairedPlan):
            figures.changes = _stage_changes(plan, stage.number)
        for side in SIDES:
            for pid in stage.side_a if side is Side.A else stage.side_b:
                found = people[side].get(pid)
                if found is None:
                    continue
                figures.bands[side][band_of(found)] += 1
                if found & outside:
                    figures.outside_parity[side] += 1
        stages.append(figures)

    released = {
        side: set(plan.released.side_a if side is Side.A else plan.released.side_b)
        for side in SIDES
    }
    categories: dict[Category, dict[Side, tuple[int, int]]] = {}
    for category in CATEGORY_ORDER:
        categories[category] = {}
        for side in SIDES:
            members = [pid for pid, found in people[side].items() if category in found]
            freed = sum(1 for pid in members if pid in released[side])
            categories[category][side] = (freed, len(members))

    not_released: dict[str, dict[Side, tuple[int, int]]] = {
        reason: dict.fromkeys(SIDES, (0, 0)) for reason in _reasons(plan)
    }
    for entry in plan.not_released:
        count, ill = not_released[entry.reason][entry.side]
        found = people[entry.side].get(entry.id, frozenset())
        not_released[entry.reason][entry.side] = (
            count + 1,
            ill + (Category.SERIOUSLY_ILL in found),
        )

    return PlanFigures(
        status=plan.status,
        reference_date=on,
        side_names={side: _side_name(request, side) for side in SIDES},
        listed={side: len(request.side(side).detainees) for side in SIDES},
        released={side: len(released[side]) for side in SIDES},
        young_age_limit=terms.young_age_limit,
        bands=bands,
        stages=stages,
        categories=categories,
        not_released=not_released,
        conflicts=[f"{c.rule}: {c.message}" for c in plan.conflicts],
        warnings=[w.message for w in plan.warnings],
        changes=(
            {
                "added": len(plan.changes.added),
                "removed": len(plan.changes.removed),
                "moved": len(plan.changes.moved),
            }
            if isinstance(plan, RepairedPlan)
            else None
        ),
    )


def _reasons(plan: Plan) -> tuple[NotReleasedReason, ...]:
    """The rows of the not-released panel: a repaired plan's dropouts get their own."""
    if any(entry.reason == _DROPOUT for entry in plan.not_released):
        return (*REASONS, _DROPOUT)
    return REASONS


def _stage_changes(plan: RepairedPlan, number: int) -> dict[Side, tuple[int, int]]:
    """Per side: people new in the stage, and people agreed for it who left it."""
    changes: dict[Side, tuple[int, int]] = {}
    for side in SIDES:
        entering = sum(1 for c in plan.changes.added if c.side is side and c.stage == number)
        entering += sum(1 for c in plan.changes.moved if c.side is side and c.to == number)
        leaving = sum(1 for c in plan.changes.removed if c.side is side and c.stage == number)
        leaving += sum(1 for c in plan.changes.moved if c.side is side and c.from_ == number)
        changes[side] = (entering, leaving)
    return changes


def _side_name(request: RequestRecord, side: Side) -> str:
    name = request.side(side).name.strip()
    fallback = "Side A" if side is Side.A else "Side B"
    return (name or fallback)[:40]


# --------------------------------------------------------------------------- drawing


def plan_chart_svg(request: RequestRecord, plan: Plan) -> str:
    """The plan at a glance as a standalone SVG document (UTF-8 text)."""
    return render_svg(plan_figures(request, plan))


def render_svg(figures: PlanFigures) -> str:
    """Draw the figures; the same figures give the same bytes."""
    canvas = _Canvas()
    canvas.header(figures)
    if figures.stages:
        canvas.stage_panel(figures)
    if figures.conflicts:
        canvas.text_panel("Terms that cannot all hold together", figures.conflicts, "#B42318")
    canvas.category_panel(figures)
    canvas.not_released_panel(figures)
    if figures.warnings:
        canvas.text_panel("Warnings", figures.warnings, "#8A5A00")
    canvas.footer()
    return canvas.document()


def _changed(entering: int, leaving: int) -> str:
    """People new in a stage and people gone from it, as a stage's line says them."""
    parts = [f"+{_count(entering)} in"] * bool(entering) + [f"\u2212{_count(leaving)} out"] * bool(
        leaving
    )
    return ", ".join(parts) or "no change"


def _count(value: int) -> str:
    return f"{value:,}"


def _people(value: int) -> str:
    return f"{value:,} {'person' if value == 1 else 'people'}"


def _tint(colour: str, amount: float = 0.72) -> str:
    """The colour mixed with white: the 'listed' backdrop behind a 'released' bar."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(c + (255 - c) * amount) for c in (red, green, blue))
    return "#" + "".join(f"{c:02X}" for c in mixed)


def _wrap(text: str, width: int = _CHARS_PER_LINE) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


class _Canvas:
    """The SVG being drawn, top to bottom; `y` is where the next element goes."""

    def __init__(self) -> None:
        self.root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "font-family": _FONT,
                "fill": _INK,
            },
        )
        self.body = ET.Element("g")
        self.y = 0.0

    # ------------------------------------------------------------------ primitives

    def _text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        size: int = 13,
        anchor: str = "start",
        weight: str | None = None,
        colour: str | None = None,
        parent: ET.Element | None = None,
        **data: str,
    ) -> ET.Element:
        attributes = {"x": _n(x), "y": _n(y), "font-size": str(size), "text-anchor": anchor}
        if weight:
            attributes["font-weight"] = weight
        if colour:
            attributes["fill"] = colour
        attributes.update({f"data-{k.replace('_', '-')}": v for k, v in data.items()})
        element = ET.SubElement(self.body if parent is None else parent, "text", attributes)
        element.text = content
        return element

    def _rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fill: str,
        tooltip: str | None = None,
        **data: str,
    ) -> ET.Element:
        attributes = {
            "x": _n(x),
            "y": _n(y),
            "width": _n(max(width, 0.0)),
            "height": _n(height),
            "fill": fill,
        }
        attributes.update({f"data-{k.replace('_', '-')}": v for k, v in data.items()})
        element = ET.SubElement(self.body, "rect", attributes)
        if tooltip:
            ET.SubElement(element, "title").text = tooltip
        return element

    def _rule(self, y: float) -> None:
        ET.SubElement(
            self.body,
            "line",
            {
                "x1": _n(_MARGIN),
                "x2": _n(WIDTH - _MARGIN),
                "y1": _n(y),
                "y2": _n(y),
                "stroke": _RULE,
            },
        )

    @staticmethod
    def _origin(side: Side) -> float:
        return _MIDDLE - _LABEL_HALF if side is Side.A else _MIDDLE + _LABEL_HALF

    def _bar(
        self,
        side: Side,
        y: float,
        start: float,
        length: float,
        fill: str,
        tooltip: str,
        **data: str,
    ) -> None:
        """A bar segment `start`..`start + length` units away from the middle column."""
        origin = self._origin(side)
        x = origin - start - length if side is Side.A else origin + start
        self._rect(x, y, length, _BAR_HEIGHT, fill, tooltip, side=side.value, **data)

    def _numbers(
        self, side: Side, y: float, reach: float, main: str, note: str | None
    ) -> ET.Element:
        """The numbers at the outer end of a side's bar, `reach` units from the middle;
        returns the main number's element."""
        gap = 8
        if side is Side.A:
            x, anchor = self._origin(side) - reach - gap, "end"
        else:
            x, anchor = self._origin(side) + reach + gap, "start"
        number = self._text(
            x, y + 11 if note else y + 16, main, size=14, anchor=anchor, weight="600"
        )
        if note:
            self._text(x, y + 26, note, size=11, anchor=anchor, colour=_MUTED)
        return number

    def _panel_title(
        self,
        title: str,
        explanation: str,
        names: dict[Side, str],
        legend: tuple[Category, ...] = (),
    ) -> None:
        self.y += 18
        self._rule(self.y)
        self.y += 26
        self._text(_MARGIN, self.y, title, size=16, weight="700")
        self.y += 18
        self._text(_MARGIN, self.y, explanation, size=12, colour=_MUTED)
        if legend:
            self._legend(legend)
        self.y += 24
        for side in SIDES:
            arrow = f"\u25c0 {names[side]}" if side is Side.A else f"{names[side]} \u25b6"
            anchor = "end" if side is Side.A else "start"
            self._text(self._origin(side), self.y, arrow, size=13, anchor=anchor, weight="700")
        self.y += 10

    # ------------------------------------------------------------------ panels

    def header(self, figures: PlanFigures) -> None:
        self.y = 40
        headline = _STATUS_HEADLINES.get(figures.status, figures.status)
        if figures.changes is not None:
            headline = headline.replace("Exchange plan", "Repaired plan")
        colour = "#B42318" if figures.status in ("infeasible", "timeout") else _INK
        self._text(_MARGIN, self.y, headline, size=22, weight="700", colour=colour)
        self._text(
            WIDTH - _MARGIN,
            self.y,
            f"exchange date {figures.reference_date.isoformat()}",
            size=13,
            anchor="end",
            colour=_MUTED,
        )
        self.y += 26
        parts = [
            f"{figures.side_names[side]} releases {_count(figures.released[side])} "
            f"of {_count(figures.listed[side])} listed"
            for side in SIDES
        ]
        stages = len(figures.stages)
        if stages:
            parts.append(f"{stages} stage{'s' if stages != 1 else ''}")
        if figures.changes is not None:
            changed = figures.changes
            parts.append(
                f"{_count(sum(changed.values()))} changed: {_count(changed['added'])} added, "
                f"{_count(changed['removed'])} removed, {_count(changed['moved'])} moved"
            )
        self._text(
            _MARGIN, self.y, "  \u00b7  ".join(parts), size=14, colour=_MUTED, summary="released"
        )

    def stage_panel(self, figures: PlanFigures) -> None:
        explanation = (
            "Each person is counted once, in the first category of the legend that applies"
        )
        if any(stage.capacity is not None for stage in figures.stages):
            explanation += "; a dashed outline is the stage's capacity per side"
        self._panel_title(
            "Released, stage by stage", explanation + ".", figures.side_names, figures.bands
        )
        reach = max(
            [s.capacity or 0 for s in figures.stages]
            + [s.released(side) for s in figures.stages for side in SIDES]
            + [1]
        )
        scale = _BAR_ROOM / reach
        for stage in figures.stages:
            y = self.y
            self._text(
                _MIDDLE, y + 12, f"Stage {stage.number}", size=14, anchor="middle", weight="700"
            )
            under = [] if stage.capacity is None else [f"{_count(stage.capacity)} places a side"]
            if stage.executed:
                under.insert(0, "executed")
            if under:
                note = self._text(
                    _MIDDLE, y + 27, " \u00b7 ".join(under), size=11, anchor="middle", colour=_MUTED
                )
                if stage.executed:
                    note.set("data-stage-executed", "true")
            for side in SIDES:
                if stage.capacity is not None:
                    self._capacity_outline(side, y, stage.capacity * scale, stage, side)
                start = 0.0
                for band in figures.bands:
                    count = stage.bands[side][band]
                    if count == 0:
                        continue
                    length = count * scale
                    self._bar(
                        side,
                        y,
                        start,
                        length,
                        CATEGORY_COLOURS[band],
                        f"Stage {stage.number}, {figures.side_names[side]}: "
                        f"{_count(count)} {CATEGORY_LABELS[band].lower()}",
                        panel="stages",
                        stage=str(stage.number),
                        band=band.value,
                        count=str(count),
                    )
                    start += length
                # The capacity is under the stage's label; the note says who is not counted.
                total = stage.released(side)
                notes = []
                if stage.outside_parity[side]:
                    on_top = stage.outside_parity[side]
                    notes.append(f"{_count(total - on_top)} counted + {_count(on_top)} on top")
                reach_here = max(start, (stage.capacity or 0) * scale)
                number = self._numbers(side, y, reach_here, _count(total), ", ".join(notes) or None)
                number.set("data-stage-total", str(total))
                number.set("data-side", side.value)
                if stage.changes:
                    entering, leaving = stage.changes[side]
                    number.set("data-changes-in", str(entering))
                    number.set("data-changes-out", str(leaving))
            if stage.changes:
                # A repaired plan: who is new in the stage, who left it, side A on the left.
                said = [_changed(*stage.changes[side]) for side in SIDES]
                self._text(
                    _MIDDLE,
                    y + 41,
                    f"\u25c0 {said[0]}  \u00b7  {said[1]} \u25b6",
                    size=11,
                    anchor="middle",
                    colour=_INK,
                )
            self.y += _ROW + (14 if stage.changes else 0)

    def _capacity_outline(
        self, side: Side, y: float, length: float, stage: StageFigures, of: Side
    ) -> None:
        origin = self._origin(side)
        x = origin - length if side is Side.A else origin
        ET.SubElement(
            self.body,
            "rect",
            {
                "x": _n(x - 0.5 if side is Side.A else x),
                "y": _n(y - 0.5),
                "width": _n(length + 0.5),
                "height": _n(_BAR_HEIGHT + 1),
                "fill": "#F5F7FA",
                "stroke": "#7B8794",
                "stroke-dasharray": "4 3",
                "data-panel": "capacity",
                "data-stage": str(stage.number),
                "data-side": of.value,
                "data-capacity": str(stage.capacity),
            },
        )

    def _legend(self, bands: tuple[Category, ...]) -> None:
        self.y += 12
        x = float(_MARGIN)
        for band in bands:
            label = CATEGORY_LABELS[band] + (" (the rest)" if band is Category.MILITARY else "")
            self._rect(x, self.y, 12, 12, CATEGORY_COLOURS[band], legend=band.value)
            self._text(x + 17, self.y + 10.5, label, size=12)
            x += 17 + 7.2 * len(label) + 22
        self.y += 12

    def category_panel(self, figures: PlanFigures) -> None:
        self._panel_title(
            "Released out of listed, by category",
            "Pale: everybody listed in the category; solid: those released. "
            "A person counts in each of their categories.",
            figures.side_names,
        )
        self.y += 6
        reach = max(
            [listed for per_side in figures.categories.values() for _, listed in per_side.values()]
            + [1]
        )
        scale = _BAR_ROOM / reach
        for category in CATEGORY_ORDER:
            y = self.y
            row_label = CATEGORY_LABELS[category]
            if category is Category.YOUNG:
                row_label += f" (under {figures.young_age_limit})"
            self._text(_MIDDLE, y + 16, row_label, size=13, anchor="middle", weight="600")
            colour = CATEGORY_COLOURS[category]
            for side in SIDES:
                freed, listed = figures.categories[category][side]
                name = figures.side_names[side]
                label = CATEGORY_LABELS[category].lower()
                self._bar(
                    side,
                    y,
                    0,
                    listed * scale,
                    _tint(colour),
                    f"{name}: {_count(listed)} {label} listed",
                    panel="categories",
                    category=category.value,
                    measure="listed",
                    count=str(listed),
                )
                self._bar(
                    side,
                    y,
                    0,
                    freed * scale,
                    colour,
                    f"{name}: {_count(freed)} {label} released",
                    panel="categories",
                    category=category.value,
                    measure="released",
                    count=str(freed),
                )
                self._numbers(side, y, listed * scale, f"{_count(freed)} of {_count(listed)}", None)
            self.y += _ROW - 8

    def not_released_panel(self, figures: PlanFigures) -> None:
        self._panel_title(
            "Not released, by reason",
            "Grey: not released; red: of them, the seriously ill. Not selected means lower "
            "priority than those released, or no counterpart on the other side.",
            figures.side_names,
        )
        self.y += 6
        reach = max(
            [count for per_side in figures.not_released.values() for count, _ in per_side.values()]
            + [1]
        )
        scale = _BAR_ROOM / reach
        for reason in figures.not_released:
            y = self.y
            self._text(
                _MIDDLE, y + 16, REASON_LABELS[reason], size=13, anchor="middle", weight="600"
            )
            for side in SIDES:
                count, ill = figures.not_released[reason][side]
                name = figures.side_names[side]
                self._bar(
                    side,
                    y,
                    0,
                    (count - ill) * scale,
                    _NOT_RELEASED,
                    f"{name}: {_people(count)} {REASON_LABELS[reason].lower()}",
                    panel="not_released",
                    reason=reason,
                    count=str(count - ill),
                    seriously_ill="false",
                )
                if ill:
                    self._bar(
                        side,
                        y,
                        (count - ill) * scale,
                        ill * scale,
                        CATEGORY_COLOURS[Category.SERIOUSLY_ILL],
                        f"{name}: of them {_count(ill)} seriously ill",
                        panel="not_released",
                        reason=reason,
                        count=str(ill),
                        seriously_ill="true",
                    )
                note = f"{_count(ill)} seriously ill" if ill else None
                self._numbers(side, y, count * scale, _count(count), note)
            self.y += _ROW - 8

    def text_panel(self, title: str, lines: list[str], colour: str) -> None:
        self.y += 18
        self._rule(self.y)
        self.y += 26
        self._text(_MARGIN, self.y, title, size=16, weight="700", colour=colour)
        self.y += 8
        shown = lines[:12]
        for line in shown:
            for number, part in enumerate(_wrap(line)):
                self.y += 18
                self._text(
                    _MARGIN + (14 if number else 0),
                    self.y,
                    ("\u2022 " if number == 0 else "") + part,
                    size=12,
                )
        if len(lines) > len(shown):
            self.y += 18
            self._text(
                _MARGIN, self.y, f"and {len(lines) - len(shown)} more", size=12, colour=_MUTED
            )

    def footer(self) -> None:
        self.y += 30
        self._text(
            _MARGIN,
            self.y,
            "exchange-planner \u00b7 counts only, no names \u00b7 all categories at the "
            "exchange date",
            size=11,
            colour=_MUTED,
        )
        self.y += 16

    def document(self) -> str:
        height = round(self.y)
        self.root.set("width", str(WIDTH))
        self.root.set("height", str(height))
        self.root.set("viewBox", f"0 0 {WIDTH} {height}")
        self.root.set("role", "img")
        title = ET.SubElement(self.root, "title")
        title.text = "Exchange plan at a glance"
        ET.SubElement(self.root, "rect", {"width": "100%", "height": "100%", "fill": "#FFFFFF"})
        self.root.append(self.body)
        ET.indent(self.root, space=" ")
        return ET.tostring(self.root, encoding="unicode", xml_declaration=False) + "\n"


def _n(value: float) -> str:
    """A coordinate with at most two decimals, without trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def chart_of_documents(request_json: str, plan_json: str) -> str:
    """The chart from stored documents (the service runs this in a helper process).

    A repaired plan is stored with its repair request: the lists it is drawn against are
    those after the day's events.
    """
    try:
        request = ExchangeRequest.model_validate_json(request_json)
    except ValidationError:
        from solver.events import apply_events
        from solver.schema import RepairRequest

        day = apply_events(RepairRequest.model_validate_json(request_json))
        return plan_chart_svg(day.request, RepairedPlan.model_validate_json(plan_json))
    return plan_chart_svg(request, Plan.model_validate_json(plan_json))
