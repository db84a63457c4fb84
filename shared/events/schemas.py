"""What a client may send to ``POST /events``, and how it becomes a buffered record.

Limits are the contract in docs/API.md: at most 500 events per call (413 beyond, checked by the
route before validation so an oversized body fails fast) and metadata at most 4 KiB of JSON per
event (422). The server fills ``event_id`` and ``timestamp`` where missing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field, field_validator

MAX_EVENTS_PER_CALL = 500
MAX_METADATA_BYTES = 4096
EVENT_TYPES = ("click", "answer", "view", "hint", "submit")


class EventIn(BaseModel):
    """One interaction event as a student's app sends it."""

    event_id: uuid.UUID | None = None
    timestamp: datetime | None = None
    event_type: Literal["click", "answer", "view", "hint", "submit"]
    content_id: int | None = Field(default=None, ge=0, le=2**62)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("metadata")
    @classmethod
    def _metadata_size(cls, value: dict[str, Any]) -> dict[str, Any]:
        size = len(orjson.dumps(value))
        if size > MAX_METADATA_BYTES:
            raise ValueError(
                f"metadata is {size} bytes of JSON; at most {MAX_METADATA_BYTES} are accepted"
            )
        return value

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A naive timestamp is read as UTC, so every stored time has one meaning.
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class EventBatch(BaseModel):
    """The body of ``POST /events``."""

    events: list[EventIn] = Field(min_length=1)


class EventsAccepted(BaseModel):
    accepted: int


def to_records(events: list[EventIn], *, profile_id: int) -> list[dict[str, Any]]:
    """Records with the fields of ``shared.streams.EVENT_FIELDS``, server defaults filled in."""
    now = datetime.now(UTC)
    return [
        {
            "event_id": str(event.event_id or uuid.uuid4()),
            "timestamp": (event.timestamp or now).astimezone(UTC).isoformat(),
            "profile_id": profile_id,
            "event_type": event.event_type,
            "content_id": event.content_id,
            "metadata": event.metadata,
        }
        for event in events
    ]
