"""The rule registry: one rule, one stable code, one docstring.

Codes: CXG0xx are file and structure problems found while loading (documented in
`cxgov.rules.loading_codes`); CXG1xx are semantic errors; CXG2xx are warnings.
The reference in docs/rules.md is generated from this registry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxgov.diagnostics import Diagnostic, Severity
from cxgov.rules.finding import Finding

if TYPE_CHECKING:
    from cxgov.rules.context import RuleContext

CheckFunction = Callable[["RuleContext"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: str
    check: CheckFunction | None = None
    whole_program: bool = False
    """The rule concludes from what a program lacks, so it does not run while a file of the
    program cannot be read: what that file defines is unknown."""

    @property
    def summary(self) -> str:
        """The doc's first paragraph, whole (a first line may end mid-sentence), without its
        closing full stop."""
        first = " ".join(self.doc.strip().split("\n\n", 1)[0].split())
        return first.rstrip(".") or self.name

    def diagnostics(self, context: RuleContext) -> Iterable[Diagnostic]:
        if self.check is None or (self.whole_program and not context.loaded.complete):
            return
        for finding in self.check(context):
            yield Diagnostic.at(
                finding.location,
                self.code,
                finding.message,
                severity=self.severity,
                hint=finding.hint,
            )


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"rule code {rule.code} registered twice")
    RULES[rule.code] = rule
    return rule


def rule(
    code: str, name: str, severity: Severity = Severity.ERROR, *, whole_program: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a semantic check; its docstring is the rule's documentation."""

    def decorate(check: CheckFunction) -> CheckFunction:
        doc = inspect.cleandoc(check.__doc__ or "")
        register(Rule(code, name, severity, doc, check, whole_program))
        return check

    return decorate
