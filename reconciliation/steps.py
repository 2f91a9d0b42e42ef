"""The steps of a run, in order, named for a progress bar (never a person).

Apart from `reconcile`, so that what shows progress (the command line's bar, the web
page) knows the steps without importing the linkage and its libraries.
"""

from __future__ import annotations

from collections.abc import Callable

# `on_step` is called with each name as its step begins; a run on lists too short to
# train on skips the training steps.
STEPS: tuple[str, ...] = (
    "reading the lists",
    "building comparable keys",
    "training: prior",
    "training: u from random pairs",
    "training: expectation maximisation",
    "training: expectation maximisation",
    "scoring requested against held",
    "looking for duplicates within the held list",
    "looking for held people already exchanged",
    "deciding",
)
StepReport = Callable[[str], None]
