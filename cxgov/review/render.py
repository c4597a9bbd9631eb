"""A review diff as text for a terminal, Markdown for a pull-request comment, or JSON.

Text and Markdown speak the programs' language (English when programs of both languages are
compared), count objectives rather than thresholds (an objective whose target, warn and fail
were all lowered is one objective loosened), and name every item by its name and id."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cxgov.judgement.verdicts import verdict_words
from cxgov.review import rewrites
from cxgov.review.compare import ProgramDiff
from cxgov.review.semantic import Change
from cxgov.review.words import Words

if TYPE_CHECKING:
    from cxgov.review.backtest import ActionFlip, Backtest, Flip

_MAX_VALUE = 80
_MAX_NAMED = 6
"""Objectives named in full under one change; the rest are counted."""
_PRECEDENCE = ("removed", "added", "loosened", "tightened", "changed")
"""An objective's effect when several changes reach it: the first of these among them."""
COMMENT_MARKER = "<!-- cxgov diff -->"
"""Opens the Markdown comment, so a workflow finds its own comment and edits it in place."""


def language_of(diffs: Iterable[ProgramDiff]) -> str:
    """The programs' common language; English when they differ or there are none."""
    found = {d.language for d in diffs}
    return found.pop() if len(found) == 1 else "en"


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
        text = json.dumps(
            _whole(value), ensure_ascii=False, separators=(", ", ": "), sort_keys=True
        )
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _whole(value: Any) -> Any:
    """Whole floats as integers, as they were written: `[3, 5]`, not `[3.0, 5.0]`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return value


def _named(name: str | None, ident: str) -> str:
    return f"{name} ({ident})" if name and name != ident else ident


def _what(change: Change, words: Words) -> str:
    where = f"{words.kind(change.kind)} {_named(change.name, change.id)}"
    if change.field is None:
        return where
    when = f" {words.t('from', day=words.date(change.at))}" if change.at else ""
    return f"{where} {change.field}{when}"


def _shown(change: Change, words: Words) -> tuple[str, str]:
    """Old and new as shown, a default marked; a whole item added or removed is named, not
    dumped."""
    if change.field is None:
        return "", ""
    default = f" ({words.t('default')})"
    old = _value(change.old) + (default if "old" in change.defaults else "")
    new = _value(change.new) + (default if "new" in change.defaults else "")
    return old, new


def _why(change: Change, words: Words) -> str:
    """The reason, the objectives reached and the backtest's evidence, as one sentence."""
    parts = []
    if change.reason:
        parts.append(words.reason(change.reason))
    if change.affects:
        named = [_named(a.name, a.id) for a in change.affects[:_MAX_NAMED]]
        hidden = len(change.affects) - len(named)
        if hidden:
            named.append(words.t("more", n=hidden))
        parts.append(words.t("affects", objectives=", ".join(named)))
    if change.evidence is not None:
        e = change.evidence
        parts.append(
            words.t(
                "evidence",
                looser=e.looser,
                stricter=e.stricter,
                cancelled=e.cancelled,
                opened=e.opened,
            )
        )
    return "; ".join(parts)


def _attention(change: Change) -> bool:
    return change.blocks or change.rewrites_history


def _attention_first(changes: list[Change]) -> list[Change]:
    """Loosened and removed first, then the other changes that rewrite history, then the
    rest, each in the diff's order."""
    return sorted(changes, key=lambda c: 0 if c.blocks else 1 if c.rewrites_history else 2)


def objective_effects(changes: list[Change]) -> dict[str, str]:
    """Each objective a change is about or reaches, with the effect that counts for it."""
    found: dict[str, set[str]] = {}
    for change in changes:
        for ident in change.objectives:
            found.setdefault(ident, set()).add(change.effect)
    return {ident: next(e for e in _PRECEDENCE if e in effects) for ident, effects in found.items()}


