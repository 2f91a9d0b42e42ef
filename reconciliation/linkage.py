"""Running the linkage model: train it on the two lists, then score the candidate pairs.

Training, prediction and the two follow-up predictions are separate steps, as Splink
lays them out, and each reports to `on_step`. The model is trained once, on requested
against held, and then reused to look for duplicates within the held list and for held
people in the registry of exchanged ones: the same fields, compared the same way, only
the prior odds of a match differ (`DUPLICATE_SHARE`, `EXCHANGED_SHARE`).
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from reconciliation.backends import Backend, database_api
from reconciliation.linkage_model import (
    COMPARISONS,
    DUPLICATE_BLOCKING_RULES,
    M_FLOOR,
    MIN_PAIRS_TO_TRAIN,
    U_FLOOR,
    U_SAMPLE_PAIRS,
    Comparison,
    Level,
    blocking_rules_for,
    comparisons_for,
    level_labels,
    sure_rule_for,
    training_blocks_for,
)

if TYPE_CHECKING:
    from splink import Linker, SettingsCreator
    from splink.internals.comparison_creator import ComparisonCreator
    from splink.internals.comparison_level_creator import ComparisonLevelCreator
    from splink.internals.splink_dataframe import SplinkDataFrame

# Pairs below this pairwise posterior are dropped by the backend already. Low, because a
# pair's odds still count for the one-to-one posterior of `decisions` (the rivals of a
# candidate, and how much of a person's probability they take).
CANDIDATE_PROBABILITY = 0.001
# Prior share of held people listed twice, and of held people already exchanged, used
# as the prior odds of the follow-up predictions (the link's prior is learnt instead).
DUPLICATE_SHARE = 0.02
EXCHANGED_SHARE = 0.02

StepReport = Callable[[str], None]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredPair:
    """Two records, how strongly the model says they are one person, and why."""

    left: str
    right: str
    match_weight: float  # log2 of the posterior odds
    evidence: dict[str, str]  # field -> level label

    @property
    def probability(self) -> float:
        return posterior(self.match_weight)


@dataclass(frozen=True)
class PairSet:
    """The candidate pairs of one question, and the prior they were scored under."""

    pairs: list[ScoredPair]
    prior: float  # the probability that two random records match
    left_count: int  # records on each side (the same list twice for duplicates)
    right_count: int


@dataclass(frozen=True)
class Scores:
    """Everything the decisions need: the three sets of candidate pairs."""

    requested_held: PairSet  # left: requested id, right: held id
    held_held: PairSet  # two held ids
    held_exchanged: PairSet  # left: held id, right: exchanged id
    # The trained model (Splink's JSON, bounded) the pairs were scored with: passed back
    # to `score`, it scores other lists, or the same on another backend, without training.
    model: dict[str, Any] = field(default_factory=dict)


def posterior(match_weight: float) -> float:
    if match_weight > 60:
        return 1.0
    return 1.0 / (1.0 + math.pow(2.0, -match_weight))


def _level_creator(level: Level) -> ComparisonLevelCreator:
    import splink.comparison_level_library as cll

    creator: ComparisonLevelCreator
    if level.kind == "exact":
        creator = cll.ExactMatchLevel(level.column or "")
    elif level.kind == "sql":
        creator = cll.CustomLevel(level.sql or "", base_dialect_str="duckdb")
    elif level.kind == "arrays_share":
        creator = cll.ArrayIntersectLevel(level.column or "", 1)
    elif level.kind == "jaro_winkler":
        creator = cll.JaroWinklerLevel(level.column or "", level.threshold)
    elif level.kind == "levenshtein":
        creator = cll.LevenshteinLevel(level.column or "", int(level.threshold))
    else:
        creator = cll.ElseLevel()
    options: dict[str, Any] = {
        "label_for_charts": level.label,
        "m_probability": level.m,
        "u_probability": level.u,
    }
    if level.term_frequency_column is not None:
        options["tf_adjustment_column"] = level.term_frequency_column
    if level.fixed:
        options["fix_m_probability"] = True
    return creator.configure(**options)


def _comparison_creator(comparison: Comparison) -> ComparisonCreator:
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    null = cll.NullLevel(comparison.null_column).configure(label_for_charts="missing")
    return CustomComparison(
        [null, *(_level_creator(level) for level in comparison.levels)],
        output_column_name=comparison.field,
    )


def columns_given(left: pa.Table, right: pa.Table) -> frozenset[str]:
    """The key columns that both tables give for at least one record: a field counts
    only when both lists have it (a comparison or a blocking rule on a column one list
    lacks would find nothing but nulls)."""

    def given(table: pa.Table) -> set[str]:
        return {name for name in table.column_names if table[name].null_count < table.num_rows}

    return frozenset(given(left) & given(right))


def model_comparisons(model: dict[str, Any]) -> tuple[Comparison, ...]:
    """The comparisons a model dict actually has, in its order (read back from it, not
    assumed: the pairs are read by these)."""
    by_field = {c.field: c for c in COMPARISONS}
    return tuple(by_field[c["output_column_name"]] for c in model["comparisons"])


def _read_pairs(
    predicted: SplinkDataFrame, model: dict[str, Any], left_source: str | None
) -> list[ScoredPair]:
    """Read back ids, weight and comparison vector only, then drop the backend's table."""
    comparisons = model_comparisons(model)
    columns = [
        "unique_id_l",
        "unique_id_r",
        *(["source_dataset_l"] if left_source is not None else []),
        "match_weight",
        *(f"gamma_{c.field}" for c in comparisons),
    ]
    selected = predicted.query_sql(f"SELECT {', '.join(columns)} FROM {{this}}")
    rows = selected.as_record_list()
    selected.drop_table_from_database_and_remove_from_cache()
    predicted.drop_table_from_database_and_remove_from_cache()
    return _pairs(rows, comparisons, left_source)


