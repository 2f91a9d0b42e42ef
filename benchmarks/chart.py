"""Time against size, log-log: the floor, the project and its peers on the same inputs."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure  # no pyplot: files only, no display needed

from benchmarks.report import PEER_TITLES, InstanceResult


def draw(rows: list[InstanceResult], path: Path) -> None:
    """Write the chart; peers that did not finish are drawn hollow, at the time they used."""
    ordered = sorted(rows, key=lambda r: r.people_a)
    sizes = [r.people_a for r in ordered]
    figure = Figure(figsize=(8, 5.5), dpi=110)
    axes = figure.subplots()
    project = (
        ("json.loads (floor)", [r.floor_s for r in ordered], "k", "--"),
        ("read_request", [r.parse_s for r in ordered], "tab:gray", ":"),
        ("solver.solve", [r.solve_s for r in ordered], "tab:blue", "-"),
        ("CLI end to end", [r.cli_s for r in ordered], "tab:cyan", "-"),
    )
    for name, times, colour, style in project:
        axes.plot(sizes, times, style, color=colour, marker="o", label=name)
    colours = {"per_person_cpsat": "tab:red", "milp_highs": "tab:orange", "greedy": "tab:green"}
    for peer, title in PEER_TITLES.items():
        points = [(r.people_a, r.peers[peer]) for r in ordered if peer in r.peers]
        if not points:
            continue
        axes.plot(
            [size for size, _ in points],
            [outcome.seconds for _, outcome in points],
            "-",
            color=colours[peer],
            label=title,
        )
        for size, outcome in points:
            axes.plot(
                size,
                outcome.seconds,
                marker="o",
                color=colours[peer],
                markerfacecolor=colours[peer] if outcome.finished else "white",
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("people on side A (side B about 0.9x)")
    axes.set_ylabel("seconds (best of the run)")
    axes.set_title("exchange-planner: time against size (hollow: peer did not finish)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    figure.savefig(path)
