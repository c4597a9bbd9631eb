"""What the site shows: one run's record, the actions and the program's git history.

The pages never aggregate, estimate or read answers: everything about the customers' data
comes from the run record, so a site built from run N is the same however many answers arrived
after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from cxgov.actions.ledger import effectiveness, histories
from cxgov.judgement.record import RunRecord
from cxgov.judgement.voc import VocSections
from cxgov.model import Program
from cxgov.site.data import ChangeRecord, HistoryRecord, RewrittenTargets, SiteData
from cxgov.store.runs import latest_record, load_record

if TYPE_CHECKING:
    from cxgov.review.semantic import Change


def collect(
    engine: Engine,
    program: Program,
    program_dir: Path,
    *,
    with_comments: bool,
    run_id: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> SiteData:
    """Everything the pages need: run `run_id`'s record (default: the newest run), the
    actions and the history."""
    say = progress or (lambda _message: None)
    program_id = program.program.id
    with engine.connect() as connection:
        record = (
            latest_record(connection, program_id)
            if run_id is None
            else load_record(connection, program_id, run_id)
        )
        if record is None:
            data = SiteData(run=None)
        else:
            say(f"reading run {record.run.id} (as of {record.run.as_of})")
            data = from_record(record, with_comments=with_comments)
            data.actions = histories(connection, program_id)
            data.effectiveness = effectiveness(connection, program_id)
    say("reading the program's git history")
    data.history = history(program_dir)
    return data


def from_record(record: RunRecord, *, with_comments: bool) -> SiteData:
    """The record cut to what the audience may see. Without comments (the leadership
    audience) no customer's words leave the store: no example comments, and no frequent words
    of untagged comments, which are the rule writer's aid."""
    return SiteData(
        run=record.run,
        verdicts=list(record.verdicts),
        points=list(record.data_quality.points),
        rejected_by_source=dict(record.data_quality.rejected_by_source),
        unreadable=list(record.data_quality.unreadable),
        breakdowns=dict(record.breakdowns),
        comments=dict(record.comments) if with_comments else {},
        voc=_voc_for(record.voc, with_comments=with_comments),
    )


def _voc_for(sections: VocSections | None, *, with_comments: bool) -> VocSections | None:
    if sections is None:
        return None
    themes = sections.themes
    if not with_comments:
        themes = replace(
            themes,
            themes=tuple(
                replace(
                    theme,
                    points=tuple(
                        replace(
                            point,
                            periods=tuple(replace(p, examples=()) for p in point.periods),
                        )
                        for point in theme.points
                    ),
                )
                for theme in themes.themes
            ),
            coverage=replace(themes.coverage, frequent_words=()),
        )
    return replace(sections, themes=themes)


def history(program_dir: Path) -> list[HistoryRecord]:
    """How the program's files changed over their git history (empty outside git), with the
    target revisions each commit rewrote where they were already in force."""
    from cxgov.review.history import program_history

    return [
        HistoryRecord(
            entry.commit,
            entry.date,
            entry.author,
            entry.subject,
            tuple(_change(c) for c in entry.changes),
            tuple(
                RewrittenTargets(r.objective, r.before, tuple(_change(c) for c in r.changes))
                for r in entry.rewritten
            ),
            entry.committed,
        )
        for entry in program_history(program_dir, program_dir.resolve())
    ]


def _change(change: Change) -> ChangeRecord:
    return ChangeRecord(
        change.kind,
        change.id,
        change.field,
        change.old,
        change.new,
        change.effect,
        change.at,
        change.rewrites_history,
    )
