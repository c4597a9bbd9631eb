"""Actions opened for missed objectives, the events that change them, their deliveries
to sinks, and the owners' digests sent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("fingerprint", sa.String(24), nullable=False),
        sa.Column("open_key", sa.String(24), nullable=True),
        sa.Column("objective", sa.String(80), nullable=False),
        sa.Column("measurement_point", sa.String(80), nullable=False),
        sa.Column("journey", sa.String(80), nullable=False),
        sa.Column("segment", Json, nullable=False),
        sa.Column("trigger", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("severity", sa.String(12), nullable=False),
        sa.Column("assignee", sa.String(80), nullable=False),
        sa.Column("escalated_to", sa.String(80), nullable=True),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("occurrences", sa.Integer, nullable=False),
        sa.Column("last_period_end", sa.Date, nullable=False),
        sa.Column("resolved_on", sa.Date, nullable=True),
        sa.Column("closed_reason", sa.String(40), nullable=True),
        sa.Column("evidence", Json, nullable=False),
        sa.UniqueConstraint("program", "open_key", name="uq_actions_open_key"),
    )
    op.create_index("ix_actions_fingerprint", "actions", ["program", "fingerprint"])
    op.create_table(
        "action_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "action_id",
            sa.BigInteger,
            sa.ForeignKey("actions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("from_status", sa.String(24), nullable=True),
        sa.Column("to_status", sa.String(24), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("data", Json, nullable=False),
    )
    op.create_index("ix_action_events_action_id", "action_events", ["action_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column(
            "action_id",
            sa.BigInteger,
            sa.ForeignKey("actions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_id",
            sa.BigInteger,
            sa.ForeignKey("action_events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sink", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("external_ref", sa.String(80), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("event_id", "sink", name="uq_deliveries_event_sink"),
    )
    op.create_index("ix_deliveries_status", "deliveries", ["program", "status"])
    op.create_table(
        "digests",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("program", "owner", "as_of", name="uq_digests_day"),
    )


def downgrade() -> None:
    op.drop_table("digests")
    op.drop_index("ix_deliveries_status", "deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_action_events_action_id", "action_events")
    op.drop_table("action_events")
    op.drop_index("ix_actions_fingerprint", "actions")
    op.drop_table("actions")
