"""What every HTTP response gets: a request id, the security headers, a metrics sample.

One pure ASGI middleware. They were three (request id, security headers, metrics), each with
its own call and its own send wrapper on every request: together about 6% of a generation
request's CPU (docs/benchmarks.md, "Hot paths"). The rules stay in their own modules:
``api.request_id``, ``api.security``, ``api.metrics``.
"""

from __future__ import annotations

import time

from api import metrics, request_id, security
from shared import context


class EdgeMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id.of(scope["headers"])
        extra = [(request_id.HEADER, rid.encode()), *security.headers_for(scope["path"])]
        status = 500  # unless a response starts: an error answered outside us

        async def send_with_headers(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        tokens = context.bind(request=rid, job=None)
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            metrics.observe(scope, status, time.perf_counter() - start)
            context.unbind(tokens)
