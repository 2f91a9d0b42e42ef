"""Where the linkage runs: embedded DuckDB (the default), or Spark for big registries.

Names are the data here, so neither backend writes them anywhere the service does not
own: DuckDB works in memory, and may spill only into a private temporary folder (mode
0700) that is removed when the run ends, whatever happens. Spark runs in local mode
with its scratch space in such a folder too, its web UI and event log off.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPI

Backend = Literal["duckdb", "spark"]

# DuckDB's share of the 2 GB a run may use; past it, it spills to the private folder.
DUCKDB_MEMORY_LIMIT = "1200MB"
SPARK_LOCAL_THREADS = 2
# Where Spark runs: its own local mode unless the operator names a cluster's master URL.
SPARK_MASTER_VARIABLE = "RECONCILIATION_SPARK_MASTER"


def spark_master() -> str:
    """The Spark master URL: `RECONCILIATION_SPARK_MASTER` when set (e.g. `spark://host:7077`),
    else local mode on `SPARK_LOCAL_THREADS` threads."""
    return os.environ.get(SPARK_MASTER_VARIABLE, "").strip() or f"local[{SPARK_LOCAL_THREADS}]"


class BackendUnavailableError(RuntimeError):
    """The backend asked for cannot run here (Spark without pyspark or Java)."""


def quiet_libraries() -> None:
    """Splink logs its steps and SQL at INFO, and warns about training it leaves to us
    (untrained levels, which `bounded_model` floors); neither belongs in a service's log.
    No record's content is in any of it, but nothing is gained by it either."""
    for name in ("splink", "py4j", "pyspark"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextmanager
def private_folder() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="reconcile-")  # created with mode 0700
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def duckdb_api(threads: int | None = None) -> Iterator[DatabaseAPI[Any]]:
    """An in-memory DuckDB for one run, closed (and its spill folder removed) after."""
    import duckdb
    from splink.backends.duckdb import DuckDBAPI

    with private_folder() as folder:
        connection = duckdb.connect(":memory:")
        try:
            connection.execute(f"SET temp_directory = '{folder}'")
            connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            connection.execute("SET preserve_insertion_order = false")
            connection.execute("SET enable_progress_bar = false")
            if threads is not None:
                connection.execute(f"SET threads = {int(threads)}")
            yield DuckDBAPI(connection)
        finally:
            connection.close()


@contextmanager
def spark_api() -> Iterator[DatabaseAPI[Any]]:
    """A Spark session for one run (local mode unless `spark_master` names a cluster),
    stopped (and its scratch removed) after."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location
    except ImportError as error:
        raise BackendUnavailableError(
            "the spark backend needs the optional `spark` extra (pyspark)"
        ) from error
    if shutil.which("java") is None:
        raise BackendUnavailableError("the spark backend needs a Java runtime (java on PATH)")
    with private_folder() as folder:
        session = (
            SparkSession.builder.master(spark_master())
            .appName("reconciliation")
            .config("spark.jars", similarity_jar_location())
            .config("spark.local.dir", folder)
            .config("spark.sql.warehouse.dir", f"{folder}/warehouse")
            .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={folder}")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.eventLog.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        session.sparkContext.setCheckpointDir(f"{folder}/checkpoints")
        try:
            yield SparkAPI(  # type: ignore[no-untyped-call]
                spark_session=session, break_lineage_method="persist"
            )
        finally:
            session.stop()


@contextmanager
def database_api(backend: Backend) -> Iterator[DatabaseAPI[Any]]:
    quiet_libraries()
    if backend == "spark":
        with spark_api() as api:
            yield api
    else:
        with duckdb_api() as api:
            yield api
