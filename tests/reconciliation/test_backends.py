"""Where the Spark backend runs: local mode unless the operator names a cluster."""

from __future__ import annotations

import pytest

from reconciliation.backends import SPARK_LOCAL_THREADS, SPARK_MASTER_VARIABLE, spark_master


def test_spark_runs_locally_unless_a_master_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SPARK_MASTER_VARIABLE, raising=False)
    assert spark_master() == f"local[{SPARK_LOCAL_THREADS}]"
    monkeypatch.setenv(SPARK_MASTER_VARIABLE, "  ")
    assert spark_master() == f"local[{SPARK_LOCAL_THREADS}]"
    monkeypatch.setenv(SPARK_MASTER_VARIABLE, "spark://registry-cluster:7077")
    assert spark_master() == "spark://registry-cluster:7077"