def _count(changes: list[Change], words: Words) -> str:
    """`2 objectives loosened, 1 tightened; 3 other changes`."""
    if not changes:
        return words.t("no_changes")
    per_objective = objective_effects(changes)
    others = sum(not c.objectives for c in changes)
    groups = [
        (effect, n)
        for effect in _PRECEDENCE
        if (n := sum(e == effect for e in per_objective.values()))
    ]
    parts = []
    for index, (effect, n) in enumerate(groups):
        said = words.effect(effect)
        parts.append(words.counted("objectives", n, effect=said) if index == 0 else f"{n} {said}")
    text = ", ".join(parts)
    if others:
        rest = words.counted("other" if parts else "changes", others)
        text = f"{text}; {rest}" if text else rest
    return text


def _blocked(diff: ProgramDiff) -> tuple[set[str], int]:
    """The objectives a loosened change reaches or that were removed, and the loosened changes
    that reach no objective."""
    objectives = {i for c in diff.changes if c.blocks for i in c.objectives}
    return objectives, sum(c.blocks and not c.objectives for c in diff.changes)


def _blocking(diffs: list[ProgramDiff], words: Words) -> str | None:
    """`2 objectives loosened or removed and 1 other loosened change`, or None."""
    found = [_blocked(d) for d in diffs]
    objectives = sum(len(o) for o, _ in found)
    others = sum(n for _, n in found)
    parts = []
    if objectives:
        parts.append(words.counted("blocking", objectives))
    if others:
        parts.append(words.counted("blocking_other", others))
    return f" {words.t('and')} ".join(parts) if parts else None


def _title(diff: ProgramDiff) -> str:
    return _named(diff.name, diff.program)


def _rewrites(diffs: list[ProgramDiff], history_as_of: dt.date | None, words: Words) -> str | None:
    """The summary of the changes that rewrite history; None when there are none."""
    count = sum(c.rewrites_history for d in diffs for c in d.changes)
    if not count or history_as_of is None:
        return None
    return words.counted("rewrites", count, day=words.date(history_as_of))


def text(
    diffs: list[ProgramDiff], base: str, head: str, history_as_of: dt.date | None = None
) -> str:
    words = Words(language_of(diffs))
    lines = [f"cxgov diff {base} → {head}"]
    for diff in diffs:
        lines.append(f"\n{_title(diff)}: {_count(diff.changes, words)}")
        for change in _attention_first(diff.changes):
            old, new = _shown(change, words)
            mark = "!" if _attention(change) else " "
            detail = f": {old} → {new}" if change.field is not None else ""
            effect = words.effect(change.effect)
            flag = f"  [{rewrites.label(diff.language)}]" if change.rewrites_history else ""
            lines.append(f" {mark} {effect:<11}  {_what(change, words)}{detail}{flag}")
            why = _why(change, words)
            if why:
                lines.append(f"   {'':<11}  ({why})")
    blocking = _blocking(diffs, words)
    if blocking:
        lines.append(f"\n{blocking}: {words.t('approval')}")
    rewritten = _rewrites(diffs, history_as_of, words)
    if rewritten:
        lines.append(f"\n{rewritten}")
    return "\n".join(lines) + "\n"


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
    words = Words(language_of(diffs))
    lines = [COMMENT_MARKER, f"## cxgov diff: `{cell(base)}` → `{cell(head)}`", ""]
    blocking = _blocking(diffs, words)
    if blocking:
        lines += [f"> [!WARNING]\n> **{cell(blocking)}**: {words.t('approval')}", ""]
    rewritten = _rewrites(diffs, history_as_of, words)
    if rewritten:
        lines += [f"> [!WARNING]\n> **{cell(rewritten)}**", ""]
    if not any(d.changes for d in diffs):
        lines.append(words.t("no_program_changes"))
    for diff in diffs:
        if not diff.changes:
            continue
        lines += [f"### {cell(_title(diff))}", "", cell(_count(diff.changes, words)), ""]
        lines += [words.t("header"), "|---|---|---|---|---|---|"]
        for change in _attention_first(diff.changes):
            old, new = _shown(change, words)
            mark = "⚠️" if _attention(change) else ""
            said = words.effect(change.effect)
            effect = f"**{said}**" if change.blocks else said
            if change.rewrites_history:
                effect += f" · **{rewrites.label(diff.language)}**"
            lines.append(
                f"| {mark} | {effect} | {cell(_what(change, words))} | {cell(old)} | "
                f"{cell(new)} | {cell(_why(change, words))} |"
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
        "objectives": {d.program: objective_effects(d.changes) for d in diffs if d.changes},
        "rewrites_history": sum(c.rewrites_history for d in diffs for c in d.changes),
        "history_as_of": None if history_as_of is None else history_as_of.isoformat(),
    }


