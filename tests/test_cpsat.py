"""CP-SAT without pandas: the solver works, and pandas stays importable for everyone else."""

from __future__ import annotations

import subprocess
import sys


def test_cpsat_import_leaves_no_pandas_behind() -> None:
    code = (
        "import sys\n"
        "from solver.cpsat import cp_model\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
        "m = cp_model.CpModel()\n"
        "x = m.new_int_var(0, 7, 'x')\n"
        "m.maximize(x)\n"
        "s = cp_model.CpSolver()\n"
        "assert s.solve(m) == cp_model.OPTIMAL and s.value(x) == 7\n"
        "import pandas\n"
        "assert hasattr(pandas, 'DataFrame'), 'the stand-in leaked'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
