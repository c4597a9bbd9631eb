"""Commands on program files: validate, schema, rules."""

from __future__ import annotations

import os
import textwrap

import click

from cxgov import api
from cxgov.cli.common import db_option, guarded
from cxgov.judgement.outcome import ExitCode


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(api.FORMATTERS)),
    default="text",
    show_default=True,
    help="Output format: text for people, json for tools, github for "
    "workflow annotations, sarif for code-scanning viewers.",
)
@click.option("--strict", is_flag=True, help="Count warnings as errors (exit 1 on any warning).")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=api.MAX_FILE_BYTES,
    show_default=True,
    help="Largest program file accepted, in bytes.",
)
@click.option(
    "--observed",
    is_flag=True,
    help="Judge whether each objective can detect a miss (CXG210) at the answers per period "
    "of the latest run in the store (--db), not only at min_sample.",
)
@click.option(
    "--environment",
    is_flag=True,
    help="Also check that every environment variable a sink names (secret_env, token_env, "
    "url_env, email_env, CXGOV_SMTP_HOST for e-mail) is set here (CXG221): run it where the "
    "nightly run runs, with its secrets, not in a pull-request check without them.",
)
@db_option
@guarded
def validate(
    paths: tuple[str, ...],
    output_format: str,
    strict: bool,
    max_file_size: int,
    observed: bool,
    environment: bool,
    db: str | None,
) -> int:
    """Check programs and list every problem with file:line:column and a rule code.

    PATHS are program directories or folders of program directories (default: programs/).
    Without --observed no data is read: the check needs only the program files; without
    --environment no environment variable is read.
    Exit codes: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 usage
    error, 3 internal error.
    """
    result = api.validate(
        list(paths) or ["programs"],
        max_bytes=max_file_size,
        observed=observed,
        db=db,
        # "now"-like input from the outside world: read here, at the edge, and passed down
        environment=dict(os.environ) if environment else None,
    )
    click.echo(api.FORMATTERS[output_format](result.diagnostics, len(result.programs)), nl=False)
    return ExitCode.PROBLEMS if result.failed(strict=strict) else ExitCode.OK


@click.command()
@click.option(
    "--out",
    "directory",
    type=click.Path(file_okay=False),
    default="schemas",
    show_default=True,
    help="Folder of the schema files.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the files are stale.")
@guarded
def schema(directory: str, check: bool) -> int:
    """Write the JSON Schemas (draft 2020-12) generated from the program model.

    Editors use them to flag mistakes while a CX owner types; CI runs `--check`.
    """
    if check:
        stale = api.check_schemas(directory)
        for name in stale:
            click.echo(f"{directory}/{name} is stale: run `cxgov schema`", err=True)
        if not stale:
            click.echo(f"schemas in {directory}/ are current")
        return ExitCode.PROBLEMS if stale else ExitCode.OK
    for path in api.write_schema_files(directory):
        click.echo(f"wrote {path}")
    return ExitCode.OK


_LIST_WIDTH = 100
"""Columns of `cxgov rules`: a summary longer than a line wraps under itself, never cut."""


@click.command()
@click.argument("code_or_name", required=False)
@guarded
def rules(code_or_name: str | None) -> int:
    """List the validation rules, or explain one by its code or name, with an example that
    breaks it and one that keeps it (for example: cxgov rules CXG210, or cxgov rules
    undetectable-miss).

    Exit codes: 0 listed or explained, 2 no rule has that code or name (the closest is
    suggested), 3 internal error.
    """
    if code_or_name is None:
        for rule in api.rules():
            head = f"{rule.code}  {rule.severity.value:<7}  {rule.name:<31} "
            click.echo(
                textwrap.fill(
                    rule.summary,
                    width=_LIST_WIDTH,
                    initial_indent=head,
                    subsequent_indent=" " * len(head),
                    break_on_hyphens=False,
                )
            )
        return ExitCode.OK
    found = api.rule(code_or_name)
    click.echo(f"{found.code} {found.name} ({found.severity.value})\n\n{found.doc}")
    for example in api.rule_examples(found.code):
        click.echo(f"\n{'Fails' if example.failing else 'Passes'}: {example.name}")
        if example.environment is not None:
            names = ", ".join(sorted(example.environment)) or "no variables"
            click.echo(f"  checked with --environment, where set: {names}")
        for name, content in example.files.items():
            if content is None:
                click.echo(f"  (without {name})")
                continue
            click.echo(f"  {name}:")
            click.echo(textwrap.indent(content.rstrip("\n"), "    "))
        if example.expect:
            places = ", ".join(f"{e.code} at {e.file}:{e.line}" for e in example.expect)
            click.echo(f"  reports {places}")
    return ExitCode.OK
