"""Data sources: where a source's files are looked for, and how they are read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

from cxgov.diagnostics import Severity
from cxgov.model import Export, SourceFormat
from cxgov.model.sources import TABLE_ENGINES
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


def path_problem(pattern: str) -> tuple[str, str] | None:
    """Why a source's `path` cannot be used, with the fix; None when it can. Shared by the
    rule and by the run, which refuses such a path even when validation was skipped."""
    text = pattern.strip()
    if not text:
        return "is empty", "give a glob of the data files, for example data/*.csv"
    if text.startswith(("/", "~", "\\")) or PureWindowsPath(text).drive:
        return (
            "is absolute",
            "give it relative to the program folder, for example data/*.csv; "
            "copy or link the exports into the program's data folder",
        )
    posix = text.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if ".." in parts:
        return "leaves the program folder (`..`)", "keep the data files inside the program folder"
    if not parts:
        return "names the program folder itself", "name the files, for example data/*.csv"
    mixed = next((part for part in parts if "**" in part and part != "**"), None)
    if mixed is not None:
        # pathlib refuses such a glob outright (before Python 3.13) or reads it as `*`
        return (
            f"puts `**` inside the name {mixed!r}",
            "`**` stands for any depth of folders on its own, for example data/**/*.csv",
        )
    if parts[-1] == "**":
        return "matches folders only (`**`)", "name the files, for example data/**/*.csv"
    if posix.endswith("/"):
        return (
            "matches folders only (it ends in `/`)",
            f"name the files in them, for example {posix}*.csv",
        )
    return None


def folders_only(directory: Path, pattern: str) -> bool:
    """Whether the glob finds something in the program folder, and only folders: the run would
    read nothing from it, every night, without a word."""
    found_folder = False
    for match in directory.glob(pattern):
        if match.is_file():
            return False
        found_folder = found_folder or match.is_dir()
    return found_folder


@rule("CXG123", "source-path")
def source_path(ctx: RuleContext) -> Iterator[Finding]:
    """A source's `path` must be a glob of files inside the program folder.

    The nightly run reads every file the glob finds, so an empty or absolute path, one that
    climbs out of the program folder with `..`, one that ends in `**` or `/` (which match
    folders, not files), or one that finds only folders in the program folder as it is, is an
    error: it would read nothing, or files that are not the program's.
    """
    directory = Path(ctx.loaded.directory)
    for source, origin in ctx.items("sources"):
        if source.is_table:  # its answers stay in the table: no files to find
            continue
        found = path_problem(source.path)
        if found is None and folders_only(directory, source.path.strip()):
            found = (
                "finds only folders in the program folder",
                f"name the files in them, for example {source.path.strip().rstrip('/')}/*.csv",
            )
        if found is not None:
            problem, hint = found
            yield Finding(
                origin.at("path"), f"path {source.path!r} of source '{source.id}' {problem}", hint
            )


def _backend(url: str) -> str | None:
    """The database a SQLAlchemy URL names (`mysql+pymysql://...` → mysql)."""
    scheme, found, _ = url.partition("://")
    if not found:
        return None
    backend = scheme.split("+", 1)[0].lower()
    return {"postgres": "postgresql", "mariadb": "mysql"}.get(backend, backend)


@rule("CXG125", "table-source-engine")
def table_source_engine(ctx: RuleContext) -> Iterator[Finding]:
    """A table source's `url_env` variable is not set, or names a database a table source
    cannot run on.

    A table source's answers are counted by the engine its `url_env` variable points to, with
    that engine's own date and time-zone functions, written for PostgreSQL, DuckDB, BigQuery,
    Snowflake, Databricks and Apache Spark's Thrift server (`hive://`). MariaDB and MySQL,
    SQLite, Microsoft SQL Server and any other database are refused. Checked only when asked,
    with `cxgov validate --environment` in the environment the nightly run has (the URL holds
    a password, so a pull-request check runs without it); the run itself refuses the same with
    the same words.
    """
    if ctx.environment is None:
        return
    env = dict(ctx.environment)
    for source, origin in ctx.items("sources"):
        if not source.is_table or source.url_env is None:
            continue
        url = env.get(source.url_env, "").strip()
        if not url:
            yield Finding(
                origin.at("url_env"),
                f"source '{source.id}': the environment variable {source.url_env} holding "
                "its database URL is not set",
                "set it to the engine's SQLAlchemy URL where the nightly run runs "
                "(docs/warehouse.md)",
            )
            continue
        backend = _backend(url)
        if backend in TABLE_ENGINES:
            continue
        # the value is a secret: name the database it is for, never show the URL
        shown = "an unreadable URL" if backend is None else repr(backend)
        yield Finding(
            origin.at("url_env"),
            f"source '{source.id}': a table source cannot run on {shown} "
            f"(the URL in {source.url_env})",
            f"use one of {', '.join(TABLE_ENGINES)}, or export the answers to files and "
            "give the source a `path`",
        )


@rule("CXG124", "export-of-a-json-source")
def export_of_a_json_source(ctx: RuleContext) -> Iterator[Finding]:
    """A JSON or JSONL source cannot be a survey tool's export with header rows.

    `export` reads the header rows a survey tool writes above the answers of its CSV or TSV
    export, or of the same export as a workbook (`format: xlsx`); JSON has no header rows (its
    columns are its keys, or paths into them), so a source with both is a mistake in one of
    them.
    """
    for source, origin in ctx.items("sources"):
        if source.export is not None and source.format in (SourceFormat.JSONL, SourceFormat.JSON):
            yield Finding(
                origin.at("export"),
                f"source '{source.id}' is `format: {source.format.value}` and says `export: "
                f"{source.export.value}`, which reads the header rows of a CSV, TSV or workbook "
                "export",
                "leave `export` out for JSON, mapping its keys or paths in `columns`, or make "
                "the source `format: csv` or `xlsx`",
            )


_IMPORT_ID = re.compile(r"QID\d+(?:_\w+)?|_recordId")
"""A Qualtrics ImportId as a column name: `QID1`, `QID2_TEXT`, `QID5_1`, `_recordId`."""


@rule("CXG214", "import-id-without-qualtrics-export", Severity.WARNING)
def import_id_without_qualtrics_export(ctx: RuleContext) -> Iterator[Finding]:
    """A source maps a column by a Qualtrics ImportId but does not read a Qualtrics export.

    A Qualtrics export names its columns by field id in its first row (`Q1`, `ResponseId`) and
    by ImportId in its third (`QID1`, `_recordId`); only a source with `export: qualtrics`
    reads the third row, so elsewhere a column named `QID1` is found only if the file's own
    header says `QID1`. A warning, since a file converted by other means may.
    """
    for source, origin in ctx.items("sources"):
        if source.export is Export.QUALTRICS:
            continue
        named: list[tuple[tuple[str, ...], str]] = [
            (("values", column), column) for column in source.values
        ]
        for role, column in source.columns.model_dump(exclude={"segments"}).items():
            if isinstance(column, str):
                named.append((("columns", role), column))
        named += [
            (("columns", "segments", dimension), column)
            for dimension, column in source.columns.segments.items()
        ]
        for path, column in named:
            if _IMPORT_ID.fullmatch(column):
                yield Finding(
                    origin.at(*path),
                    f"source '{source.id}' maps column '{column}', a Qualtrics ImportId, but "
                    "does not read a Qualtrics export (`export: qualtrics`)",
                    "add `export: qualtrics` to read the export's ImportId row, or name the "
                    "column as the file's header row does (its field id, such as Q1)",
                )
