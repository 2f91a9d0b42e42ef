"""A progress bar over the steps of a run, on stderr, for the command line.

A reconciliation of 100,000 people takes tens of seconds in a handful of steps whose
durations the program cannot foresee, so the bar counts steps and names the current one
(never a person). It shows by itself only on a terminal.
"""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm

from reconciliation.steps import STEPS


class StepBar:
    """`step(name)` moves the bar on; a context manager, closed on the way out."""

    def __init__(self, enabled: bool | None = None) -> None:
        # tqdm's own rule for None: shown on a terminal, silent in a pipe or a log.
        self._bar = tqdm(
            total=len(STEPS),
            disable=None if enabled is None else not enabled,
            file=sys.stderr,
            unit="step",
            bar_format="{desc:<46} {bar:20} {n_fmt}/{total_fmt} [{elapsed}]",
            leave=False,
        )
        self._started = False

    def step(self, name: str) -> None:
        if self._started:
            self._bar.update(1)
        self._started = True
        self._bar.set_description_str(name)

    def close(self) -> None:
        if not self._bar.disable:
            self._bar.n = len(STEPS)
        self._bar.close()

    def __enter__(self) -> StepBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
