"""Ingestion: data files -> checked records -> the store, with every rejected row kept."""
