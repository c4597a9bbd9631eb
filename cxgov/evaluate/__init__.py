"""Evaluation: periods, counts aggregated in the database, and verdicts per objective."""
