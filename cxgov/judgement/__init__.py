"""Judgement: the vocabulary and every decision that needs no database.

Cells and periods, estimates (through `cxgov.stats`), verdict states, the one rule for an
objective's current status, the run's exit code, the action lifecycle, decisions and records,
and the run record with its voice-of-the-customer sections, all as typed values. Only
`cxgov.model` and `cxgov.stats` are imported here, so the rules can be read, tested and
simulated without a store, a command line or a site builder.
"""
