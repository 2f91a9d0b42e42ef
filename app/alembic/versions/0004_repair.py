"""The day of the exchange: case events, numbered publications, the registry.

Revision ID: 0004
Revises: 0003
Create Date: 2025-06-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_events",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_events_case_id_cases"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("plan_id", sa.String(64), nullable=True),
        sa.Column("event_json", sa.Text(), nullable=False),
    )
    publications = op.create_table(
        "case_publications",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey(
                "cases.id", ondelete="CASCADE", name="fk_case_publications_case_id_cases"
            ),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column(
            "plan_id",
            sa.String(64),
            sa.ForeignKey(
                "plans.id", ondelete="CASCADE", name="fk_case_publications_plan_id_plans"
            ),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_publications_plan_id", "case_publications", ["plan_id"])
    # Plans published before this migration become version 1 of their case.
    connection = op.get_bind()
    published = connection.execute(
        sa.text("SELECT case_id, id, published_at FROM plans WHERE published_at IS NOT NULL")
    ).all()
    if published:
        op.bulk_insert(
            publications,
            [
                {"case_id": case_id, "version": 1, "plan_id": plan_id, "published_at": at}
                for case_id, plan_id, at in published
            ],
        )
    op.create_table(
        "registry_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("detainee_id", sa.String(64), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("case_id", "side", "detainee_id", name="uq_registry_case_side_id"),
    )
    op.create_index("ix_registry_entries_case_id", "registry_entries", ["case_id"])
    op.create_index("ix_registry_entries_detainee_id", "registry_entries", ["detainee_id"])


def downgrade() -> None:
    op.drop_index("ix_registry_entries_detainee_id", table_name="registry_entries")
    op.drop_index("ix_registry_entries_case_id", table_name="registry_entries")
    op.drop_table("registry_entries")
    op.drop_index("ix_case_publications_plan_id", table_name="case_publications")
    op.drop_table("case_publications")
    op.drop_table("case_events")
