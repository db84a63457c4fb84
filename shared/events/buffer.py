"""Append records to a Redis stream buffer: one entry per call, field ``data`` = JSON array.

One entry per API call (not per event) because Redis's per-entry cost dominates
(docs/BASELINES.md). The call returns only after Redis has accepted the entry (XADD returned),
so a 202 built on it means the events are in the buffer. Redis being unreachable becomes a
``ServiceUnavailable`` (503) with a message a person can act on, never a 500.
"""

from __future__ import annotations

from typing import Any

import orjson
import redis
import redis.asyncio as aioredis

from shared.errors import ServiceUnavailable

UNAVAILABLE = "The event buffer (Redis) is unavailable; nothing was stored. Retry shortly."


def encode(records: list[dict[str, Any]]) -> dict[str, bytes]:
    """The stream entry fields for one batch of records."""
    return {"data": orjson.dumps(records)}


def append(client: redis.Redis, stream: str, records: list[dict[str, Any]]) -> bytes:
    """Append one batch synchronously; returns the stream entry id."""
    try:
        return client.xadd(stream, encode(records))
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise ServiceUnavailable(UNAVAILABLE) from exc


async def append_async(
    client: aioredis.Redis, stream: str, records: list[dict[str, Any]]
) -> bytes:
    """Append one batch from the event loop; returns the stream entry id."""
    try:
        return await client.xadd(stream, encode(records))
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise ServiceUnavailable(UNAVAILABLE) from exc
