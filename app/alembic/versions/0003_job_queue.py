"""Jobs that outlive a restart: each job keeps its request until it finishes, and is
claimed by one service instance at a time under a lease; rate-limit counters shared by
instances.

Revision ID: 0003
Revises: 0002
Create Date: 2025-06-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("request_json", sa.Text(), nullable=True))
        jobs.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        jobs.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        jobs.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        jobs.create_index("ix_jobs_claimed_by", ["claimed_by"])
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("window", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_index("ix_jobs_claimed_by")
        jobs.drop_column("lease_until")
        jobs.drop_column("claimed_by")
        jobs.drop_column("attempts")
        jobs.drop_column("request_json")
