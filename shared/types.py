"""Column types shared by the models, portable across PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field
from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class TZDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on every database.

    SQLite stores no offset, so values read back would be naive; this restores UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# Row ids as clients send them: positive and within PostgreSQL's INTEGER, so an absurd id is a
# clear 422 (or simply not found) instead of a database overflow error.
MAX_ID = 2**31 - 1
IdIn = Annotated[int, Field(ge=1, le=MAX_ID)]


def reject_nul(value):
    """PostgreSQL cannot store NUL characters in text or JSON: refuse them up front."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key)
            reject_nul(item)
    elif isinstance(value, list):
        for item in value:
            reject_nul(item)
    return value


def small_json_object(value: dict, limit: int = 4096) -> dict:
    """A JSON object of at most ``limit`` bytes with no NUL characters."""
    import json

    reject_nul(value)
    if len(json.dumps(value, ensure_ascii=False).encode()) > limit:
        raise ValueError(f"must be at most {limit} bytes of JSON")
    return value