def _said(status: str | None, words: Words) -> str:
    return words.t("not_judged") if status is None else verdict_words(status, words.language)


def _objective(found: Backtest, objective: str, segment: dict[str, str]) -> str:
    parts = ",".join(f"{k}={v}" for k, v in sorted(segment.items()))
    name = _named(found.names.get(objective), objective)
    return name + (f" [{parts}]" if parts else "")


def _number(value: float | None, words: Words) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return text.replace(".", ",") if words.language == "fi" else text


def _flip(found: Backtest, flip: Flip, words: Words) -> str:
    return words.t(
        "flip",
        objective=_objective(found, flip.objective, flip.segment),
        period=f"{words.date(flip.period_start)}..{words.date(flip.period_end)}",
        old=_said(flip.old_status, words),
        new=_said(flip.new_status, words),
        value=_number(flip.value, words),
        n=flip.n,
        old_target=_target(flip.old_target),
        new_target=_target(flip.new_target),
    )


def _action(found: Backtest, action: ActionFlip, words: Words) -> str:
    verb = words.t("would_open" if action.opens_under == "head" else "would_not_open")
    return words.t(
        "action_line",
        verb=verb,
        objective=_objective(found, action.objective, action.segment),
        trigger=words.trigger(action.trigger),
        end=words.date(action.period_end),
    )


def backtest_text(backtests: list[Backtest], language: str = "en") -> str:
    """The backtests for a terminal: each program's flips and the actions that would differ."""
    words = Words(language)
    lines = []
    for found in backtests:
        lines.append(
            "\n"
            + words.t(
                "backtest_line",
                program=found.program,
                judged=found.judged,
                periods=found.periods,
                as_of=words.date(found.as_of),
                flips=len(found.flips),
            )
        )
        lines += [f"  {_flip(found, flip, words)}" for flip in found.flips]
        lines += [f"  {_action(found, action, words)}" for action in found.actions]
    return "\n".join(lines) + ("\n" if lines else "")


def backtest_markdown(backtests: list[Backtest], language: str = "en") -> str:
    """The backtests for a pull-request comment: a table of flips per program."""
    words = Words(language)
    lines = []
    for found in backtests:
        lines += [
            f"\n### {words.t('backtest_heading', program=cell(found.program))}",
            "",
            words.t(
                "backtest_intro",
                judged=found.judged,
                periods=found.periods,
                as_of=words.date(found.as_of),
                flips=len(found.flips),
            ),
            "",
        ]
        if found.flips:
            lines += [words.t("backtest_header"), "|---|---|---|---|---|---|"]
            for flip in found.flips:
                lines.append(
                    f"| {cell(_objective(found, flip.objective, flip.segment))} | "
                    f"{words.date(flip.period_start)}..{words.date(flip.period_end)} | "
                    f"{_number(flip.value, words)} | {flip.n} | "
                    f"{_said(flip.old_status, words)} → {_said(flip.new_status, words)} | "
                    f"{_target(flip.old_target)} → {_target(flip.new_target)} |"
                )
        lines += [f"- {cell(_action(found, action, words))}" for action in found.actions]
    return "\n".join(lines) + ("\n" if lines else "")


def _target(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
