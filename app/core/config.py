"""The service's settings: one object, read from `EXCHANGE_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class Settings(BaseSettings):
    """Everything an operator may tune; the defaults run a single-host service on SQLite."""

    model_config = SettingsConfigDict(env_prefix="EXCHANGE_", env_file=".env", extra="ignore")

    project_name: str = "exchange-planner"
    api_prefix: str = "/v1"

    database_url: str = Field(
        default="sqlite:///./data/exchange.db",
        description="SQLAlchemy URL; postgresql+psycopg://... works with the same code.",
    )
    migrate_on_start: bool = Field(
        default=True, description="Apply Alembic migrations when the service starts."
    )

    worker_count: int = Field(default=2, ge=1, le=64, description="Solver worker processes.")
    queue_size: int = Field(
        default=8, ge=0, description="Solves that may wait for a free worker before 503."
    )
    worker_start_method: Literal["spawn", "forkserver"] = "spawn"
    retry_after_s: int = Field(default=5, ge=1, description="Retry-After sent with a 503.")

    default_time_limit_s: float = Field(
        default=10.0, gt=0, description="Used when a request does not set options.time_limit_s."
    )
    max_time_limit_s: float = Field(
        default=600.0, gt=0, description="Requests asking for longer solves are rejected."
    )
    stop_grace_s: float = Field(
        default=1.0,
        gt=0,
        description="A stopped solve that has not returned by then is killed, keeping the "
        "best plan it reported (so a stop takes under 2 s).",
    )
    overrun_grace_s: float = Field(
        default=15.0,
        gt=0,
        description="A solve overrunning its time limit by this is killed. The solver may "
        "spend up to 10 s beyond the limit naming the conflicts of infeasible terms.",
    )
    cancel_wait_s: float = Field(
        default=2.0, ge=0, description="How long DELETE /jobs/{id} waits for the solve to stop."
    )

    document_processes: int = Field(
        default=1,
        ge=0,
        description="Helper processes that read big bodies and write big documents "
        "(0: everything in the threadpool).",
    )
    inline_below_bytes: int = Field(
        default=512 * 1024,
        ge=0,
        description="Documents smaller than this are handled in the threadpool.",
    )

    max_scenario_variants: int = Field(default=12, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)

    seed_examples: bool = Field(
        default=True,
        description="Store the synthetic example plans and job that /docs' examples refer to.",
    )

    def sqlite_path(self) -> Path | None:
        """The database file when the URL is a file-backed SQLite one, else None."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)
