"""Reconciliation of a case's lists: the stored answer and the mediator's decisions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconciliations",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey("cases.id", ondelete="CASCADE", name="fk_reconciliations_case_id_cases"),
            primary_key=True,
        ),
        sa.Column("held_side", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_json", sa.Text(), nullable=False),
        sa.Column("exchanged_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "reconciliation_decisions",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey(
                "reconciliations.case_id",
                ondelete="CASCADE",
                name="fk_reconciliation_decisions_case_id_reconciliations",
            ),
            primary_key=True,
        ),
        sa.Column("item_id", sa.String(16), primary_key=True),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reconciliation_decisions")
    op.drop_table("reconciliations")
