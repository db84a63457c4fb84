"""Serve a read endpoint from the Redis read cache, filling it from the database on a miss."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

JSON = "application/json"


async def cached_json(
    request: Request, name: str, variant: str, load: Callable[[], Awaitable[bytes]]
) -> Response:
    """The cached JSON bytes for (name, variant), or ``load()``'s, stored for the next reader.

    A hit returns the stored bytes as they are: no database, no re-validation.
    """
    cache = request.app.state.cache
    version, hit = await cache.get(name, variant)
    if hit is not None:
        return Response(hit, media_type=JSON, headers={"X-Cache": "hit"})
    body = await load()
    await cache.put(name, variant, version, body)
    return Response(body, media_type=JSON, headers={"X-Cache": "miss"})
