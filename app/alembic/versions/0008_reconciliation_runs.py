"""Reconciliation runs started from the web page: where each case's run stands.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_runs",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey(
                "cases.id", ondelete="CASCADE", name="fk_reconciliation_runs_case_id_cases"
            ),
            primary_key=True,
        ),
        sa.Column("held_side", sa.String(8), nullable=False),
        sa.Column("requested", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("step", sa.String(80), nullable=True),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("reconciliation_runs")
