"""The databases the storage, jobs and cases tests run on: SQLite always, PostgreSQL too
when `EXCHANGE_TEST_POSTGRES_URL` names a server the tests may create databases on
(`.ci/run` starts one; for example postgresql+psycopg://postgres@127.0.0.1:5432/postgres).

Each use gets a database of its own, dropped afterwards, so tests never see each
other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("EXCHANGE_TEST_POSTGRES_URL", "")

# Parameters for a fixture or test that runs on every database.
DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL configured"),
    ),
]


@contextmanager
def database_url(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh, empty database of this kind."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'exchange.db'}"
        return
    name = f"exchange_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
