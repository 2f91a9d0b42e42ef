"""The contract of reconciliation: the records it reads and the answer it gives.

Field names are the wire names. Identity fields (names, birth dates, places, service
numbers, units) are personal data: they are read, compared and forgotten, never written
to a log, an error or an answer. The answer names people by their list ids only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from solver.schema import Detainee

RecordId = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]

# Which list a record comes from: the people one side holds, the people the other side
# asks for, and the registry of people exchanged in earlier rounds.
ListRole = Literal["held", "requested", "exchanged"]
LIST_ROLES: tuple[ListRole, ...] = ("held", "requested", "exchanged")

NAME_FIELDS = ("name", "surname", "given_name", "patronymic")
IDENTITY_FIELDS = (*NAME_FIELDS, "birth_date", "birth_place", "serial_number", "unit")
# A held record is a detainee record: its planning fields are accepted and left alone.
DETAINEE_ONLY_FIELDS = tuple(
    name for name in Detainee.model_fields if name not in IDENTITY_FIELDS and name != "id"
)


class IdentityRecord(BaseModel):
    """One person as a list describes them, read and checked (`reconciliation.records`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RecordId
    name: str | None = Field(default=None, description="The full name as written, any order.")
    surname: str | None = None
    given_name: str | None = None
    patronymic: str | None = None
    birth_date: date | None = Field(
        default=None, description="Written YYYY-MM-DD or DD.MM.YYYY in the lists."
    )
    birth_place: str | None = None
    serial_number: str | None = None
    unit: str | None = None

    @property
    def has_name(self) -> bool:
        return any(getattr(self, field) for field in NAME_FIELDS)


class ReconcileOptions(BaseModel):
    """How to reconcile, not what: the backend, the bands' thresholds, the seed."""

    # Strict, as the planner's options are: no "0.9" for 0.9, no false for 0.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    backend: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="duckdb: embedded, in memory (default). spark: the same model on a local "
        "Spark session (the optional `spark` extra and a Java runtime).",
    )
    auto_probability: Probability = Field(
        default=0.95,
        description="A chosen pair is `auto` from this probability on (the probability "
        "among both people's candidates), unless both birth dates are given and disagree "
        "beyond a day/month swap or a year.",
    )
    review_probability: Probability = Field(
        default=0.3,
        description="Candidate pairs from this probability on and not `auto` are `review`; "
        "weaker ones are not returned.",
    )
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0


class ReconcileRequest(BaseModel):
    """The stateless request: the three lists, as records, and the options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    held: list[dict[str, object]] = Field(
        description="The people one side holds: detainee records with identity fields."
    )
    requested: list[dict[str, object]] = Field(
        description="The people the other side asks for, each with its own id."
    )
    exchanged: list[dict[str, object]] = Field(
        default_factory=list,
        description="The registry of people exchanged in earlier rounds, with their own ids.",
    )
    options: ReconcileOptions = Field(default_factory=ReconcileOptions)


# --------------------------------------------------------------------------- answer

Band = Literal["auto", "review"]
# What each comparison found, by field: the label of the level it hit (docs/terms.md).
Evidence = dict[str, str]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Match(_Out):
    """A requested person and the held person they are taken to be."""

    requested_id: str
    held_id: str = Field(description="The held record that agrees best (the evidence's).")
    held_ids: list[str] = Field(
        default_factory=list,
        description="Every held record the match stands for: `held_id` and, for a person "
        "listed more than once (an `auto` group of `held_duplicates`), the other copies.",
    )
    probability: Probability
    band: Band
    evidence: Evidence


class HeldDuplicate(_Out):
    """Held records taken to be one person listed more than once."""

    held_ids: list[str]
    probability: Probability = Field(description="The weakest link that joins the group.")
    band: Band


class AlreadyExchanged(_Out):
    """A held person found in the registry of people already exchanged."""

    held_id: str = Field(description="The held record that agrees best (the evidence's).")
    held_ids: list[str] = Field(
        default_factory=list,
        description="Every held record the entry stands for: `held_id` and its copies, as "
        "for a match.",
    )
    exchanged_id: str
    probability: Probability
    band: Band
    evidence: Evidence


class RunSummary(_Out):
    """Counts and timings of one run: what was compared, learnt and decided (no names)."""

    held: int
    requested: int
    exchanged: int
    compared_pairs: int = Field(
        description="Requested-held pairs scored above the floor of candidates."
    )
    auto: int
    review: int
    backend: str
    seconds: float = Field(description="Wall time of the run; varies run to run.")


class Reconciliation(_Out):
    """The answer: who is who, who waits for a person's decision, and who is not found."""

    matches: list[Match] = Field(default_factory=list)
    unmatched_requested: list[str] = Field(default_factory=list)
    held_duplicates: list[HeldDuplicate] = Field(default_factory=list)
    already_exchanged: list[AlreadyExchanged] = Field(default_factory=list)
    summary: RunSummary | None = None
