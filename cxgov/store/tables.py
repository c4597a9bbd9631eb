"""Tables of the metric store (SQLAlchemy 2 typed declarative models).

Migrations in `migrations/versions` create these tables; a released migration is never
edited, so a change here comes with a new migration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cxgov.store.answers import RESPONSE_ID_LENGTH

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key. A column
# referring to such a key is a plain BigInteger, as the migrations create it (BIGINT on SQLite
# too, the same integer affinity): left without a type it would copy the key's SQLite variant,
# which is not what the migrated database has.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# JSONB on PostgreSQL compares by value, which the upsert's change detection needs.
Json = JSON().with_variant(JSONB(), "postgresql")
IdText = String(80)


class Base(DeclarativeBase):
    pass


class IngestBatch(Base):
    """One run of `cxgov ingest`: all of its rows commit together or not at all."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    source: Mapped[str] = mapped_column(IdText)
    kind: Mapped[str] = mapped_column(String(20), default="feedback")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20))


class BatchFile(Base):
    __tablename__ = "batch_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ingest_batches.id", ondelete="CASCADE")
    )
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)


class QuarantinedFile(Base):
    """A data file that could not be read at all (damaged, its header unreadable, a column
    missing), kept with the reason. The nightly run tries it again only when its content
    changes, and goes on with the other files meanwhile."""

    __tablename__ = "quarantined_files"
    __table_args__ = (
        UniqueConstraint("program", "source", "sha256", "source_hash", name="uq_quarantined_file"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    source: Mapped[str] = mapped_column(IdText)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    source_hash: Mapped[str] = mapped_column(String(64))
    """The source's definition the file was tried under (`definition_hash`)."""
    reason: Mapped[str] = mapped_column(Text)
    found_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Feedback(Base):
    """One answer of one respondent at one measurement point."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint(
            "program", "source", "response_id", "measurement_point", name="uq_feedback_answer"
        ),
        Index("ix_feedback_point_time", "program", "measurement_point", "collected_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    source: Mapped[str] = mapped_column(IdText)
    response_id: Mapped[str] = mapped_column(String(RESPONSE_ID_LENGTH))
    measurement_point: Mapped[str] = mapped_column(IdText)
    collected_at: Mapped[dt.datetime] = mapped_column(DateTime)
    """UTC, stored without a zone."""
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Keyed hash of the customer id; the raw id is never stored."""
    segments: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ingest_batches.id"))


class RejectedRow(Base):
    """A row that did not load, kept with every reason so nothing is dropped silently."""

    __tablename__ = "rejected_rows"
    __table_args__ = (Index("ix_rejected_rows_batch", "batch_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ingest_batches.id", ondelete="CASCADE")
    )
    file_name: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list[dict[str, str]]] = mapped_column(Json)


class KpiValue(Base):
    """A business KPI value delivered already aggregated for one period and segment."""

    __tablename__ = "kpi_values"
    __table_args__ = (
        UniqueConstraint(
            "program", "kpi", "period_start", "period_end", "segment_key", name="uq_kpi_value"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    kpi: Mapped[str] = mapped_column(IdText)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    segment: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    segment_key: Mapped[str] = mapped_column(String(400), default="")
    """Canonical text of `segment` (sorted `dim=value` pairs), unique with the period."""
    value: Mapped[float] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer, nullable=True)
    batch_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ingest_batches.id"))


class StoreSetting(Base):
    """Per-database settings, such as the generated pseudonymisation key."""

    __tablename__ = "store_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Core Table objects for bulk statements (typed as Table: `__table__` is a FromClause to mypy).
INGEST_BATCHES = cast(Table, IngestBatch.__table__)
BATCH_FILES = cast(Table, BatchFile.__table__)
FEEDBACK = cast(Table, Feedback.__table__)
REJECTED_ROWS = cast(Table, RejectedRow.__table__)
QUARANTINED_FILES = cast(Table, QuarantinedFile.__table__)
KPI_VALUES = cast(Table, KpiValue.__table__)
STORE_SETTINGS = cast(Table, StoreSetting.__table__)


class EvaluationRun(Base):
    """One `cxgov evaluate`; runs and their verdicts are append-only history."""

    __tablename__ = "evaluation_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    as_of: Mapped[dt.date] = mapped_column(Date)
    program_hash: Mapped[str] = mapped_column(String(64))
    git_commit: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20))


