"""The evaluation report: a versioned JSON contract and a Markdown summary beside it.

`schema_version` changes only when a key changes meaning or disappears; keys are added, never
renamed. NPS values and intervals are on −100..100, percentages on 0..100. Output is
deterministic for the same data and program: results are sorted and nothing depends on the
wall clock except the run's own timestamps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cxgov.judgement.verdicts import SEVERITY, Result, Verdict, result_json

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class RunInfo:
    id: int | None
    program_hash: str
    git_commit: str | None
    started: dt.datetime
    finished: dt.datetime


def _sort_key(r: Result) -> tuple[str, tuple[tuple[str, str], ...], dt.date]:
    return (r.objective.id, r.segment, r.period.start)


def build_report(
    program_id: str, as_of: dt.date, run: RunInfo, results: list[Result]
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "program": program_id,
        "as_of": as_of.isoformat(),
        "run": {
            "id": run.id,
            "program_hash": run.program_hash,
            "git_commit": run.git_commit,
            "started": run.started.isoformat(),
            "finished": run.finished.isoformat(),
        },
        "results": [result_json(r) for r in sorted(results, key=_sort_key)],
    }


def latest(results: list[Result]) -> list[Result]:
    """Each objective × segment's most recent period."""
    newest: dict[tuple[str, tuple[tuple[str, str], ...]], Result] = {}
    for r in sorted(results, key=_sort_key):
        newest[(r.objective.id, r.segment)] = r
    return list(newest.values())


def latest_complete(results: list[Result]) -> list[Result]:
    return latest([r for r in results if r.period.complete])


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def markdown(report_program: str, as_of: dt.date, run: RunInfo, results: list[Result]) -> str:
    rows = sorted(latest(results), key=lambda r: (-SEVERITY[r.status], r.objective.id))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    lines = [
        f"# {report_program}: evaluation as of {as_of.isoformat()}",
        "",
        f"Run {run.id if run.id is not None else '(dry run)'}, program {run.program_hash[:12]}"
        + (f", commit {run.git_commit[:12]}" if run.git_commit else ""),
        "",
        "Latest period of each objective: "
        + ", ".join(f"{counts.get(v.value, 0)} {v.value}" for v in Verdict),
        "",
        "| status | objective | segment | period | value | interval | n | target | margin |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        segment = ", ".join(f"{k}={v}" for k, v in r.segment) or "all"
        period = f"{r.period.start}..{r.period.end}" + ("" if r.period.complete else " (partial)")
        interval = (
            f"{_fmt(r.estimate.ci_low)}..{_fmt(r.estimate.ci_high)}"
            if r.estimate.ci_low is not None
            else "–"
        )
        target = _fmt(r.thresholds.target) if r.thresholds else "–"
        name = r.objective.name.replace("|", "\\|")
        lines.append(
            f"| {r.status.value} | {name} (`{r.objective.id}`) | {segment} | {period} | "
            f"{_fmt(r.estimate.value)} | {interval} | {r.estimate.n} | {target} | "
            f"{_fmt(r.margin)} |"
        )
    return "\n".join(lines) + "\n"
