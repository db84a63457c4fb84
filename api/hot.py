"""The two hottest calls, answered before FastAPI's router and dependency machinery.

Students open the same chapters all day and ask for explanations. Through the router, a cache
hit spent most of its time matching routes and solving dependencies, not in Redis, and so did
much of a generation request (docs/benchmarks.md, "Hot paths"). This middleware answers only
the plain cases:

- ``GET /api/v1/chapters/{id}`` with a valid bearer token and a cache hit, the rate limit
  checked in the same Redis call as the cache;
- ``POST /api/v1/generations`` with a valid token and a JSON body the schema accepts, handed
  to the same group commit and service the route uses.

Everything else (no or bad token, odd path, a body the schema refuses, cache miss, cache off)
goes on to the normal route, which gives the same answers and errors it always did; failures
after that point are answered by the app's own exception handlers. The cache entry is named by
the route's own ``chapter_slot``, so both ways read the same entry for the same caller.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import redis.exceptions
from pydantic import ValidationError
from starlette.requests import Request

from api.curriculum import chapter_slot
from api.deps import RATE_COUNTED
from api.errors import error_response
from shared import context, limits
from shared.auth.tokens import verify_cached
from shared.errors import AppError, Unauthorized
from shared.generations import service
from shared.generations.schemas import GenerationIn
from shared.jobs import service as jobs
from shared.types import MAX_ID

CHAPTER = re.compile(r"^/api/v1/chapters/([1-9][0-9]{0,9})$")
GENERATIONS = "/api/v1/generations"
# What api.metrics labels the request with (the route template, as the router would).
ROUTE = SimpleNamespace(path="/api/v1/chapters/{chapter_id}")
GENERATIONS_ROUTE = SimpleNamespace(path=GENERATIONS)


class HotPathsMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] == "POST" and scope["path"] == GENERATIONS:
            await generation(self.app, scope, receive, send)
        elif scope["method"] == "GET" and (match := CHAPTER.match(scope["path"])) is not None:
            if not await self._hit(scope, receive, send, int(match[1])):
                await self.app(scope, receive, send)
        else:
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


async def generation(app, scope, receive, send) -> None:
    """``POST /generations`` as the route does it, or handed on to the route."""
    state = scope["app"].state
    settings = state.settings
    token = _bearer(scope["headers"])
    if token is None or not _is_json(scope["headers"]):
        await app(scope, receive, send)
        return
    try:
        principal = verify_cached(settings, token)
    except Unauthorized:
        await app(scope, receive, send)
        return
    body = await _read_body(receive)  # the body-size limit outside us still applies
    try:
        data = GenerationIn.model_validate_json(body)
    except ValidationError:
        await app(scope, _replay(body, receive), send)  # the route's own 422
        return
    scope["route"] = GENERATIONS_ROUTE
    try:
        await state.request_limiter.take(principal.user_id)
        job = await state.generation_requests.submit(
            service.Ask(principal, data, context.request_id.get()))
    except Exception as exc:
        await _answer_error(scope, receive, send, exc)
        return
    await _send_json(send, 202, jobs.accepted(job).model_dump_json().encode())


async def _answer_error(scope, receive, send, exc: Exception) -> None:
    """Answer with the app's handler for ``exc``, as Starlette's ExceptionMiddleware would."""
    handlers = scope["app"].exception_handlers
    handler = next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers), None)
    if handler is None:
        raise exc  # a 500 from ServerErrorMiddleware, as for the route
    response = await handler(Request(scope, receive), exc)
    await response(scope, receive, send)


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive):
    """A ``receive`` that gives the body already read, then whatever comes next."""
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _send_json(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def _is_json(headers) -> bool:
    for name, value in headers:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == b"application/json"
    return False


def _bearer(headers) -> str | None:
    """The token of an ``Authorization: Bearer`` header, as FastAPI's OAuth2 scheme reads it."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token if scheme.lower() == "bearer" and token else None
    return None
