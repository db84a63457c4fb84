"""Correlation ids carried through one request or one job: request id, job id.

The API's request middleware sets ``request_id``; ``shared.queue.enqueue`` copies it into the
Dramatiq message's options; the worker middleware sets both ids again around each message.
Log records read them here (shared.logs), so one grep follows a request from API to worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

request_id: ContextVar[str | None] = ContextVar("studyforge_request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("studyforge_job_id", default=None)


def current() -> dict[str, str]:
    """The ids set in this context (only those that are set)."""
    values = {"request_id": request_id.get(), "job_id": job_id.get()}
    return {k: v for k, v in values.items() if v}


def bind(*, request: str | None, job: str | None) -> tuple[Token, Token]:
    """Set both ids; pass the returned tokens to ``unbind`` when the unit of work ends."""
    return request_id.set(request), job_id.set(job)


def unbind(tokens: tuple[Token, Token]) -> None:
    request_id.reset(tokens[0])
    job_id.reset(tokens[1])


# "interactive" (a person waits: students) or "background" (batches). The AI chain's rate
# limiter lets background calls through only when no interactive call would have to wait.
ai_priority: ContextVar[str] = ContextVar("studyforge_ai_priority", default="interactive")


@contextmanager
def ai_priority_as(priority: str) -> Iterator[None]:
    token = ai_priority.set(priority)
    try:
        yield
    finally:
        ai_priority.reset(token)
