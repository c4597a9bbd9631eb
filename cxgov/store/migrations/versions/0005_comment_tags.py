"""Themes tagged per comment, with the hash of the theme rules they were tagged under.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "comment_tags",
        sa.Column(
            "feedback_id",
            sa.BigInteger,
            sa.ForeignKey("feedback.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("batch_id", sa.BigInteger, nullable=False),
        sa.Column("rule_hash", sa.String(64), nullable=False),
        sa.Column("tags", Json, nullable=False),
    )
    op.create_index("ix_comment_tags_program", "comment_tags", ["program", "rule_hash"])


def downgrade() -> None:
    op.drop_index("ix_comment_tags_program", table_name="comment_tags")
    op.drop_table("comment_tags")
