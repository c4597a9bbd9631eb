"""Rollups keep their sums as deviations from a per-cell shift (see `cxgov.stats.Counts`).

The rollups stored so far hold plain sums, whose variance may already have cancelled for large
values, under group keys without the time zone: they are dropped (they are a cache; the next
run recounts their periods).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM rollups")
    op.execute("DELETE FROM rollup_state")
    op.add_column("rollups", sa.Column("shift", sa.Float, nullable=False, server_default="0"))


def downgrade() -> None:
    # plain sums again: the shifted ones cannot stay under the old meaning
    op.execute("DELETE FROM rollups")
    op.execute("DELETE FROM rollup_state")
    with op.batch_alter_table("rollups") as batch:
        batch.drop_column("shift")
