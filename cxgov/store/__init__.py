"""The metric store: SQLAlchemy tables, the engine, Alembic migrations, repository functions."""