def _pairs(
    rows: Sequence[dict[str, Any]],
    comparisons: Sequence[Comparison],
    left_source: str | None,
) -> list[ScoredPair]:
    """Splink's rows as pairs, oriented so that `left` comes from `left_source`, in id
    order: backends (and DuckDB's threads) return rows in their own order, and the
    decisions break ties between equal pairs (two copies of one person) by it."""
    labels = {c.field: level_labels(c) for c in comparisons}
    pairs = []
    for row in rows:
        left, right = str(row["unique_id_l"]), str(row["unique_id_r"])
        if left_source is not None and row.get("source_dataset_l") != left_source:
            left, right = right, left
        evidence = {
            field: by_value.get(int(row[f"gamma_{field}"]), "missing")
            for field, by_value in labels.items()
        }
        pairs.append(ScoredPair(left, right, float(row["match_weight"]), evidence))
    return sorted(pairs, key=lambda pair: (pair.left, pair.right))


def train(
    requested: pa.Table,
    held: pa.Table,
    *,
    backend: Backend = "duckdb",
    seed: int = 0,
    em_iterations: int | None = None,
) -> dict[str, Any]:
    """The model `score` would train on requested against held, alone (Splink's JSON).

    `em_iterations` runs every EM session exactly that many iterations instead of until
    Splink's convergence threshold, which a backend's sums, in its own order, reach
    after more or fewer iterations: for comparing backends (the product leaves it None).
    """
    with database_api(backend) as api:
        tables = [
            api.register(requested, table_name="requested"),
            api.register(held, table_name="held"),
        ]
        return _trained_model(requested, held, tables, seed, em_iterations, lambda _step: None)


def _settings(linked: frozenset[str]) -> SettingsCreator:
    from splink import SettingsCreator
    from splink.blocking_rule_library import CustomRule

    return SettingsCreator(
        link_type="link_only",
        comparisons=[_comparison_creator(c) for c in comparisons_for(linked)],
        blocking_rules_to_generate_predictions=[
            CustomRule(rule, sql_dialect="duckdb") for rule in blocking_rules_for(linked)
        ],
        # The comparison vector (gamma_*) comes with the matching columns; only the
        # ids, weights and gammas are read back (`_read_pairs`).
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
    )


