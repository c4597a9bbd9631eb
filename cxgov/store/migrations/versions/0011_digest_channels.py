"""Digests go to several channels (e-mail, Teams, Slack): each sent one is recorded per channel.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _table(*, channel: bool) -> sa.Table:
    """The table before or after this revision: SQLite alters it by copying, and with the
    table given instead of reflected, `alembic upgrade --sql` can print that copy offline."""
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("program", sa.String(80), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=False),
    ]
    if channel:
        columns.append(sa.Column("channel", sa.String(16), nullable=False, server_default="email"))
        unique = sa.UniqueConstraint(
            "program", "owner", "as_of", "channel", name="uq_digests_day_channel"
        )
    else:
        unique = sa.UniqueConstraint("program", "owner", "as_of", name="uq_digests_day")
    return sa.Table("digests", sa.MetaData(), *columns, unique)


def upgrade() -> None:
    # every digest recorded so far was mailed
    with op.batch_alter_table("digests", copy_from=_table(channel=False)) as batch:
        batch.add_column(
            sa.Column("channel", sa.String(16), nullable=False, server_default="email")
        )
        batch.drop_constraint("uq_digests_day", type_="unique")
        batch.create_unique_constraint(
            "uq_digests_day_channel", ["program", "owner", "as_of", "channel"]
        )


def downgrade() -> None:
    # the earlier schema knows mailed digests only
    op.execute(sa.text("DELETE FROM digests WHERE channel <> 'email'"))
    with op.batch_alter_table("digests", copy_from=_table(channel=True)) as batch:
        batch.drop_constraint("uq_digests_day_channel", type_="unique")
        batch.create_unique_constraint("uq_digests_day", ["program", "owner", "as_of"])
        batch.drop_column("channel")
