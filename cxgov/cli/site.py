"""`cxgov site`: build and preview the governance site."""

from __future__ import annotations

import errno
import functools
import http.server
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cxgov import api
from cxgov.cli.common import db_option, guarded, program_option
from cxgov.errors import UsageError
from cxgov.judgement.outcome import ExitCode

_HOST = "127.0.0.1"
"""`site serve` listens on this machine only: a preview, not a publication."""

_out_option = click.option(
    "--out",
    "site_out",
    type=click.Path(file_okay=False),
    help="Where the built site goes (default: site/<audience>/<program id>: publish "
    "site/leadership/ only); a folder holding other files than a site cxgov built is refused "
    "(exit 2), never emptied.",
)


def site_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `site build`, `site serve` and `run` share."""
    for option in reversed(
        [
            click.option(
                "--audience",
                type=click.Choice([a.value for a in api.Audience], case_sensitive=False),
                default=api.Audience.TEAM.value,
                show_default=True,
                help="leadership: aggregates only, no verbatim customer comments; team: also "
                "the newest (redacted) comments behind each objective.",
            ),
            click.option(
                "--config",
                "config",
                type=click.Path(dir_okay=False),
                default="mkdocs.yml",
                show_default=True,
                help="Your mkdocs.yml (site name, logo, colours, extra pages); used when it "
                "exists.",
            ),
            click.option(
                "--builder",
                type=click.Choice([b.value for b in api.Builder], case_sensitive=False),
                default=api.Builder.MKDOCS.value,
                show_default=True,
                help="mkdocs-material, or Zensical (pip install 'cxgov[zensical]').",
            ),
        ]
    ):
        command = option(command)
    return command


def progress(message: str) -> None:
    click.echo(message, err=True)


def echo_built(built: api.BuiltSite, builder: str) -> None:
    """Where the site is and how long it took."""
    click.echo(
        f"site: {built.out / 'index.html'} ({built.pages} pages; generating "
        f"{built.generate_seconds:.1f} s, {builder} build {built.build_seconds:.1f} s)"
    )


def _build(
    program_dir: str,
    db: str | None,
    site_out: str | None,
    audience: str,
    config: str,
    builder: str,
    *,
    run: int | None = None,
) -> api.BuiltSite:
    built = api.build_site(
        program_dir,
        db=db,
        out=site_out,
        audience=api.Audience(audience),
        config=config,
        builder=api.Builder(builder),
        run=run,
        progress=progress,
    )
    echo_built(built, builder)
    return built


@click.group()
def site() -> None:
    """The governance site: program health, strategy, journey maps, objectives, the voice of
    the customer, actions, owners, data quality and the changelog of targets, built from a
    recorded run."""


@site.command("build")
@program_option
@db_option
@_out_option
@site_options
@click.option(
    "--run",
    "run",
    type=click.IntRange(min=1),
    help="Build from this recorded run (default: the newest run). The pages show what that "
    "run judged, whatever arrived since.",
)
@guarded
def build_command(
    program_dir: str,
    db: str | None,
    site_out: str | None,
    audience: str,
    config: str,
    builder: str,
    run: int | None,
) -> int:
    """Generate the pages and charts from a recorded run (default: the newest) and build the
    site.

    The pages are written to .cxgov/site/<audience>/<program id>/docs (generated; do not edit)
    and built with the settings of your mkdocs.yml into site/<audience>/<program id>: publish
    site/leadership/ only, the team site shows customers' comments. Exit codes: 0 built, 1 the
    build failed, 2 usage error, 3 internal error.
    """
    _build(program_dir, db, site_out, audience, config, builder, run=run)
    return ExitCode.OK


@site.command("serve")
@program_option
@db_option
@_out_option
@site_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--no-build", is_flag=True, help="Serve the site already built instead of building it first."
)
@guarded
def serve_command(
    program_dir: str,
    db: str | None,
    site_out: str | None,
    audience: str,
    config: str,
    builder: str,
    port: int,
    no_build: bool,
) -> int:
    """Build the site and preview it at http://127.0.0.1:PORT/ until Ctrl-C.

    Exit codes: 1 the build failed, 2 usage error (also: the port is taken, pick another with
    --port), 3 internal error, 130 stopped with Ctrl-C (the usual end).
    """
    if no_build:
        out = (
            Path(site_out)
            if site_out
            else api.site_folder(api.Audience(audience), api.load_program(program_dir).program.id)
        )
    else:
        out = _build(program_dir, db, site_out, audience, config, builder).out
    if not (out / "index.html").is_file():
        raise UsageError(f"no built site in {out}; run `cxgov site build` first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    try:
        server = http.server.ThreadingHTTPServer((_HOST, port), handler)
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
        # someone else's server, or a port below 1024 without the rights: pick another port
        why = "is taken" if exc.errno == errno.EADDRINUSE else "is not allowed for this user"
        raise UsageError(
            f"port {port} on {_HOST} {why}; serve on another one with --port, "
            f"for example --port {port + 1 if 0 < port < 65535 else 8001} (or --port 0 for any "
            "free port)"
        ) from None
    with server:
        click.echo(f"serving {out} at http://{_HOST}:{server.server_address[1]}/ (Ctrl-C stops)")
        server.serve_forever()
    return ExitCode.OK


@site.command("pdf")
@click.option(
    "--program",
    "program",
    metavar="DIR|ID",
    help="The program whose leadership site to print: its directory or its id (not needed "
    "with --site).",
)
@click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False),
    help="The built site to print (default: site/leadership/<program id>, what `cxgov site "
    "build --audience leadership` writes).",
)
@click.option(
    "--out",
    "pdf_out",
    type=click.Path(dir_okay=False),
    help="Where the PDF goes (default: summary.pdf in the site folder, so it is published "
    "with the site).",
)
@click.option(
    "--chromium",
    type=click.Path(dir_okay=False),
    help="The Chromium or Chrome to print with (default: $CXGOV_CHROMIUM, else chromium on "
    "PATH; Debian: apt-get install chromium). Needs pip install 'cxgov[pdf]'.",
)
@guarded
def pdf_command(
    program: str | None, site_dir: str | None, pdf_out: str | None, chromium: str | None
) -> int:
    """Print the leadership summary (the built site's overview page) to an A4 PDF with
    headless Chromium, using the site's print stylesheet.

    Build the site first (`cxgov site build --audience leadership`). Exit codes: 0 written,
    1 printing failed, 2 usage error (no built site, no Chromium, no Playwright), 3 internal
    error.
    """
    if site_dir is None:
        if program is None:
            raise UsageError("give --program (to print its leadership site) or --site")
        program_id = api.program_ref(program).id
        site_dir = str(api.site_folder(api.Audience.LEADERSHIP, program_id))
    written = api.print_summary(site_dir, out=pdf_out, chromium=chromium)
    click.echo(f"pdf: {written.path} ({written.seconds:.1f} s)")
    return ExitCode.OK
