"""Table sources: answers that stay in an organisation's database or warehouse, counted there."""
