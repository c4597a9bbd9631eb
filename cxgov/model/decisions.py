"""The `program.decisions` setting: the error rates cxgov's verdicts and alarms are held to."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from cxgov.model.base import Model

DEFAULT_ERROR_RATE = 0.05
"""One-sided error rate of a period's verdict, per family of objectives judged together."""

DEFAULT_DECLINE_ERROR_RATE = 0.01
"""A decline compares two noisy periods, against two baselines, every period: held to 1 % so
that together with the monitor an objective on target opens an action in under one run in ten
over two years (bench/bench_decisions.py)."""

DEFAULT_RUN_LENGTH = 400
"""Periods an objective that is exactly on target runs, on average, before the sustained-
shortfall monitor raises a false alarm: about a 6 % chance in 24 monthly periods."""

DEFAULT_MIN_THEME_GROUP = 20
"""Fewest answers on each side (comments that mention a theme, and those that do not) before
the two are compared: below it a label would rest on a handful of customers, and the normal
approximation of the two-sample tests is off (17–20 % false labels at 5 answers, against 5 %
nominal)."""


class Adjustment(StrEnum):
    """How a run's many verdicts of one period share the error rate."""

    BENJAMINI_HOCHBERG = "benjamini_hochberg"
    """The expected share of false misses among the misses shown stays at the error rate."""
    HOLM = "holm"
    """The chance of any false miss in the family stays at the error rate (stricter)."""
    NONE = "none"
    """Each verdict alone is held to the error rate: more false alarms in a large program."""


class DecisionSettings(Model):
    """Error rates of verdicts, the sustained-shortfall monitor and declines."""

    error_rate: float = Field(default=DEFAULT_ERROR_RATE, gt=0, lt=0.5)
    """One-sided error rate of a miss: how often a shortfall is called when there is none."""
    adjustment: Adjustment = Adjustment.BENJAMINI_HOCHBERG
    """How the objectives × segments of one period share `error_rate`."""
    run_length: int = Field(default=DEFAULT_RUN_LENGTH, ge=20, le=100_000)
    """In-control average run length (periods) of the monitor that finds a shortfall sustained
    over several periods, for an objective exactly on target."""
    decline_error_rate: float = Field(default=DEFAULT_DECLINE_ERROR_RATE, gt=0, lt=0.5)
    """Error rate of a decline, shared by its two comparisons (previous period, a year ago)."""
    min_theme_group: int = Field(default=DEFAULT_MIN_THEME_GROUP, ge=10, le=10_000)
    """Fewest answers on each side before the KPI of comments that mention a theme is compared
    with the rest's; below it the theme's effect is not estimated and says so."""
