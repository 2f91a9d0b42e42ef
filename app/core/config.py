"""The service's settings: one object, read from `EXCHANGE_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
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
        default=5.0,
        gt=0,
        description="A solve overrunning its time limit by this is killed. Keep it at 5 s or "
        "more: after the limit, the solver spends at least 3 s naming the conflicts of "
        "infeasible terms (more for long lists) and writing the plan.",
    )
    job_max_attempts: int = Field(
        default=3,
        ge=1,
        le=100,
        description="How many times a job is started before it is given up (interrupted): "
        "each start that the service did not survive counts; a clean stop does not.",
    )
    job_lease_s: float = Field(
        default=30.0,
        ge=1.0,
        le=3600.0,
        description="How long a claimed job stays with its instance without news from it; "
        "after a crash, another instance (or the next start) takes the job over then.",
    )
    job_poll_interval_s: float = Field(
        default=1.0,
        gt=0,
        le=60.0,
        description="How often an instance looks for jobs submitted to, and stops asked "
        "of, other instances on the same database.",
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
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Larger request bodies are refused with 413 before anything else is "
        "done with them (also chunked ones, counted as they arrive).",
    )
    max_list_length: int = Field(
        default=100_000, ge=1, description="The most people one side's list may hold."
    )
    max_reconcile_held: int = Field(
        default=200_000,
        ge=1,
        description="The most records a held list, or a registry of people exchanged "
        "before, may hold in one reconciliation (POST /v1/reconcile, a case's reconcile).",
    )
    max_reconcile_requested: int = Field(
        default=50_000,
        ge=1,
        description="The most people one reconciliation's requests may name.",
    )

    bootstrap_mediator_key: SecretStr | None = Field(
        default=None,
        description="A mediator API key given by the operator (32 characters or more); only "
        "its SHA-256 is kept in memory. Setting it (or creating a mediator key with "
        "`python -m app.admin keys create`) switches authentication on.",
    )
    require_api_keys: bool = Field(
        default=False,
        description="Refuse unauthenticated requests even when no key exists yet.",
    )
    rate_limit_per_s: float = Field(
        default=20.0,
        ge=0,
        description="Requests per second each API key may make on average (0: no limit). "
        "Counted where rate_limit_storage says: per process by default.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where request counts are kept: memory:// (this process), `database` "
        "(the service's database, shared by every instance on it), or another storage "
        "URL of the `limits` package (its driver installed).",
    )
    rate_limit_burst: int = Field(
        default=100, ge=1, description="Requests a key may make at once before it is slowed."
    )

    case_retention_days: float | None = Field(
        default=90.0,
        gt=0,
        description="Cases untouched for this long, and stored plans older than this, are "
        "purged with their people (None: kept until deleted).",
    )
    retention_check_interval_s: float = Field(
        default=3600.0, gt=0, description="How often old cases and plans are looked for."
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="json: one JSON object per line with the request id; ids and counts only.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    seed_examples: bool = Field(
        default=True,
        description="Store the synthetic example plans and job that /docs' examples refer to.",
    )

    # The web pages (app.pages): signed session cookies.
    session_secret: SecretStr | None = Field(
        default=None,
        description="The secret that signs the pages' session cookies (32 characters or "
        "more). Unset: a random one per process, so sessions end when the service restarts; "
        "set it when several server processes share the load.",
    )
    session_max_age_s: int = Field(
        default=12 * 3600, ge=60, description="A page session ends this long after sign-in."
    )
    pages_language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$",
        description="The language of the web pages: app/pages/messages/<language>.toml.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session cookie Secure on every response (it is marked Secure "
        "anyway on requests that arrived over HTTPS).",
    )

    @field_validator("bootstrap_mediator_key")
    @classmethod
    def _long_enough(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < 32:
            raise ValueError("the bootstrap mediator key must have 32 characters or more")
        return key

    @field_validator("session_secret")
    @classmethod
    def _secret_long_enough(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise ValueError("the session secret must have 32 characters or more")
        return secret

    def sqlite_path(self) -> Path | None:
        """The database file when the URL is a file-backed SQLite one, else None."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)
