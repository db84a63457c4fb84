"""A request id for every HTTP request, in the logs and on to the jobs it enqueues.

Taken from the caller's ``X-Request-ID`` when it is sane (a proxy's id keeps one trace across
hops), made up otherwise; ``api.edge`` binds it and echoes it in the response.
``shared.queue.enqueue`` copies it into the Dramatiq message, and the worker puts it back on
every log record of that job.
"""

from __future__ import annotations

import itertools
import os
import re

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


def of(headers) -> str:
    """The request's id: the caller's ``X-Request-ID`` when it is sane, else a new one."""
    given = next((value for name, value in headers if name == HEADER), b"")
    return given.decode() if SANE.match(given) else f"{_PREFIX}{next(_COUNTER):08x}"
