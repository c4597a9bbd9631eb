"""Evaluation runs and their verdicts (append-only history), and period rollups.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "evaluation_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("program_hash", sa.String(64), nullable=False),
        sa.Column("git_commit", sa.String(64), nullable=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_table(
        "verdicts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id",
            sa.BigInteger,
            sa.ForeignKey("evaluation_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("objective", sa.String(80), nullable=False),
        sa.Column("measurement_point", sa.String(80), nullable=False),
        sa.Column("kpi", sa.String(80), nullable=False),
        sa.Column("segment", Json, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("ci_low", sa.Float, nullable=True),
        sa.Column("ci_high", sa.Float, nullable=True),
        sa.Column("target", sa.Float, nullable=True),
        sa.Column("warn", sa.Float, nullable=True),
        sa.Column("fail", sa.Float, nullable=True),
        sa.Column("revision", sa.Date, nullable=True),
        sa.Column("rule", sa.String(12), nullable=False),
        sa.Column("trend", Json, nullable=False),
    )
    op.create_index("ix_verdicts_run", "verdicts", ["run_id"])
    op.create_index("ix_verdicts_objective", "verdicts", ["objective"])
    op.create_table(
        "rollups",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("measurement_point", sa.String(80), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("segment", Json, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("promoters", sa.Integer, nullable=False),
        sa.Column("passives", sa.Integer, nullable=False),
        sa.Column("detractors", sa.Integer, nullable=False),
        sa.Column("positives", sa.Integer, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("sumsq", sa.Float, nullable=False),
    )
    op.create_index("ix_rollups_group", "rollups", ["program", "group_key"])
    op.create_table(
        "rollup_state",
        sa.Column("program", sa.String(80), primary_key=True),
        sa.Column("group_key", sa.String(64), primary_key=True),
        sa.Column("last_batch", sa.BigInteger, nullable=False),
        sa.Column("covered_from", sa.Date, nullable=False),
        sa.Column("covered_until", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rollup_state")
    op.drop_index("ix_rollups_group", "rollups")
    op.drop_table("rollups")
    op.drop_index("ix_verdicts_objective", "verdicts")
    op.drop_index("ix_verdicts_run", "verdicts")
    op.drop_table("verdicts")
    op.drop_table("evaluation_runs")
