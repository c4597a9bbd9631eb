"""What the runs learnt of each table source: first days per point and the load-time watermark.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "table_source_state",
        sa.Column("program", sa.String(80), primary_key=True),
        sa.Column("source", sa.String(80), primary_key=True),
        sa.Column("definition", sa.String(64), nullable=False),
        sa.Column("first_days", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("watermark", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("table_source_state")
