"""A review diff as text for a terminal, Markdown for a pull-request comment, or JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from cxgov.judgement.verdicts import verdict_words
from cxgov.review import rewrites
from cxgov.review.compare import ProgramDiff
from cxgov.review.semantic import Change

if TYPE_CHECKING:
    from cxgov.review.backtest import Backtest

_MAX_VALUE = 80


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, str | int | float | bool):
        text = str(value)
    elif isinstance(value, dict) and set(value) == {"start", "end"}:
        start, end = value["start"], value["end"]
        text = (
            f"{_value(start['value'])} ({start['date']}) → {_value(end['value'])} ({end['date']})"
        )
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _what(change: Change) -> str:
    where = f"{change.kind} {change.id}"
    if change.field is None:
        return where
    when = f" from {change.at}" if change.at else ""
    return f"{where} {change.field}{when}"


def _shown(change: Change) -> tuple[str, str]:
    """Old and new as shown; a whole item added or removed is named, not dumped."""
    if change.field is None:
        return "", ""
    return _value(change.old), _value(change.new)


def _attention(change: Change) -> bool:
    return change.blocks or change.rewrites_history


def _attention_first(changes: list[Change]) -> list[Change]:
    """Loosened and removed first, then the other changes that rewrite history, then the
    rest, each in the diff's order."""
    return sorted(changes, key=lambda c: 0 if c.blocks else 1 if c.rewrites_history else 2)


def _rewrites(diffs: list[ProgramDiff], history_as_of: dt.date | None) -> str | None:
    """The summary of the changes that rewrite history, in the first such program's
    language; None when there are none."""
    flagged = [d for d in diffs if d.rewrites_history]
    if not flagged or history_as_of is None:
        return None
    count = sum(c.rewrites_history for d in flagged for c in d.changes)
    return rewrites.summary(count, history_as_of, flagged[0].language)


def text(
    diffs: list[ProgramDiff], base: str, head: str, history_as_of: dt.date | None = None
) -> str:
    lines = [f"cxgov diff {base} → {head}"]
    for diff in diffs:
        lines.append(f"\n{diff.program}: {_count(diff.changes)}")
        for change in _attention_first(diff.changes):
            old, new = _shown(change)
            mark = "!" if _attention(change) else " "
            detail = f": {old} → {new}" if change.field is not None else ""
            flag = f"  [{rewrites.label(diff.language)}]" if change.rewrites_history else ""
            lines.append(f" {mark} {change.effect:<9}  {_what(change)}{detail}{flag}")
    blocking = sum(c.blocks for d in diffs for c in d.changes)
    if blocking:
        lines.append(f"\n{blocking} loosened target(s) or removed objective(s)")
    rewritten = _rewrites(diffs, history_as_of)
    if rewritten:
        lines.append(f"\n{rewritten}")
    return "\n".join(lines) + "\n"


def _count(changes: list[Change]) -> str:
    if not changes:
        return "no changes"
    by_effect: dict[str, int] = {}
    for change in changes:
        by_effect[change.effect] = by_effect.get(change.effect, 0) + 1
    return ", ".join(f"{n} {effect}" for effect, n in sorted(by_effect.items()))


def cell(text_value: str) -> str:
    """A Markdown table cell: program text cannot open HTML, code or a new column."""
    escaped = (
        text_value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("`", "&#96;")
        .replace("\n", " ")
    )
    return escaped or " "


