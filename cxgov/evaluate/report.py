"""The evaluation report, written from the run record: a versioned JSON contract and a
Markdown summary beside it.

`schema_version` changes only when a key changes meaning or disappears; keys are added, never
renamed. NPS values and intervals are on −100..100, percentages on 0..100. Output is
deterministic for the same data and program: results are sorted and nothing depends on the
wall clock except the run's own timestamps.
"""

from __future__ import annotations

from typing import Any

from cxgov.judgement.record import RunRecord, sections_json, verdict_json
from cxgov.judgement.status import current_status, worst_first
from cxgov.judgement.verdicts import Verdict, verdict_words
from cxgov.model import Program

SCHEMA_VERSION = 3
"""2: verdict statuses on_target / within_noise / below_target / pending replaced pass.
3: survey fatigue counts customers only: `fatigue.window.customers_over_policy` and
`fatigue.contact_rules[].customers_over_rule` (pseudonymous customer keys) are gone; each
contact rule has `surveys_per_customer` instead."""


def _period(start: Any, end: Any) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"


def build_report(record: RunRecord) -> dict[str, Any]:
    run = record.run
    sections = sections_json(record)
    return {
        "schema_version": SCHEMA_VERSION,
        "program": record.program,
        "as_of": run.as_of.isoformat(),
        "run": {
            "id": run.id,
            "program_hash": run.program_hash,
            "git_commit": run.git_commit,
            "started": run.started.isoformat() if run.started else None,
            "finished": run.finished.isoformat() if run.finished else None,
        },
        "results": [verdict_json(v) for v in record.verdicts],
        "current": [
            {
                "objective": objective,
                "status": now.verdict.status,
                "period": _period(now.verdict.start, now.verdict.end),
                "pending": None
                if now.pending is None
                else {
                    "period": _period(now.pending.start, now.pending.end),
                    "status": now.pending.status,
                    "n": now.pending.n,
                },
            }
            for objective, now in current_status(record.verdicts).items()
        ],
        "breakdowns": sections["breakdowns"],
        "data_quality": sections["data_quality"],
        "error_rates": sections["error_rates"],
        # the voice-of-the-customer sections are top-level keys of the report
        **sections["voc"],
    }


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def markdown(program: Program, record: RunRecord) -> str:
    run = record.run
    names = {o.id: o.name for o in program.objectives}
    rows = worst_first(current_status(record.verdicts).values())
    counts: dict[str, int] = {}
    for now in rows:
        counts[now.status.value] = counts.get(now.status.value, 0) + 1
    lines = [
        f"# {program.program.name}: evaluation as of {run.as_of.isoformat()}",
        "",
        f"Run {run.id if run.id is not None else '(dry run)'}, program {run.program_hash[:12]}"
        + (f", commit {run.git_commit[:12]}" if run.git_commit else ""),
        "",
        "Current status of each objective: "
        + "; ".join(f"{counts[v.value]} {verdict_words(v)}" for v in Verdict if v.value in counts),
        "",
        *_error_rates(record),
        "| status | objective | segment | period | value | interval | n | target | margin |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for now in rows:
        v = now.verdict
        segment = ", ".join(f"{k}={x}" for k, x in v.segment) or "all"
        period = f"{v.start}..{v.end}" + ("" if v.complete else " (partial)")
        if now.pending is not None:
            period += f"; {now.pending.start}..{now.pending.end} pending (n={now.pending.n})"
        interval = f"{_fmt(v.ci_low)}..{_fmt(v.ci_high)}" if v.ci_low is not None else "–"
        name = names.get(v.objective, v.objective).replace("|", "\\|")
        lines.append(
            f"| {verdict_words(v.status)} | {name} (`{v.objective}`) | {segment} | {period} | "
            f"{_fmt(v.value)} | {interval} | {v.n} | {_fmt(v.target)} | {_fmt(v.margin)} |"
        )
    return "\n".join(lines) + "\n"


def _error_rates(record: RunRecord) -> list[str]:
    rates = record.error_rates
    if rates is None:
        return []
    adjusted = {
        "benjamini_hochberg": "Benjamini–Hochberg across each period's objectives",
        "holm": "Holm across each period's objectives",
        "none": "no adjustment across objectives",
    }.get(rates.adjustment, rates.adjustment)
    return [
        f"Misses are called at a {rates.error_rate:.0%} one-sided error rate ({adjusted}), "
        f"sustained shortfalls at an in-control run length of {rates.run_length} periods, "
        f"declines at {rates.decline_error_rate:.0%}: at most "
        f"{rates.false_alarms_per_year:.1f} false alarms a year if every objective were "
        "exactly on target.",
        "",
    ]
