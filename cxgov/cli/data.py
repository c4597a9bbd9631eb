"""Commands on the data in the store: ingest, data status, db upgrade, demo-data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import click

from cxgov import api
from cxgov.cli.common import (
    db_option,
    edge_clock,
    format_option,
    guarded,
    moment,
    program_option,
    today,
)
from cxgov.errors import UsageError
from cxgov.judgement.outcome import ExitCode


def echo_batch(summary: api.BatchSummary, output_format: str) -> None:
    """One batch's summary: what was read, accepted, rejected (and why) and stored."""
    if output_format == "json":
        click.echo(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
        return
    state = "loaded" if summary.status == "committed" else "REFUSED, nothing committed"
    batch = f"batch {summary.batch}" if summary.batch is not None else "no batch"
    click.echo(
        f"{summary.source}: {state} ({batch}): {summary.rows_read:,} rows read, "
        f"{summary.accepted:,} accepted, {summary.rejected:,} rejected; records "
        f"{summary.inserted:,} inserted, {summary.updated:,} updated, "
        f"{summary.unchanged:,} unchanged"
        + (f", {summary.duplicates:,} repeated in the batch" if summary.duplicates else "")
    )
    for reason, count in sorted(summary.rejected_by_reason.items()):
        click.echo(f"  rejected {count:,} rows: {reason}")
        for example in summary.rejected_examples.get(reason, []):
            click.echo(f"    {example}")
    if summary.rejected:
        click.echo("  (cxgov data rejected lists every rejected row with how to fix it)")
    for found in summary.quarantined:
        click.echo(
            f"  quarantined, not loaded: {found.file_name}: {found.reason} (tried again when "
            "the file or the source changes)"
        )


@click.command()
@program_option
@click.option("--source", "source_id", help="Source id from the program's `sources`.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--kpi-values",
    "kpi_values",
    type=click.Path(dir_okay=False),
    help="Load business KPI values per period from this CSV (kpi, period_start, period_end, "
    "value, optional n and segment columns) instead of a source.",
)
@db_option
@click.option(
    "--max-reject-rate",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Refuse the whole batch (exit 4, nothing committed) above this share of rejected rows.",
)
@format_option()
@guarded
def ingest(
    program_dir: str,
    source_id: str | None,
    files: tuple[str, ...],
    kpi_values: str | None,
    db: str | None,
    max_reject_rate: float,
    output_format: str,
) -> int:
    """Load data files into the store as one batch, keeping every rejected row with its reasons.

    FILES default to the source's `path` glob, relative to the program directory. Re-loading a
    file adds nothing twice; a changed answer is updated. Exit codes: 0 loaded (even with
    rejected rows), 1 the program is unusable, 2 usage error, 3 internal error, 4 too many
    rejected rows (nothing committed) or a file that could not be read at all (quarantined;
    the other files loaded).
    """
    if (source_id is None) == (kpi_values is None):
        raise UsageError("give either --source SOURCE_ID [FILE...] or --kpi-values FILE")
    if kpi_values is not None:
        if files:
            raise UsageError("--kpi-values takes one file; FILES belong to --source")
        summary = api.ingest_kpi_values(
            program_dir, kpi_values, db=db, max_reject_rate=max_reject_rate, clock=edge_clock()
        )
    else:
        assert source_id is not None
        progress = None if output_format == "json" else lambda m: click.echo(m, err=True)
        summary = api.ingest(
            program_dir,
            source_id,
            list(files) or None,
            db=db,
            max_reject_rate=max_reject_rate,
            clock=edge_clock(),
            progress=progress,
        )
    echo_batch(summary, output_format)
    refused = summary.status != "committed" or bool(summary.quarantined)
    return ExitCode.REJECTED if refused else ExitCode.OK


@click.group()
def db() -> None:
    """Manage the store: its schema (migrations run automatically on first use) and its
    pseudonymisation key."""


@db.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target migration.")
@guarded
def db_upgrade(db: str | None, revision: str) -> int:
    """Upgrade the store in place to the newest schema, keeping every row."""
    done = api.db_upgrade(db, revision)
    if done.before == done.after:
        click.echo(f"store is current (migration {done.after})")
    else:
        click.echo(f"store upgraded from migration {done.before or 'none'} to {done.after}")
    return ExitCode.OK


@db.command("accept-new-key")
@db_option
@guarded
def db_accept_new_key(db: str | None) -> int:
    """Make the pseudonymisation key now in use (CXGOV_PSEUDONYM_KEY, else the key file beside
    a SQLite store) the store's key, after it changed on purpose.

    Loading refuses a key the store's customer keys were not made with, since every returning
    customer would count as a new one. Customer keys cannot be made again under a new key (the
    raw ids were never stored): customers loaded before this will not join those loaded after
    it in survey fatigue and drivers.
    """
    origin = api.accept_new_key(db)
    if origin is None:
        click.echo("the pseudonymisation key in use is this store's key already; nothing changed")
    else:
        click.echo(
            f"the pseudonymisation key from {origin} is now this store's key; customers loaded "
            "before will not join those loaded from now on"
        )
    return ExitCode.OK


@click.group()
def data() -> None:
    """Inspect the data in the store."""


@data.command("status")
@program_option
@db_option
@format_option()
@guarded
def data_status(program_dir: str, db: str | None, output_format: str) -> int:
    """Per measurement point: answers, not-applicable answers, first and last collection time;
    rejected rows per source; and the files quarantined as unreadable."""
    found = api.status(program_dir, db=db)
    if output_format == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
        return ExitCode.OK
    width = max([len("measurement point"), *(len(p.id) for p in found.points)])
    click.echo(f"collection times in {found.timezone}, the program's time zone")
    click.echo(
        f"{'measurement point':<{width}}  {'answers':>9}  {'n/a':>7}  first             last"
    )
    for p in found.points:
        first = moment(p.first, found.timezone, named=False)
        last = moment(p.last, found.timezone, named=False)
        click.echo(f"{p.id:<{width}}  {p.records:>9,}  {p.not_applicable:>7,}  {first:<16}  {last}")
    for source, count in sorted(found.rejected_by_source.items()):
        click.echo(f"rejected rows from {source}: {count:,}")
    if not found.rejected_by_source:
        click.echo("rejected rows: none")
    for unreadable in found.unreadable:
        since = moment(unreadable.found_at, found.timezone, named=False)
        click.echo(
            f"unreadable file from {unreadable.source} (not loaded, since {since}): "
            f"{unreadable.file_name}: {unreadable.reason}"
        )
    return ExitCode.OK


@data.command("rejected")
@program_option
@click.option("--source", "source_id", help="Only rows of this source.")
@click.option("--batch", type=click.IntRange(1), help="Only rows of this ingest batch.")
@click.option(
    "--reason", help="Only rows rejected for this reason: a name (bad_timestamp) or a code (R012)."
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=100,
    show_default=True,
    help="At most this many rows.",
)
@db_option
@format_option(choices=("text", "json", "csv"))
@guarded
def data_rejected(
    program_dir: str,
    source_id: str | None,
    batch: int | None,
    reason: str | None,
    limit: int,
    db: str | None,
    output_format: str,
) -> int:
    """The rows ingest rejected: file, line, every reason and the row as read (its customer id
    replaced by the customer's key), oldest batch first; then how to fix each reason met."""
    rows = api.rejected(
        program_dir, db=db, source=source_id, batch=batch, reason=reason, limit=limit
    )
    if output_format == "json":
        found = [
            {
                "batch": r.batch,
                "source": r.source,
                "file": r.file_name,
                "line": r.line,
                "reasons": [{"name": n, "message": m} for n, m in r.reasons],
                "raw": r.raw,
            }
            for r in rows
        ]
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return ExitCode.OK
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["batch", "source", "file", "line", "reasons", "raw"])
        for r in rows:
            messages = " | ".join(m for _, m in r.reasons)
            writer.writerow([r.batch, r.source, r.file_name, r.line, messages, r.raw])
        click.echo(buffer.getvalue(), nl=False)
        return ExitCode.OK
    if not rows:
        click.echo("no rejected rows" + (" of that choice" if source_id or batch or reason else ""))
        return ExitCode.OK
    met: dict[str, str] = {}
    place = api.rejected_places(program_dir)
    for r in rows:
        click.echo(f"{place(r)} (batch {r.batch}, source {r.source})")
        for _, message in r.reasons:
            click.echo(f"  {message}")
            code = message.split(" ", 1)[0]
            met.setdefault(code, api.rejection_hint(code))
        click.echo(f"  row: {r.raw}")
    if len(rows) == limit:
        click.echo(f"(the first {limit:,}; --limit shows more)")
    click.echo("\nhow to fix them (docs/rejections.md):")
    for code, hint in sorted(met.items()):
        click.echo(f"  {code}: {hint}")
    return ExitCode.OK


@click.command("demo-data")
@program_option
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder for the files (default: the program's data/ folder).",
)
@click.option("--months", type=click.IntRange(1, 120), default=24, show_default=True)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of data (default: today).")
@click.option("--seed", type=int, default=7, show_default=True)
@guarded
def demo_data(
    program_dir: str, out: str | None, months: int, end: dt.datetime | None, seed: int
) -> int:
    """Write realistic synthetic answer files for an example program: monthly answers with
    seasonality, touchpoints drifting below target, comments in Finnish and English,
    not-applicable answers and a few malformed rows, plus business KPI values."""
    last = end.date() if end else today()
    files = api.demo_data(program_dir, out, end=last, months=months, seed=seed)
    folder = files.answers[0].parent if files.answers else Path(out or program_dir)
    click.echo(f"wrote {files.rows:,} answers in {len(files.answers)} files to {folder}/")
    if files.kpi_values:
        click.echo(f"wrote business KPI values to {files.kpi_values}")
    return ExitCode.OK