def _trained_model(
    requested: pa.Table,
    held: pa.Table,
    tables: list[SplinkDataFrame],
    seed: int,
    em_iterations: int | None,
    report: StepReport,
) -> dict[str, Any]:
    from splink import Linker

    linked = columns_given(requested, held)
    settings = _settings(linked)
    if em_iterations is not None:
        settings.em_convergence = 0.0
        settings.max_iterations = em_iterations
    report("training: prior")
    settings.probability_two_random_records_match = _link_prior(
        tables[0], tables[1], requested.num_rows, held.num_rows, linked
    )
    linker: Linker = Linker(tables, settings, log_level=None)
    report("training: u from random pairs")
    trained = requested.num_rows * held.num_rows >= MIN_PAIRS_TO_TRAIN
    if trained:
        # Every sampled pair counts (no min_count_per_level): Splink would stop a
        # comparison at the first of its chunks where each level has 100 pairs, and a
        # chunk is a hash of the ids, which each backend computes its own way, so DuckDB
        # and Spark learnt u from different pairs of the same lists (one level's u was
        # twice the other's).
        linker.training.estimate_u_using_random_sampling(
            max_pairs=U_SAMPLE_PAIRS, seed=seed, min_count_per_level=None
        )
    blocks = training_blocks_for(linked) if trained else ()
    # Two steps of the progress bar (`STEPS`), however many sessions the lists allow.
    for sessions in (blocks[:1], blocks[1:]):
        report("training: expectation maximisation")
        for block in sessions:
            linker = _expectation_maximisation(linker, tables, block.rule)
    return bounded_model(linker.misc.save_model_to_json(), sampled_u=trained)


def score(
    requested: pa.Table,
    held: pa.Table,
    exchanged: pa.Table | None,
    *,
    backend: Backend = "duckdb",
    seed: int = 0,
    on_step: StepReport | None = None,
    model: dict[str, Any] | None = None,
) -> Scores:
    """Train the model on requested against held, and score the candidate pairs of all
    three questions (who is who, who is listed twice, who was already exchanged).

    Each question compares the fields its two lists both give: the trained model's
    comparisons where it has them, the priors of `COMPARISONS` for a field the
    requested list lacks (held people's birth dates still tell duplicates apart when
    the requests carry none).

    Given a `model` (a `Scores.model`, or `train`'s, from either backend), nothing is
    trained: the pairs are scored with its prior, m and u."""
    report = on_step or (lambda _step: None)
    with database_api(backend) as api:
        requested_df = api.register(requested, table_name="requested")
        held_df = api.register(held, table_name="held")
        tables = [requested_df, held_df]
        if model is None:
            model = _trained_model(requested, held, tables, seed, None, report)
        else:
            model = in_dialect(model, api.sql_dialect.sql_dialect_str)
        report("scoring requested against held")
        link_prior = float(model["probability_two_random_records_match"])
        requested_held = _predict_with(model, tables, "link_only", link_prior, "requested")
        report("looking for duplicates within the held list")
        duplicate_prior = _prior(
            DUPLICATE_SHARE * held.num_rows / 2, held.num_rows * (held.num_rows - 1) // 2
        )
        within_held = columns_given(held, held)
        held_held = _predict_with(
            _model_for(model, within_held),
            held_df,
            "dedupe_only",
            duplicate_prior,
            None,
            blocking_rules_for(within_held, DUPLICATE_BLOCKING_RULES),
        )
        held_exchanged: list[ScoredPair] = []
        exchanged_rows = exchanged.num_rows if exchanged is not None else 0
        exchanged_prior = _prior(
            EXCHANGED_SHARE * min(held.num_rows, exchanged_rows), held.num_rows * exchanged_rows
        )
        if exchanged is not None and exchanged_rows:
            report("looking for held people already exchanged")
            exchanged_df = api.register(exchanged, table_name="exchanged")
            with_registry = columns_given(held, exchanged)
            held_exchanged = _predict_with(
                _model_for(model, with_registry),
                [held_df, exchanged_df],
                "link_only",
                exchanged_prior,
                "held",
                blocking_rules_for(with_registry),
            )
    return Scores(
        PairSet(requested_held, link_prior, requested.num_rows, held.num_rows),
        PairSet(held_held, duplicate_prior, held.num_rows, held.num_rows),
        PairSet(held_exchanged, exchanged_prior, held.num_rows, exchanged_rows),
        model,
    )


