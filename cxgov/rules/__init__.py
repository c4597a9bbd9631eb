"""Semantic validation rules, one module per family, registered by code in `RULES`."""

from __future__ import annotations

from cxgov.rules import (  # noqa: F401  (importing a module registers its rules)
    coverage,
    cycles,
    detectability,
    identity,
    kpis,
    links,
    loading_codes,
    measurement,
    references,
    settings,
    sinks,
    sources,
    strategy,
    thresholds,
    voc,
)
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import RULES, Rule

__all__ = ["RULES", "Finding", "Rule", "RuleContext"]
