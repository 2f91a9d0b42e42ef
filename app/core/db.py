"""The database engine and its migrations: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings

logger = logging.getLogger(__name__)

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"
_MIGRATION_LOCK = 0x65786368  # "exch": the advisory lock key migrations take on PostgreSQL


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured URL; a SQLite file gets its folder and safe pragmas."""
    sqlite_path = settings.sqlite_path()
    if sqlite_path is not None:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    is_sqlite = settings.database_url.startswith("sqlite")
    connect_args: dict[str, Any] = (
        # Worker threads record job progress while requests read it.
        {"check_same_thread": False, "timeout": 30} if is_sqlite else {}
    )
    engine = create_engine(settings.database_url, connect_args=connect_args, pool_pre_ping=True)
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while a worker thread writes; foreign keys are off by default
    # (and deleting a case relies on them to cascade). secure_delete overwrites deleted
    # rows with zeros, so a purged list leaves no people behind in free pages.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def checkpoint(engine: Engine, attempts: int = 5) -> bool:
    """Copy the write-ahead log into the database file and empty it (SQLite only).

    After a delete the zeroed pages sit in the WAL while the old ones, people and all,
    are still in the main file; a TRUNCATE checkpoint writes the zeros over them and
    removes the log. Returns False when readers kept it from completing.
    """
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        with engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if row is None or int(row[0]) == 0:
            return True
        time.sleep(0.05 * (attempt + 1))
    logger.warning("WAL checkpoint still busy after %d attempts", attempts)
    return False


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded rows usable after commit (handlers return them)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(database_url: str) -> Config:
    """The migration config, built in code so the service needs no ini file at run time."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration, on the engine's own connection."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Instances starting together on one database migrate one after the other
            # (SQLite's single writer already sees to that).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def database_reachable(engine: Engine) -> bool:
    """True when a trivial query succeeds; used by the readiness probe."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
