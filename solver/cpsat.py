"""OR-Tools CP-SAT, imported without paying for pandas.

`ortools.sat.python.cp_model` imports pandas at module level, only for its optional
pandas helpers (`new_int_var_series` and friends), which this project never calls.
Importing pandas costs more wall time than planning a 100,000-person exchange, and
the command line pays it on every run. So, unless pandas is already loaded, cp_model
is imported with a stand-in that names the two pandas types its module body
mentions; the stand-in is removed right after, so `import pandas` anywhere later
gets the real one. Should a future OR-Tools need more of pandas at import time, the
stand-in import fails and the ordinary import is used instead.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterable

_CP_MODEL = "ortools.sat.python.cp_model"


def _import_cp_model() -> types.ModuleType:
    if "pandas" in sys.modules or _CP_MODEL in sys.modules:
        return importlib.import_module(_CP_MODEL)
    stand_in = types.ModuleType("pandas", "stand-in while importing CP-SAT; never used")
    stand_in.Index = type("Index", (), {})  # type: ignore[attr-defined]
    stand_in.Series = type("Series", (), {})  # type: ignore[attr-defined]
    sys.modules["pandas"] = stand_in
    try:
        return importlib.import_module(_CP_MODEL)
    except Exception:  # an OR-Tools that needs real pandas: import it the ordinary way
        sys.modules.pop(_CP_MODEL, None)
        sys.modules.pop("pandas", None)
        return importlib.import_module(_CP_MODEL)
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]


_import_cp_model()

from ortools.sat.python import cp_model  # noqa: E402  (imported above, pandas-free)


def set_hints(model: cp_model.CpModel, hints: Iterable[tuple[cp_model.IntVar, int]]) -> None:
    """Replace the model's solution hint with these (variable, value) pairs.

    The same hint as `clear_hints` and one `add_hint` per pair, written in two bulk
    appends: `add_hint` costs about 2.5 microseconds a call, and a pooled model at
    100,000 people a side takes a few thousand hints per search.
    """
    model.clear_hints()  # type: ignore[no-untyped-call]  # unannotated in ortools
    pairs = list(hints)  # variables, never negated literals: their indices are >= 0
    hint = model.proto.solution_hint
    hint.vars.extend([var.index for var, _ in pairs])
    hint.values.extend([int(value) for _, value in pairs])


__all__ = ["cp_model", "set_hints"]
