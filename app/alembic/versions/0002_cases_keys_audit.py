"""Negotiation cases, their lists, API keys, and the hash-chained audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2025-05-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terms_json", sa.Text(), nullable=True),
        sa.Column("options_json", sa.Text(), nullable=True),
    )
    op.create_index("ix_cases_updated_at", "cases", ["updated_at"])
    op.create_table(
        "case_lists",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_lists_case_id_cases"),
            primary_key=True,
        ),
        sa.Column("side", sa.String(8), primary_key=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("detainee_count", sa.Integer(), nullable=False),
        sa.Column("list_json", sa.Text(), nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey("cases.id", ondelete="CASCADE", name="fk_api_keys_case_id_cases"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_case_id", "api_keys", ["case_id"])
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("object_id", sa.String(64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_entries_case_id", "audit_entries", ["case_id"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("case_id", sa.String(64), nullable=True))
        plans.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        plans.create_foreign_key(
            "fk_plans_case_id_cases", "cases", ["case_id"], ["id"], ondelete="CASCADE"
        )
        plans.create_index("ix_plans_case_id", ["case_id"])
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("case_id", sa.String(64), nullable=True))
        jobs.create_foreign_key(
            "fk_jobs_case_id_cases", "cases", ["case_id"], ["id"], ondelete="CASCADE"
        )
        jobs.create_index("ix_jobs_case_id", ["case_id"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_index("ix_jobs_case_id")
        jobs.drop_constraint("fk_jobs_case_id_cases", type_="foreignkey")
        jobs.drop_column("case_id")
    with op.batch_alter_table("plans") as plans:
        plans.drop_index("ix_plans_case_id")
        plans.drop_constraint("fk_plans_case_id_cases", type_="foreignkey")
        plans.drop_column("published_at")
        plans.drop_column("case_id")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_entries_case_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_index("ix_api_keys_case_id", table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("case_lists")
    op.drop_index("ix_cases_updated_at", table_name="cases")
    op.drop_table("cases")
