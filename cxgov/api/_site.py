"""The governance site: built from a recorded run (default: the newest)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cxgov.api._program import load_program
from cxgov.api._store import opened_store
from cxgov.errors import SiteError, UsageError
from cxgov.model import Program
from cxgov.site.options import Audience, Builder, BuiltSite, site_folder, work_folder
from cxgov.site.pdf import WrittenPdf
from cxgov.store.runs import UnknownRun

__all__ = ["SiteOutcome", "build_site", "check_site_out", "print_summary", "site_after_run"]


def build_site(
    program_dir: str,
    *,
    db: str | None = None,
    out: str | None = None,
    audience: Audience = Audience.TEAM,
    config: str | None = "mkdocs.yml",
    builder: Builder = Builder.MKDOCS,
    work: str | None = None,
    run: int | None = None,
    program: Program | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuiltSite:
    """The governance site of one program from a recorded run (default: the newest): pages into
    `.cxgov/site/<audience>/<program>/docs`, the built site into `out` (default
    `site/<audience>/<program>`).
    `config` is the user's mkdocs.yml, used when the file exists."""
    # the builders import Jinja2 and the templates; other commands should not pay for that
    from cxgov.site.build import build_site as build
    from cxgov.site.collect import collect
    from cxgov.site.pages import build_pages

    # a caller that has just validated the program (the nightly run) passes it on
    program = program or load_program(program_dir)
    program_id = program.program.id
    with opened_store(db) as engine:
        started = time.perf_counter()
        try:
            data = collect(
                engine,
                program,
                Path(program_dir),
                with_comments=audience is Audience.TEAM,
                run_id=run,
                progress=progress,
            )
        except UnknownRun as exc:
            raise UsageError(f"--run {run}: {exc}") from None
    if progress:
        progress("writing the pages")
    pages = build_pages(program, data, audience, progress=progress)
    return build(
        program,
        pages,
        work=Path(work) if work else work_folder(audience, program_id),
        out=Path(out) if out else site_folder(audience, program_id),
        user_config=Path(config) if config else None,
        builder=builder,
        generate_seconds=time.perf_counter() - started,
        progress=progress,
    )


def check_site_out(out: str) -> None:
    """Refuse an `--out` folder a build would empty, before a run does any of its work."""
    from cxgov.site.build import check_out

    check_out(Path(out))


@dataclass(frozen=True, slots=True)
class SiteOutcome:
    """The site `cxgov run` rebuilt, or why it could not."""

    built: BuiltSite | None
    error: str | None = None


def site_after_run(
    program_dir: str,
    *,
    db: str | None = None,
    out: str | None = None,
    audience: Audience = Audience.TEAM,
    config: str | None = "mkdocs.yml",
    builder: Builder = Builder.MKDOCS,
    program: Program | None = None,
    progress: Callable[[str], None] | None = None,
) -> SiteOutcome:
    """The nightly run's last step: the site rebuilt, even when nothing was judged again
    (people may have worked the actions since). A failed build is returned, not raised: the
    run's other work is done and recorded."""
    try:
        return SiteOutcome(
            build_site(
                program_dir,
                db=db,
                out=out,
                audience=audience,
                config=config,
                builder=builder,
                program=program,
                progress=progress,
            )
        )
    except SiteError as exc:
        return SiteOutcome(None, str(exc))


def print_summary(site: str, *, out: str | None = None, chromium: str | None = None) -> WrittenPdf:
    """The built site's overview page as an A4 PDF (default `<site>/summary.pdf`), printed by
    the system's headless Chromium (`chromium`, else $CXGOV_CHROMIUM, else the one on PATH)."""
    from cxgov.site.pdf import find_chromium, write_pdf

    return write_pdf(Path(site), Path(out) if out else None, chromium=find_chromium(chromium))
