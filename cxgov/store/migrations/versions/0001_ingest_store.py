"""Ingest store: batches, their files, feedback records, rejected rows, store settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ingest_batches",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("accepted", sa.Integer, nullable=False),
        sa.Column("inserted", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_table(
        "batch_files",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "batch_id",
            sa.BigInteger,
            sa.ForeignKey("ingest_batches.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("response_id", sa.String(200), nullable=False),
        sa.Column("measurement_point", sa.String(80), nullable=False),
        sa.Column("collected_at", sa.DateTime, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("not_applicable", sa.Boolean, nullable=False),
        sa.Column("customer_key", sa.String(64), nullable=True),
        sa.Column("segments", Json, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("batch_id", sa.BigInteger, sa.ForeignKey("ingest_batches.id"), nullable=False),
        sa.UniqueConstraint(
            "program", "source", "response_id", "measurement_point", name="uq_feedback_answer"
        ),
    )
    op.create_index(
        "ix_feedback_point_time", "feedback", ["program", "measurement_point", "collected_at"]
    )
    op.create_table(
        "rejected_rows",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "batch_id",
            sa.BigInteger,
            sa.ForeignKey("ingest_batches.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("reasons", Json, nullable=False),
    )
    op.create_index("ix_rejected_rows_batch", "rejected_rows", ["batch_id"])
    op.create_table(
        "store_settings",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_settings")
    op.drop_index("ix_rejected_rows_batch", "rejected_rows")
    op.drop_table("rejected_rows")
    op.drop_index("ix_feedback_point_time", "feedback")
    op.drop_table("feedback")
    op.drop_table("batch_files")
    op.drop_table("ingest_batches")
