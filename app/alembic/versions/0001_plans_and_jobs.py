"""Plans and jobs.

Revision ID: 0001
Revises:
Create Date: 2025-05-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("released_side_a", sa.Integer(), nullable=False),
        sa.Column("released_side_b", sa.Integer(), nullable=False),
        sa.Column("objective_json", sa.Text(), nullable=True),
        sa.Column("request_json", sa.Text(), nullable=False),
        sa.Column("plan_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_plans_created_at", "plans", ["created_at"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("time_limit_s", sa.Float(), nullable=False),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.Column("progress_json", sa.Text(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column(
            "plan_id",
            sa.String(64),
            sa.ForeignKey("plans.id", ondelete="SET NULL", name="fk_jobs_plan_id_plans"),
            nullable=True,
        ),
    )
    op.create_index("ix_jobs_status", "jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_jobs_status", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_plans_created_at", table_name="plans")
    op.drop_table("plans")
