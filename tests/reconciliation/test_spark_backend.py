"""The same linkage model on Spark (local mode) as on DuckDB.

Needs the optional `spark` extra and a Java runtime; `./scripts/test` installs Debian's
headless one when it can. Where neither is there the test is skipped, saying why.
"""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from benchmarks.reconciliation.lists import generate_lists
from reconciliation.identity_keys import keys_of
from reconciliation.linkage import score
from reconciliation.reconcile import read_lists

_MISSING = (
    "pyspark is not installed (the optional `spark` extra)"
    if importlib.util.find_spec("pyspark") is None
    else "no Java runtime on PATH (./scripts/test installs default-jre-headless on Debian)"
    if shutil.which("java") is None
    else None
)


@pytest.mark.slow
@pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")
def test_spark_scores_the_same_pairs_as_duckdb() -> None:
    # Lists short enough to be scored on the model's priors: the two backends then run
    # exactly the same model, and any difference is the backend's.
    lists = generate_lists(160, 120, seed=5)
    held, requested, _ = read_lists(lists.held, lists.requested, lists.exchanged)
    tables = (keys_of(requested), keys_of(held), None)
    on_duckdb = score(*tables, backend="duckdb")
    on_spark = score(*tables, backend="spark")
    for question in ("requested_held", "held_held"):
        duck = {(p.left, p.right): p for p in getattr(on_duckdb, question).pairs}
        spark = {(p.left, p.right): p for p in getattr(on_spark, question).pairs}
        assert duck.keys() == spark.keys(), question
        for key, pair in duck.items():
            assert spark[key].evidence == pair.evidence, (question, key)
            assert spark[key].match_weight == pytest.approx(pair.match_weight, abs=1e-6)
    assert len(on_duckdb.requested_held.pairs) > 60
