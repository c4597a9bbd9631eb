"""Reviewing program changes like code: the semantic diff, its history, the backtest of new
thresholds on stored data, and CODEOWNERS from the program's owners."""

from __future__ import annotations

from cxgov.review.history import HistoryEntry, program_history
from cxgov.review.semantic import Change, diff_programs

__all__ = ["Change", "HistoryEntry", "diff_programs", "program_history"]