def _model_for(model: dict[str, Any], columns: frozenset[str]) -> dict[str, Any]:
    """The trained model for another pair of lists: the comparisons of the fields those
    lists both give, trained where the model has them, at their priors where it has not
    (a field the requested list lacks was never trained)."""
    trained = {c["output_column_name"]: c for c in model["comparisons"]}
    return {
        **model,
        "comparisons": [
            trained.get(c.field) or _prior_comparison(c, model["sql_dialect"])
            for c in comparisons_for(columns)
        ],
    }


def _prior_comparison(comparison: Comparison, dialect: str) -> dict[str, Any]:
    """A comparison at its priors, as a saved model of that SQL dialect writes it (the
    backend reads the model's SQL in its own dialect: DuckDB's "column" is a string in
    Spark's SQL, where every such test would quietly be false)."""
    as_dict: dict[str, Any] = (
        _comparison_creator(comparison).get_comparison(dialect).as_dict()  # type: ignore[no-untyped-call]
    )
    return as_dict


def in_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A saved model rewritten for another backend's SQL dialect: the same comparisons,
    levels, prior, m and u, the levels' SQL written anew for that dialect."""
    comparisons = []
    for comparison, saved in zip(model_comparisons(model), model["comparisons"], strict=True):
        written = _prior_comparison(comparison, dialect)
        levels = written["comparison_levels"]
        if [lvl.get("label_for_charts") for lvl in levels] != [
            lvl.get("label_for_charts") for lvl in saved["comparison_levels"]
        ]:
            raise ValueError(f"the model's {comparison.field} levels are not the current ones")
        for level, learnt in zip(levels, saved["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in learnt:
                    level[key] = learnt[key]
        comparisons.append(written)
    return {**model, "sql_dialect": dialect, "comparisons": comparisons}


def _expectation_maximisation(linker: Linker, tables: list[SplinkDataFrame], block: str) -> Linker:
    """One EM session. Short lists may give it no pair at all, and a level that no pair
    of the session supports can make Splink's maximisation step underflow to an m of 0.
    A failed session leaves Splink's settings half changed (the comparisons its rule
    fixes are gone, the prior is the session's), so the linker is rebuilt from the model
    as it stood before: it keeps what earlier sessions learnt (the floors of
    `bounded_model` apply after), and the log says so without data."""
    from splink import Linker
    from splink.internals.exceptions import EMTrainingException

    before = linker.misc.save_model_to_json()
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block, estimate_without_term_frequencies=True
        )
    except EMTrainingException:
        logger.info("an expectation maximisation session had no pairs to learn from")
    except ValueError as error:
        if "below the minimum allowed" not in str(error):
            raise
        logger.warning("an expectation maximisation session stopped early (an m underflowed)")
    else:
        return linker
    return Linker(tables, before, log_level=None)


def bounded_model(model: dict[str, Any], *, sampled_u: bool = True) -> dict[str, Any]:
    """The trained model with its u freed of true matches and its m and u floored.

    Random pairs of two lists that share most of their people are not all non-matches:
    a share `prior` of them match, and for a field as telling as a birth date they are
    most of the random pairs that agree (1,500 people on each list: 1 pair in 1,700
    matches, 1 in 15,000 non-matching pairs shares a birth date). What random sampling
    measured is prior * m + (1 - prior) * u; this solves it for u.
    """
    prior = float(model["probability_two_random_records_match"])
    bounded = copy.deepcopy(model)
    for comparison in bounded["comparisons"]:
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        for level in levels:
            m = level.get("m_probability") or 0.0
            sampled = level.get("u_probability")
            if sampled is not None and sampled_u:
                level["u_probability"] = max((sampled - prior * m) / (1.0 - prior), U_FLOOR)
            level["m_probability"] = max(m, M_FLOOR)
        for key in ("m_probability", "u_probability"):
            total = sum(lvl.get(key) or 0.0 for lvl in levels)
            if total > 0:
                for level in levels:
                    if level.get(key) is not None:
                        level[key] = level[key] / total
    return bounded


def _link_prior(
    requested_df: SplinkDataFrame,
    held_df: SplinkDataFrame,
    requested: int,
    held: int,
    columns: frozenset[str],
) -> float:
    """How likely two random records match: the pairs that surely do (the first of
    `SURE_RULES` both lists have the columns for), over the share of true matches that
    rule catches, bounded by the fewest and the most matches there can be (one; every
    requested person held)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules
    from splink.blocking_rule_library import CustomRule

    rule = sure_rule_for(columns)
    sure = 0
    if rule is not None:
        counted = count_comparisons_from_blocking_rules(
            [requested_df, held_df],
            blocking_rules=[CustomRule(rule.rule, sql_dialect="duckdb")],
            link_type="link_only",
            record_sample_proportion=1.0,
        )
        sure = counted[-1]["cumulative_comparison_count"] if counted else 0
    recall = rule.recall if rule is not None else 1.0
    expected = min(max(sure / recall, 1.0), min(requested, held))
    return _prior(expected, requested * held)


def _prior(expected_matches: float, pairs: int) -> float:
    """The probability that two random records match, from how many matches to expect."""
    return min(max(expected_matches, 0.5) / max(pairs, 1), 0.5)


def _predict_with(
    model: dict[str, Any],
    tables: SplinkDataFrame | list[SplinkDataFrame],
    link_type: str,
    prior: float,
    left_source: str | None,
    blocking_rules: Sequence[str] | None = None,
) -> list[ScoredPair]:
    """Score tables with a trained model: same m and u, its own prior odds (and its own
    blocking rules, if given)."""
    from splink import Linker

    settings = {
        **model,
        "link_type": link_type,
        "probability_two_random_records_match": prior,
    }
    if blocking_rules is not None:
        settings["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in blocking_rules
        ]
    linker = Linker(tables, settings, log_level=None)
    predicted = linker.inference.predict(
        threshold_match_probability=CANDIDATE_PROBABILITY, warning_mode="never"
    )
    return _read_pairs(predicted, settings, left_source)


def compare_pairs(left: pa.Table, right: pa.Table) -> list[dict[str, str]]:
    """What each comparison finds for record i of `left` against record i of `right`:
    the evidence labels, no training, no probabilities (DuckDB). For tests and for
    seeing the model at work on hand-made pairs."""
    from splink import Linker, SettingsCreator
    from splink.blocking_rule_library import CustomRule

    count = left.num_rows
    if right.num_rows != count:
        raise ValueError("compare_pairs takes two tables of the same length")
    pair_ids = pa.array(range(count), type=pa.int64())
    with database_api("duckdb") as api:
        left_df = api.register(left.append_column("pair_id", pair_ids), table_name="pairs_left")
        right_df = api.register(right.append_column("pair_id", pair_ids), table_name="pairs_right")
        settings = SettingsCreator(
            link_type="link_only",
            comparisons=[_comparison_creator(c) for c in COMPARISONS],
            blocking_rules_to_generate_predictions=[CustomRule("l.pair_id = r.pair_id")],
            retain_matching_columns=True,
            additional_columns_to_retain=["pair_id"],
        )
        linker = Linker([left_df, right_df], settings, log_level=None)
        predicted = linker.inference.predict(warning_mode="never")
        columns = ", ".join(f"gamma_{c.field}" for c in COMPARISONS)
        selected = predicted.query_sql(f"SELECT pair_id_l, {columns} FROM {{this}}")
        rows = selected.as_record_list()
    labels = {c.field: level_labels(c) for c in COMPARISONS}
    found: list[dict[str, str]] = [{} for _ in range(count)]
    for row in rows:
        found[int(row["pair_id_l"])] = {
            field: by_value[int(row[f"gamma_{field}"])] for field, by_value in labels.items()
        }
    return found
