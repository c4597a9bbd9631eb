"""A verdict records the evidence of its miss (the adjusted one-sided p-value and the periods
a sustained shortfall pooled), and the old `pass` status is told apart.

`pass` covered every value not past the warn threshold, including values below target. A
stored `pass` becomes `on_target` when its value reached the target and `within_noise`
otherwise, so no run recorded before this version is shown "on target" below its target.
The direction is read from the thresholds (a warn or fail above the target means lower is
better), the only trace of it a verdict row keeps.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_RELABEL = """
UPDATE verdicts SET status = CASE
    WHEN value IS NULL OR target IS NULL THEN 'on_target'
    WHEN (warn IS NOT NULL AND warn > target) OR (fail IS NOT NULL AND fail > target) THEN
        CASE WHEN value <= target THEN 'on_target' ELSE 'within_noise' END
    ELSE CASE WHEN value >= target THEN 'on_target' ELSE 'within_noise' END
END
WHERE status = 'pass'
"""


def upgrade() -> None:
    with op.batch_alter_table("verdicts") as batch:
        batch.add_column(sa.Column("p_value", sa.Float, nullable=True))
        batch.add_column(sa.Column("sustained", sa.Integer, nullable=False, server_default="0"))
    op.execute(_RELABEL)


def downgrade() -> None:
    op.execute("UPDATE verdicts SET status = 'pass' WHERE status IN ('on_target', 'within_noise')")
    with op.batch_alter_table("verdicts") as batch:
        batch.drop_column("sustained")
        batch.drop_column("p_value")
