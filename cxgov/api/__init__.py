"""The facade the command line and tests call. Functions here take plain arguments and return
typed values; printing and exit codes belong to the command line.

Each name is imported from its module on first use (PEP 562), so a command loads only what it
uses: `cxgov validate` does not pay for the store, evaluation, actions or the site builders.
The functions live in the private modules `_program`, `_data`, `_evaluate`, `_actions`,
`_review` and `_site`, one per command group, which open the store through `_store` and find
the program a `--program` names through `_program_ref`; the types and constants they take and
return are re-exported from the modules that define them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxgov.actions.outbox import DeliveryState as DeliveryState
    from cxgov.actions.sinks import shown_sink as shown_sink
    from cxgov.api._actions import ActionFilter as ActionFilter
    from cxgov.api._actions import Deliveries as Deliveries
    from cxgov.api._actions import change_action as change_action
    from cxgov.api._actions import deliveries as deliveries
    from cxgov.api._actions import effectiveness as effectiveness
    from cxgov.api._actions import list_actions as list_actions
    from cxgov.api._actions import show_action as show_action
    from cxgov.api._data import SchemaUpgrade as SchemaUpgrade
    from cxgov.api._data import accept_new_key as accept_new_key
    from cxgov.api._data import db_upgrade as db_upgrade
    from cxgov.api._data import demo_data as demo_data
    from cxgov.api._data import ingest as ingest
    from cxgov.api._data import ingest_kpi_values as ingest_kpi_values
    from cxgov.api._data import rejected as rejected
    from cxgov.api._data import rejected_places as rejected_places
    from cxgov.api._data import rejection_hint as rejection_hint
    from cxgov.api._data import status as status
    from cxgov.api._evaluate import digest as digest
    from cxgov.api._evaluate import digest_blocks as digest_blocks
    from cxgov.api._evaluate import digest_card as digest_card
    from cxgov.api._evaluate import evaluate as evaluate
    from cxgov.api._evaluate import run as run
    from cxgov.api._program import check_schemas as check_schemas
    from cxgov.api._program import load_program as load_program
    from cxgov.api._program import rule as rule
    from cxgov.api._program import rule_examples as rule_examples
    from cxgov.api._program import rules as rules
    from cxgov.api._program import scaffold as scaffold
    from cxgov.api._program import validate as validate
    from cxgov.api._program import write_schema_files as write_schema_files
    from cxgov.api._program_ref import PROGRAMS_FOLDER as PROGRAMS_FOLDER
    from cxgov.api._program_ref import ProgramRef as ProgramRef
    from cxgov.api._program_ref import program_ref as program_ref
    from cxgov.api._program_ref import stored_program_ids as stored_program_ids
    from cxgov.api._review import Review as Review
    from cxgov.api._review import codeowners as codeowners
    from cxgov.api._review import review as review
    from cxgov.api._site import SiteOutcome as SiteOutcome
    from cxgov.api._site import build_site as build_site
    from cxgov.api._site import check_site_out as check_site_out
    from cxgov.api._site import print_summary as print_summary
    from cxgov.api._site import site_after_run as site_after_run
    from cxgov.clock import NOW_ENV as NOW_ENV
    from cxgov.clock import BadNow as BadNow
    from cxgov.clock import Clock as Clock
    from cxgov.clock import local_date as local_date
    from cxgov.clock import parse_now as parse_now
    from cxgov.clock import pinned as pinned
    from cxgov.clock import system_now as system_now
    from cxgov.demo import DemoFiles as DemoFiles
    from cxgov.errors import ActionError as ActionError
    from cxgov.errors import CxgovError as CxgovError
    from cxgov.errors import FileFormatError as FileFormatError
    from cxgov.errors import InvalidProgram as InvalidProgram
    from cxgov.errors import RunLocked as RunLocked
    from cxgov.errors import RunLockLost as RunLockLost
    from cxgov.errors import SiteError as SiteError
    from cxgov.errors import StoreError as StoreError
    from cxgov.errors import UsageError as UsageError
    from cxgov.evaluate.run import Evaluation as Evaluation
    from cxgov.ingest.batch import BatchSummary as BatchSummary
    from cxgov.judgement.actions import Action as Action
    from cxgov.judgement.actions import ActionHistory as ActionHistory
    from cxgov.judgement.actions import Effectiveness as Effectiveness
    from cxgov.judgement.lifecycle import ActionStatus as ActionStatus
    from cxgov.judgement.status import worst_first as worst_first
    from cxgov.judgement.verdicts import SEVERITY as SEVERITY
    from cxgov.judgement.verdicts import Verdict as Verdict
    from cxgov.judgement.verdicts import verdict_words as verdict_words
    from cxgov.model import Language as Language
    from cxgov.model import Program as Program
    from cxgov.nightly import NightlyRun as NightlyRun
    from cxgov.program_files.documents import MAX_FILE_BYTES as MAX_FILE_BYTES
    from cxgov.review.codeowners import CodeownersFile as CodeownersFile
    from cxgov.rules import Rule as Rule
    from cxgov.rules.examples import RuleExample as RuleExample
    from cxgov.site.i18n import Locale as Locale
    from cxgov.site.options import Audience as Audience
    from cxgov.site.options import Builder as Builder
    from cxgov.site.options import BuiltSite as BuiltSite
    from cxgov.site.options import site_folder as site_folder
    from cxgov.site.pdf import WrittenPdf as WrittenPdf
    from cxgov.store.batches import StoredRejection as StoredRejection
    from cxgov.store.status import DataStatus as DataStatus
    from cxgov.validation import ValidationResult as ValidationResult
    from cxgov.validation.output import FORMATTERS as FORMATTERS

_HOMES: dict[str, tuple[str, ...]] = {
    "cxgov.actions.outbox": ("DeliveryState",),
    "cxgov.actions.sinks": ("shown_sink",),
    "cxgov.api._actions": (
        "ActionFilter",
        "Deliveries",
        "change_action",
        "deliveries",
        "effectiveness",
        "list_actions",
        "show_action",
    ),
    "cxgov.api._data": (
        "SchemaUpgrade",
        "accept_new_key",
        "db_upgrade",
        "demo_data",
        "ingest",
        "ingest_kpi_values",
        "rejected",
        "rejected_places",
        "rejection_hint",
        "status",
    ),
    "cxgov.api._evaluate": ("digest", "digest_blocks", "digest_card", "evaluate", "run"),
    "cxgov.api._program": (
        "check_schemas",
        "load_program",
        "rule",
        "rule_examples",
        "rules",
        "scaffold",
        "validate",
        "write_schema_files",
    ),
    "cxgov.api._program_ref": (
        "PROGRAMS_FOLDER",
        "ProgramRef",
        "program_ref",
        "stored_program_ids",
    ),
    "cxgov.api._review": ("Review", "codeowners", "review"),
    "cxgov.api._site": (
        "SiteOutcome",
        "build_site",
        "check_site_out",
        "print_summary",
        "site_after_run",
    ),
    "cxgov.clock": (
        "BadNow",
        "Clock",
        "NOW_ENV",
        "local_date",
        "parse_now",
        "pinned",
        "system_now",
    ),
    "cxgov.demo": ("DemoFiles",),
    "cxgov.errors": (
        "ActionError",
        "CxgovError",
        "FileFormatError",
        "InvalidProgram",
        "RunLocked",
        "RunLockLost",
        "SiteError",
        "StoreError",
        "UsageError",
    ),
    "cxgov.evaluate.run": ("Evaluation",),
    "cxgov.ingest.batch": ("BatchSummary",),
    "cxgov.judgement.actions": ("Action", "ActionHistory", "Effectiveness"),
    "cxgov.judgement.lifecycle": ("ActionStatus",),
    "cxgov.judgement.status": ("worst_first",),
    "cxgov.judgement.verdicts": ("SEVERITY", "Verdict", "verdict_words"),
    "cxgov.model": ("Language", "Program"),
    "cxgov.program_files.documents": ("MAX_FILE_BYTES",),
    "cxgov.nightly": ("NightlyRun",),
    "cxgov.validation.output": ("FORMATTERS",),
    "cxgov.review.codeowners": ("CodeownersFile",),
    "cxgov.rules": ("Rule",),
    "cxgov.rules.examples": ("RuleExample",),
    "cxgov.site.i18n": ("Locale",),
    "cxgov.site.options": ("Audience", "Builder", "BuiltSite", "site_folder"),
    "cxgov.site.pdf": ("WrittenPdf",),
    "cxgov.store.batches": ("StoredRejection",),
    "cxgov.store.status": ("DataStatus",),
    "cxgov.validation": ("ValidationResult",),
}
"""Where each public name is defined; the imports above say the same to type checkers (a test
checks that they agree)."""

_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once: later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
