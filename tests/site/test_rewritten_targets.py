"""After a change that rewrote a target revision in force is merged, the site keeps the old
target visible: the objective page lists it (dated, with the commit), its chart draws it, and
the changelog marks the change. A real git repository with commits at pinned dates."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cxgov import api
from cxgov.judgement.record import VerdictRecord
from cxgov.site.collect import history
from cxgov.site.data import SiteData
from cxgov.site.options import Audience
from cxgov.site.pages import View, build_pages, earlier_targets
from tests.review.programs import Repo, item, program_data

SEPTEMBER = {"effective_from": "2026-09-01", "target": 75, "warn": 65, "fail": 55}


def _repository(tmp_path: Path, language: str) -> tuple[Path, dict[str, str]]:
    """The checkout objective gets a September revision on 2026-08-20 (ahead: no rewrite); it
    is lowered in place on 2026-10-20 (in force: a rewrite); a December revision is added on
    2026-10-25 (ahead again)."""
    repo = Repo(tmp_path / "repo")
    data = program_data()
    data["program.yaml"]["program"]["language"] = language
    targets = item(data, "objectives.yaml", "objectives", "o-checkout")["targets"]
    commits = {"base": repo.commit(data, "Base program", date="2026-08-01T10:00:00+03:00")}
    targets.append(dict(SEPTEMBER))
    commits["september"] = repo.commit(data, "A September target", date="2026-08-20T10:00:00+03:00")
    targets[1]["target"] = 70
    commits["rewrite"] = repo.commit(
        data, "Lower the September target", date="2026-10-20T10:00:00+03:00"
    )
    targets.append({"effective_from": "2026-12-01", "target": 72, "warn": 65, "fail": 55})
    commits["december"] = repo.commit(data, "A December target", date="2026-10-25T10:00:00+03:00")
    return repo.root / "programs" / "shop", commits


def _verdict(start: dt.date, end: dt.date, target: float, complete: bool = True) -> VerdictRecord:
    return VerdictRecord(
        objective="o-checkout",
        measurement_point="mp-checkout",
        segment=(),
        start=start,
        end=end,
        complete=complete,
        status="on_target",
        value=76.0,
        n=120,
        ci_low=70.0,
        ci_high=82.0,
        target=target,
        warn=65.0 if target != 80 else 70.0,
        fail=55.0 if target != 80 else 60.0,
        revision=None,
        trend={"previous": None, "year_ago": None, "decline": False},
        kpi="csat",
    )


# as a run after the merge records them: September and October against the lowered 70
PERIODS = [
    _verdict(dt.date(2026, 8, 1), dt.date(2026, 8, 31), 80),
    _verdict(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 70),
    _verdict(dt.date(2026, 10, 1), dt.date(2026, 10, 31), 70),
    _verdict(dt.date(2026, 11, 1), dt.date(2026, 11, 30), 70, complete=False),
]


def _pages(tmp_path: Path, language: str = "en") -> tuple[dict[str, str], dict[str, str]]:
    program_dir, commits = _repository(tmp_path, language)
    program = api.load_program(str(program_dir))
    data = SiteData(run=None, verdicts=list(PERIODS), history=history(program_dir))
    pages = build_pages(program, data, Audience.TEAM)
    return {p.path: p.content for p in pages}, commits


def test_the_history_marks_only_the_change_to_a_revision_in_force(tmp_path: Path) -> None:
    program_dir, commits = _repository(tmp_path, "en")
    entries = {entry.commit: entry for entry in history(program_dir)}
    rewrite = entries[commits["rewrite"]]
    assert rewrite.committed == dt.date(2026, 10, 20)
    assert [(c.field, c.at, c.old, c.new) for c in rewrite.changes if c.rewrites_history] == [
        ("target", "2026-09-01", 75, 70)
    ]
    (rewritten,) = rewrite.rewritten
    assert rewritten.objective == "o-checkout"
    assert [(r.effective_from.isoformat(), r.target) for r in rewritten.before] == [
        ("2025-01-01", 80),
        ("2026-09-01", 75),
    ]
    for ahead in ("september", "december"):
        assert entries[commits[ahead]].changes
        assert not any(c.rewrites_history for c in entries[commits[ahead]].changes)
        assert entries[commits[ahead]].rewritten == ()


def _dates_as_text(page: str) -> str:
    """The page with its table dates (kept whole by a `cx-date` span) as plain text."""
    return re.sub(r'<span class="cx-date">([^<]*)</span>', r"\1", page)


def test_the_objective_page_lists_the_rewritten_revision(tmp_path: Path) -> None:
    pages, commits = _pages(tmp_path)
    page = _dates_as_text(pages["objectives/o-checkout.md"])
    section = page.split("## Targets changed while in force", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| 2026")]
    assert rows == [
        f"| 2026-10-20 | `{commits['rewrite'][:12]}` Lower the September target | 2026-09-01 "
        "| Target | 75 | 70 |"
    ]
    # the objectives nobody rewrote have no such section
    assert "Targets changed while in force" not in pages["objectives/o-delivery.md"]


def test_the_chart_draws_the_earlier_target_over_the_periods_judged_against_it(
    tmp_path: Path,
) -> None:
    program_dir, _ = _repository(tmp_path, "en")
    program = api.load_program(str(program_dir))
    view = View(program, SiteData(run=None, history=history(program_dir)), Audience.TEAM)
    objective = view.objectives["o-checkout"]
    # August was never held to 75; November started after the change: neither was judged
    # against the earlier target
    earlier, first = earlier_targets(view, objective, PERIODS)
    assert earlier == [None, 75, 75, None]
    assert first is not None and (first.date, first.subject) == (
        dt.date(2026, 10, 20),
        "Lower the September target",
    )
    pages, commits = _pages(tmp_path / "site")
    chart = pages["objectives/o-checkout.svg"]
    assert chart.count('class="threshold earlier-target"') == 1
    assert f"Target before the change of 2026-10-20 ({commits['rewrite'][:12]})" in chart
    assert "earlier-target" not in pages["objectives/o-delivery.svg"]


def test_the_changelog_marks_the_rewrite_with_the_revision_s_date(tmp_path: Path) -> None:
    pages, _ = _pages(tmp_path)
    changelog = pages["changelog.md"]
    entry = changelog.split("Lower the September target", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in entry.splitlines() if line.startswith("| objective")]
    assert rows == [
        "| objective o-checkout: target (from 2026-09-01) | **⚠ loosened** · "
        "**⚠ rewrites history** | 75 | 70 |"
    ]
    december = changelog.split("A December target", 1)[1].split("\n## ", 1)[0]
    assert "rewrites history" not in december


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("objectives/o-checkout.md", "## Voimassa olleiden tavoitteiden muutokset"),
        ("objectives/o-checkout.md", "| 20.10.2026 |"),
        ("objectives/o-checkout.md", "| 1.9.2026 | Tavoitetaso | 75 | 70 |"),
        ("objectives/o-checkout.svg", "Tavoitetaso ennen muutosta 20.10.2026 ("),
        (
            "changelog.md",
            "tavoitetaso (1.9.2026 alkaen) | **⚠ löysennetty** · **⚠ muuttaa historiaa**",
        ),
    ],
)
def test_a_finnish_site_says_it_in_finnish(tmp_path: Path, path: str, words: str) -> None:
    pages, _ = _pages(tmp_path, "fi")
    assert words in _dates_as_text(pages[path])
