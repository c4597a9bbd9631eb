"""The run record's sections: one JSON document per section of a run, beside its verdicts;
a verdict names the theme of a theme-share objective.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "run_sections",
        sa.Column(
            "run_id",
            sa.BigInteger,
            sa.ForeignKey("evaluation_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("section", sa.String(40), primary_key=True),
        sa.Column("body", Json, nullable=False),
    )
    with op.batch_alter_table("verdicts") as batch:
        batch.add_column(sa.Column("theme", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verdicts") as batch:
        batch.drop_column("theme")
    op.drop_table("run_sections")
