"""Server-sent status of one row (a job, a batch) until it reaches a final state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable


async def status_stream(
    redis, channel: str, current: Callable[[], Awaitable[str]], ended: Callable[[str], bool],
    *, recheck_seconds: float,
) -> AsyncIterator[dict]:
    """``event: status`` with the row's JSON at every change, ending after a final state.

    Pub/sub is the fast path; re-reading the row every ``recheck_seconds`` without a message
    is the safety net for a missed one.
    """
    pubsub = redis.pubsub()
    await pubsub.subscribe(channel)
    try:
        # Subscribe first, then read the row: no change can fall between the two.
        last = await current()
        yield {"event": "status", "data": last}
        while not ended(last):
            message = await pubsub.get_message(ignore_subscribe_messages=True,
                                               timeout=recheck_seconds)
            if message is None:
                data = await current()
            else:
                raw = message["data"]
                data = raw.decode() if isinstance(raw, bytes) else raw
            if data != last:
                last = data
                yield {"event": "status", "data": data}
            await asyncio.sleep(0)
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
