"""Codes reported while reading files and checking their structure (before semantic rules)."""

from __future__ import annotations

from cxgov.diagnostics import Severity
from cxgov.rules.registry import Rule, register

_LOADING = [
    (
        "CXG001",
        "yaml-syntax",
        """A file is not valid YAML, or uses a YAML feature cxgov does not accept.

    Files are read with a safe loader: syntax errors, tags that would build objects
    (`!!python/...`, custom `!tags`) and mapping keys that are not plain values are reported
    with the place libyaml stopped. Several documents in one file (`---`) are not accepted.
    YAML indents with spaces only: a tab in the indentation is named with its line and column.
    A file that cannot be read is reported once: references to ids it may define, and
    warnings about what the program lacks, wait until it reads.""",
    ),
    (
        "CXG002",
        "duplicate-key",
        """A mapping repeats a key.

    Plain YAML silently keeps the last value, so a pasted block can quietly replace a target.
    cxgov reports every repeated key with the places of the first and of the repeat, and keeps
    the first.""",
    ),
    (
        "CXG003",
        "yaml-limits",
        """A file nests too deeply or its aliases expand too far.

    Anchors and aliases are allowed, but a document whose aliases expand beyond a million values
    (an "alias bomb"), an alias that contains itself, or nesting deeper than 64 levels is
    rejected before any of it is built.""",
    ),
    (
        "CXG004",
        "encoding",
        """A file is not UTF-8 text.

    Program files must be UTF-8 (a byte-order mark is allowed). Finnish letters such as ä and ö
    saved in Latin-1 are the usual cause: save the file as UTF-8.""",
    ),
    (
        "CXG005",
        "file-size",
        """A file is too large to be a program file, or cannot be read.

    The limits keep a misplaced data file from being parsed as configuration, and a folder of
    large files from taking gigabytes of memory: 5 MiB or a million values per file, and
    10 MiB for all of one program's YAML files together (then none of them is read).""",
    ),
    (
        "CXG006",
        "file-shape",
        """A file's top level is not a mapping of sections.

    Each file holds top-level sections (`program`, `owners`, `journeys`, ...), not a list.""",
    ),
    (
        "CXG007",
        "section-repeated",
        """A single-valued section is defined in more than one file.

    `program` and `contact_policy` are one mapping each; list sections such as `objectives`
    may be split across files.""",
    ),
    (
        "CXG008",
        "no-program",
        """No program was found where one was expected.

    A program directory has a YAML file with a top-level `program` section.""",
    ),
    (
        "CXG010",
        "wrong-type",
        """A value has the wrong type or breaks a constraint.

    For example a number written as text (`target: high`), a list where a mapping belongs, an
    id with spaces, or a negative number of days.""",
    ),
    (
        "CXG011",
        "missing-key",
        """A required key is missing.

    For example an objective without `measurement_point` or a KPI without `type`.""",
    ),
    (
        "CXG012",
        "unknown-key",
        """A key or section is not part of the format.

    Usually a typo: the message suggests the closest known key.""",
    ),
    (
        "CXG013",
        "unknown-value",
        """A value is not one of the allowed choices.

    For example `kind: persn` (person | team | role) or `open_on: [fial]`.""",
    ),
    (
        "CXG014",
        "bad-date",
        """A date is not a real date in YYYY-MM-DD form.

    For example `effective_from: 2025-13-01` or `effective_from: 1.9.2026`: write dates as
    YYYY-MM-DD, with two-digit months and days.""",
    ),
    (
        "CXG015",
        "inconsistent-entry",
        """An entry combines keys that do not belong together.

    For example a target revision that mixes `target` with `trajectory`, a window that sets both
    `calendar` and `rolling_days`, or a wide-layout source without `values`.""",
    ),
]

for _code, _name, _doc in _LOADING:
    register(
        Rule(_code, _name, Severity.ERROR, "\n".join(line.strip() for line in _doc.splitlines()))
    )
