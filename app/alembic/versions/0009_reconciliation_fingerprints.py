"""Reconciliations remember which held list they compared: a SHA-256 of the list as it
was stored, so that applying refuses an answer the list has outgrown (its side uploaded
it again since).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reconciliations stored before have none: applying them is refused as stale (run
    # them again), which is the safe answer when nobody knows what they compared.
    # Plain ALTER TABLE, never a copy of the table: a copy would drop the original, and
    # its decisions with it by cascade.
    op.add_column("reconciliations", sa.Column("held_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("reconciliations", "held_sha256")
