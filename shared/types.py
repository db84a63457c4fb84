"""Column types shared by the models, portable across PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")
TZDateTime = DateTime(timezone=True)