def markdown(
    diffs: list[ProgramDiff], base: str, head: str, history_as_of: dt.date | None = None
) -> str:
    blocking = [c for d in diffs for c in d.changes if c.blocks]
    lines = [f"## cxgov diff: `{cell(base)}` → `{cell(head)}`", ""]
    if blocking:
        lines += [
            f"> [!WARNING]\n> **{len(blocking)} loosened target(s) or removed objective(s)**: "
            "they need the approval of the program's CX owner and sponsor.",
            "",
        ]
    rewritten = _rewrites(diffs, history_as_of)
    if rewritten:
        lines += [f"> [!WARNING]\n> **{cell(rewritten)}**", ""]
    if not any(d.changes for d in diffs):
        lines.append("No changes to the programs.")
    for diff in diffs:
        if not diff.changes:
            continue
        lines += [f"### {cell(diff.program)}", "", _count(diff.changes), ""]
        lines += ["| | effect | what | old | new |", "|---|---|---|---|---|"]
        for change in _attention_first(diff.changes):
            old, new = _shown(change)
            mark = "⚠️" if _attention(change) else ""
            effect = f"**{change.effect}**" if change.blocks else change.effect
            if change.rewrites_history:
                effect += f" · **{rewrites.label(diff.language)}**"
            lines.append(
                f"| {mark} | {effect} | {cell(_what(change))} | {cell(old)} | {cell(new)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def as_json(
    diffs: list[ProgramDiff], base: str, head: str, history_as_of: dt.date | None = None
) -> dict[str, Any]:
    return {
        "base": base,
        "head": head,
        "changes": [{"program": d.program, **c.to_json()} for d in diffs for c in d.changes],
        "loosened": sum(c.blocks for d in diffs for c in d.changes),
        "rewrites_history": sum(c.rewrites_history for d in diffs for c in d.changes),
        "history_as_of": None if history_as_of is None else history_as_of.isoformat(),
    }


def _said(status: str | None) -> str:
    return "not judged" if status is None else verdict_words(status)


def backtest_text(backtests: list[Backtest]) -> str:
    """The backtests for a terminal: each program's flips and the actions that would differ."""
    lines = []
    for found in backtests:
        lines.append(
            f"\nbacktest {found.program}: {found.judged} verdicts of the last {found.periods} "
            f"period(s) before {found.as_of} judged again; {len(found.flips)} flip(s)"
        )
        for flip in found.flips:
            segment = ",".join(f"{k}={v}" for k, v in sorted(flip.segment.items()))
            value = "-" if flip.value is None else f"{flip.value:.1f}"
            lines.append(
                f"  {flip.objective}{f' [{segment}]' if segment else ''} "
                f"{flip.period_start}..{flip.period_end}: {_said(flip.old_status)} → "
                f"{_said(flip.new_status)} (value {value}, n={flip.n}, target "
                f"{_target(flip.old_target)} → {_target(flip.new_target)})"
            )
        for action in found.actions:
            segment = ",".join(f"{k}={v}" for k, v in sorted(action.segment.items()))
            verb = "would open" if action.opens_under == "head" else "would no longer open"
            lines.append(
                f"  action {verb}: {action.objective}{f' [{segment}]' if segment else ''} "
                f"{action.trigger} for the period ending {action.period_end}"
            )
    return "\n".join(lines) + ("\n" if lines else "")


def backtest_markdown(backtests: list[Backtest]) -> str:
    """The backtests for a pull-request comment: a table of flips per program."""
    lines = []
    for found in backtests:
        lines += [
            f"\n### Backtest: {cell(found.program)}",
            "",
            f"{found.judged} verdicts of the last {found.periods} period(s) before "
            f"{found.as_of} judged under both versions: {len(found.flips)} would change.",
            "",
        ]
        if found.flips:
            lines += [
                "| objective | period | value | n | verdict | target |",
                "|---|---|---|---|---|---|",
            ]
            for flip in found.flips:
                segment = ",".join(f"{k}={v}" for k, v in sorted(flip.segment.items()))
                value = "—" if flip.value is None else f"{flip.value:.1f}"
                name = flip.objective + (f" [{segment}]" if segment else "")
                lines.append(
                    f"| {cell(name)} | {flip.period_start}..{flip.period_end} | {value} | "
                    f"{flip.n} | {_said(flip.old_status)} → "
                    f"{_said(flip.new_status)} | {_target(flip.old_target)} → "
                    f"{_target(flip.new_target)} |"
                )
        for action in found.actions:
            verb = "would open" if action.opens_under == "head" else "would no longer open"
            lines.append(
                f"- action {verb}: {cell(action.objective)} ({action.trigger}, period ending "
                f"{action.period_end})"
            )
    return "\n".join(lines) + ("\n" if lines else "")


def _target(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
