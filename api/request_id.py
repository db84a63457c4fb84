"""A request id for every HTTP request, in the logs and on to the jobs it enqueues.

Taken from the caller's ``X-Request-ID`` when it is sane (a proxy's id keeps one trace across
hops), made up otherwise; echoed in the response. ``shared.queue.enqueue`` copies it into the
Dramatiq message, and the worker puts it back on every log record of that job.
"""

from __future__ import annotations

import re
import uuid

from shared import context

HEADER = b"x-request-id"
SANE = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"")
        request_id = given.decode() if SANE.match(given) else uuid.uuid4().hex

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER, request_id.encode())]
            await send(message)

        with context.bound(request=request_id):
            await self.app(scope, receive, send_with_id)
