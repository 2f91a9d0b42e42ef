"""The service as `uvicorn tests.app.live_app:app` runs it: settings from the environment,
the solver replaced by `solve_by_side_name`, so a live server can be made to crash, hang
or overrun on request (and solves for real otherwise)."""

from __future__ import annotations

from app.main import create_app
from tests.app.fake_solvers import solve_by_side_name

app = create_app(solve=solve_by_side_name)
