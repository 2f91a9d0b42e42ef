"""Service fixtures: settings on a temporary database, clients on real worker processes.

Starting workers costs a couple of seconds (each imports the solver), so the client on the
real solver is shared by the whole session; tests that need other settings or a stand-in
solver build their own with `make_client`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from app.solving.messages import SolveFunction
from tests.app.databases import database_url
from tests.app.negotiation import MEDIATOR_TOKEN

READY_TIMEOUT_S = 60.0

MakeClient = Callable[..., AbstractContextManager[TestClient]]


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'exchange.db'}",
        "worker_count": 1,
        "queue_size": 4,
        "seed_examples": False,
        "document_processes": 0,
        "rate_limit_per_s": 0,
        **overrides,
    }
    return Settings(**values)


def wait_until_ready(client: TestClient) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.05)


# Requests "arrive" on 127.0.0.1, as they do for a server bound to loopback; without
# keys the service is open only there.
BASE_URL = "http://127.0.0.1"


@contextmanager
def running_client(settings: Settings, solve: SolveFunction | None = None) -> Iterator[TestClient]:
    # pytest captures the records; a handler of the service's own on the root logger would
    # outlive the app and print into other tests' output.
    app = create_app(settings, solve, own_logging=False)
    with TestClient(app, base_url=BASE_URL) as client:
        wait_until_ready(client)
        yield client


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service on the real solver, two workers, with the example records stored."""
    settings = settings_for(tmp_path_factory.mktemp("service"), worker_count=2, seed_examples=True)
    with running_client(settings) as shared:
        wait_for_examples(shared)
        yield shared


def wait_for_examples(client: TestClient) -> None:
    """The example records are stored in the background after start-up."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while client.get("/v1/cases/example-case/plan").status_code != 200:
        assert time.monotonic() < deadline, "the example records were not stored"
        time.sleep(0.05)


@pytest.fixture
def database_kind() -> str:
    """The database `make_client` uses; modules that run on every database override it
    with `params=tests.app.databases.DATABASES`."""
    return "sqlite"


@pytest.fixture
def make_client(tmp_path: Path, database_kind: str) -> Iterator[MakeClient]:
    """A client with its own database, settings and (optionally) stand-in solver."""
    with database_url(database_kind, tmp_path) as url:

        def make(
            solve: SolveFunction | None = None, **overrides: Any
        ) -> AbstractContextManager[TestClient]:
            return running_client(settings_for(tmp_path, database_url=url, **overrides), solve)

        yield make


@contextmanager
def shared_service(kind: str, folder: Path, **overrides: Any) -> Iterator[TestClient]:
    """The service on the real solver with two workers, on a fresh database of `kind`."""
    with database_url(kind, folder) as url:
        settings = settings_for(folder, database_url=url, worker_count=2, **overrides)
        with running_client(settings) as shared:
            yield shared


@pytest.fixture(scope="session")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service on the real solver with API keys on (the bootstrap mediator key)."""
    settings = settings_for(
        tmp_path_factory.mktemp("secured"),
        worker_count=2,
        bootstrap_mediator_key=MEDIATOR_TOKEN,
    )
    with running_client(settings) as shared:
        yield shared
