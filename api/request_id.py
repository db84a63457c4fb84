"""A request id for every HTTP request, in the logs and on to the jobs it enqueues.

Taken from the caller's ``X-Request-ID`` when it is sane (a proxy's id keeps one trace across
hops), made up otherwise; echoed in the response. ``shared.queue.enqueue`` copies it into the
Dramatiq message, and the worker puts it back on every log record of that job.
"""

from __future__ import annotations

import itertools
import os
import re

from shared import context

HEADER = b"x-request-id"
SANE = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")
# Made-up ids only need to be unique, not unguessable: a random prefix per process and a
# counter (a uuid4 per request was a measurable share of a generation request's CPU).
_PREFIX = os.urandom(8).hex()
_COUNTER = itertools.count(1)


def _new_prefix() -> None:
    global _PREFIX
    _PREFIX = os.urandom(8).hex()


os.register_at_fork(after_in_child=_new_prefix)  # a forked server process gets its own


class RequestIdMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == HEADER), b"")
        request_id = given.decode() if SANE.match(given) else f"{_PREFIX}{next(_COUNTER):08x}"

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER, request_id.encode())]
            await send(message)

        tokens = context.bind(request=request_id, job=None)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            context.unbind(tokens)
