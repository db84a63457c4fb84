"""Cache hits on the hottest read, answered before FastAPI's router and dependency machinery.

Students open the same chapters all day. Through the router, a cache hit spent most of its
time matching routes and solving dependencies, not in Redis (docs/benchmarks.md, "Hot paths").
This middleware answers only the plain case of ``GET /api/v1/chapters/{id}``: a valid bearer
token, a cache hit, and the rate limit checked in the same Redis call as the cache. Everything
else (no or bad token, odd path, cache miss, cache off, Redis trouble) goes on to the normal
route, which gives the same answers and errors it always did. The cache entry is named by the
route's own ``chapter_slot``, so both ways read the same entry for the same caller.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import redis.exceptions

from api.curriculum import chapter_slot
from api.deps import RATE_COUNTED
from api.errors import error_response
from shared import limits
from shared.auth.tokens import verify_cached
from shared.errors import AppError, Unauthorized
from shared.types import MAX_ID

CHAPTER = re.compile(r"^/api/v1/chapters/([1-9][0-9]{0,9})$")
# What api.metrics labels the request with (the route template, as the router would).
ROUTE = SimpleNamespace(path="/api/v1/chapters/{chapter_id}")


class HotReadsMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        match = CHAPTER.match(scope["path"])
        if match is None or not await self._hit(scope, receive, send, int(match[1])):
            await self.app(scope, receive, send)

    async def _hit(self, scope, receive, send, chapter_id: int) -> bool:
        """Answer from the cache and return True, or return False to leave it to the route."""
        state = scope["app"].state
        settings, cache = state.settings, state.cache
        token = _bearer(scope["headers"])
        if token is None or chapter_id > MAX_ID or not cache.enabled:
            return False
        try:
            principal = verify_cached(settings, token)
        except Unauthorized:
            return False
        limit, window = settings.request_rate_limit, settings.request_rate_window_seconds
        now = time.time()
        counter = limits.request_counter(principal.user_id, window, now) if limit > 0 else None
        try:
            _, body, count = await cache.lookup(*chapter_slot(principal, chapter_id),
                                                counter=counter, counter_ttl=2 * window)
        except redis.exceptions.RedisError:
            return False  # the route answers 503 the usual way
        scope["route"] = ROUTE
        if counter is not None:
            scope[RATE_COUNTED] = True
            try:
                limits.check_request_count(count, limit, window, now)
            except AppError as exc:
                await error_response(exc)(scope, receive, send)
                return True
        if body is None:
            return False
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(body)).encode()), (b"content-type", b"application/json"),
            (b"x-cache", b"hit")]})
        await send({"type": "http.response.body", "body": body})
        return True


def _bearer(headers) -> str | None:
    """The token of an ``Authorization: Bearer`` header, as FastAPI's OAuth2 scheme reads it."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token if scheme.lower() == "bearer" and token else None
    return None