class VerdictRow(Base):
    """One verdict of a run: objective × segment × period."""

    __tablename__ = "verdicts"
    __table_args__ = (
        Index("ix_verdicts_run", "run_id"),
        Index("ix_verdicts_objective", "objective"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("evaluation_runs.id", ondelete="CASCADE")
    )
    objective: Mapped[str] = mapped_column(IdText)
    measurement_point: Mapped[str] = mapped_column(IdText)
    kpi: Mapped[str] = mapped_column(IdText)
    segment: Mapped[dict[str, Any]] = mapped_column(Json)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    complete: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(24))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    n: Mapped[int] = mapped_column(Integer)
    ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    warn: Mapped[float | None] = mapped_column(Float, nullable=True)
    fail: Mapped[float | None] = mapped_column(Float, nullable=True)
    revision: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    rule: Mapped[str] = mapped_column(String(12))
    trend: Mapped[dict[str, Any]] = mapped_column(Json)
    theme: Mapped[str | None] = mapped_column(IdText, nullable=True)
    p_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    sustained: Mapped[int] = mapped_column(Integer, server_default="0")


class RunSection(Base):
    """One section of a run's record (breakdowns, comments, voice of the customer, data
    quality) as a JSON document; with the verdicts it is everything the outputs read."""

    __tablename__ = "run_sections"

    run_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("evaluation_runs.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[str] = mapped_column(String(40), primary_key=True)
    body: Mapped[Any] = mapped_column(Json)


EVALUATION_RUNS = cast(Table, EvaluationRun.__table__)
VERDICTS = cast(Table, VerdictRow.__table__)
RUN_SECTIONS = cast(Table, RunSection.__table__)


class Rollup(Base):
    """Additive counts of one complete period, kept so later runs recount only what changed."""

    __tablename__ = "rollups"
    __table_args__ = (Index("ix_rollups_group", "program", "group_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    group_key: Mapped[str] = mapped_column(String(64))
    """Hash of what the counts depend on: window, time zone, positive range, dimensions,
    points."""
    measurement_point: Mapped[str] = mapped_column(IdText)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    segment: Mapped[list[list[str]]] = mapped_column(Json)
    n: Mapped[int] = mapped_column(Integer)
    promoters: Mapped[int] = mapped_column(Integer)
    passives: Mapped[int] = mapped_column(Integer)
    detractors: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    """Σ(value − shift) (see `cxgov.stats.Counts`)."""
    sumsq: Mapped[float] = mapped_column(Float)
    """Σ(value − shift)²."""
    shift: Mapped[float] = mapped_column(Float, server_default="0")


class RollupState(Base):
    """The newest ingest batch a group's rollups include."""

    __tablename__ = "rollup_state"

    program: Mapped[str] = mapped_column(IdText, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_batch: Mapped[int] = mapped_column(BigInteger)
    covered_from: Mapped[dt.date] = mapped_column(Date)
    covered_until: Mapped[dt.date] = mapped_column(Date)
    """Rollups exist for every complete period between these days (inclusive)."""


class TableSourceState(Base):
    """What a run learnt of a table source's answers, so the next run asks its engine less:
    each point's first local day and the newest load time (`columns.updated_at`) read."""

    __tablename__ = "table_source_state"

    program: Mapped[str] = mapped_column(IdText, primary_key=True)
    source: Mapped[str] = mapped_column(IdText, primary_key=True)
    definition: Mapped[str] = mapped_column(String(64))
    """Hash of the source's definition, points and time zone the state was read under."""
    first_days: Mapped[dict[str, str]] = mapped_column(Json)
    """Measurement point → ISO date of its first answer."""
    watermark: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The newest `updated_at` read, ISO 8601 (None without that column)."""


ROLLUPS = cast(Table, Rollup.__table__)
ROLLUP_STATE = cast(Table, RollupState.__table__)
TABLE_SOURCE_STATE = cast(Table, TableSourceState.__table__)


class Action(Base):
    """Work opened for a missed objective; it changes only through recorded events."""

    __tablename__ = "actions"
    __table_args__ = (
        # At most one unfinished action per fingerprint, even with two runs at once.
        UniqueConstraint("program", "open_key", name="uq_actions_open_key"),
        Index("ix_actions_fingerprint", "program", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    fingerprint: Mapped[str] = mapped_column(String(24))
    open_key: Mapped[str | None] = mapped_column(String(24), nullable=True)
    """The fingerprint while the action is unfinished, NULL once it has ended."""
    objective: Mapped[str] = mapped_column(IdText)
    measurement_point: Mapped[str] = mapped_column(IdText)
    journey: Mapped[str] = mapped_column(IdText)
    segment: Mapped[dict[str, Any]] = mapped_column(Json)
    trigger: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(12))
    assignee: Mapped[str] = mapped_column(IdText)
    escalated_to: Mapped[str | None] = mapped_column(IdText, nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[dt.date] = mapped_column(Date)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    last_period_end: Mapped[dt.date] = mapped_column(Date)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(Json)


class ActionEvent(Base):
    """One change of an action: who, when, what, and the state before and after."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("actions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json)


ACTIONS = cast(Table, Action.__table__)
ACTION_EVENTS = cast(Table, ActionEvent.__table__)


class Delivery(Base):
    """One event of one action mirrored to one sink: pending until it got through."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "sink", name="uq_deliveries_event_sink"),
        Index("ix_deliveries_status", "program", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    action_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("actions.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("action_events.id", ondelete="CASCADE")
    )
    sink: Mapped[str] = mapped_column(String(300))
    """`type:target`, for example `webhook:https://hooks.example/cx` or `github:org/repo`."""
    status: Mapped[str] = mapped_column(String(12))
    """pending, delivered, failed (tried again next run), rejected (not retried), skipped."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_ref: Mapped[str | None] = mapped_column(String(80), nullable=True)
    """What the sink calls it: the GitHub issue number."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    """A failed delivery is not tried before this (UTC): retries back off across runs."""


DELIVERIES = cast(Table, Delivery.__table__)


class DigestSent(Base):
    """An owner's digest sent for one day to one channel (`email`, `teams`, `slack`), so a
    rerun does not send it there again."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("program", "owner", "as_of", "channel", name="uq_digests_day_channel"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(IdText)
    owner: Mapped[str] = mapped_column(IdText)
    as_of: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16), server_default="email")
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)


DIGESTS = cast(Table, DigestSent.__table__)


class CommentTag(Base):
    """The themes one comment was tagged with, under one version of the theme rules.

    A row is current while its `rule_hash` equals the program's theme-rule hash and its
    `batch_id` equals the answer's (an ingest that updates the answer moves it to a new batch),
    so reruns tag only new, changed or re-ruled comments.
    """

    __tablename__ = "comment_tags"
    __table_args__ = (Index("ix_comment_tags_program", "program", "rule_hash"),)

    feedback_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    program: Mapped[str] = mapped_column(IdText)
    batch_id: Mapped[int] = mapped_column(BigInteger)
    rule_hash: Mapped[str] = mapped_column(String(64))
    tags: Mapped[dict[str, str]] = mapped_column(Json)
    """{theme id: the pattern that tagged it}; {} when no theme did."""


COMMENT_TAGS = cast(Table, CommentTag.__table__)
