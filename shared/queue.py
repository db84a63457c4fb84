"""Enqueue after commit: jobs are buffered per unit of work and sent only once it commits.

The same buffer carries other after-commit effects (``on_commit``), such as read-cache
invalidations, which must not run before the data they announce is visible.

Services call ``enqueue("generation.generate", job_id=...)`` by actor *name*, so the core never
imports the workers. The buffer lives in a context variable opened by the request dependency
or ``session_scope``; on commit ``Dispatcher.send`` writes the messages the way Dramatiq's
Redis broker stores them (a hash entry and a list push), pipelined on the async client. That
costs one round trip and never blocks the event loop, unlike ``actor.send()`` (measured in
docs/BASELINES.md: 0.33x of a bare endpoint, and it stalled the loop during a Redis pause).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import dramatiq

_pending: ContextVar[list | None] = ContextVar("studyforge_pending", default=None)

DEFAULT_QUEUE = "default"


def enqueue(actor_name: str, *, queue_name: str = DEFAULT_QUEUE, **kwargs) -> dramatiq.Message:
    """Buffer a message for ``actor_name``; it is sent after the surrounding commit."""
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("enqueue() needs an open unit of work (request or session_scope)")
    message = dramatiq.Message(
        queue_name=queue_name,
        actor_name=actor_name,
        args=(),
        kwargs=kwargs,
        options={"redis_message_id": str(uuid.uuid4())},
    )
    pending.append(message)
    return message


def on_commit(effect) -> None:
    """Run ``await effect(redis)`` after the surrounding unit of work commits (never on rollback)."""
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("on_commit() needs an open unit of work (request or session_scope)")
    pending.append(effect)


@contextmanager
def pending_scope() -> Iterator[list]:
    """Open a buffer for the messages enqueued during one unit of work."""
    pending: list = []
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def discard_pending(pending: list) -> None:
    pending.clear()


@dataclass(frozen=True)
class Dispatcher:
    """Writes buffered messages into Dramatiq's Redis layout, in one pipelined round trip."""

    redis: object  # redis.asyncio.Redis or fakeredis' async client
    namespace: str = "dramatiq"

    async def send(self, pending: list) -> None:
        """Send the buffered messages in one pipeline, then run the other effects."""
        messages = [m for m in pending if isinstance(m, dramatiq.Message)]
        effects = [e for e in pending if not isinstance(e, dramatiq.Message)]
        pending.clear()
        if messages:
            await self._push(messages)
        for effect in effects:
            await effect(self.redis)

    async def _push(self, messages: list[dramatiq.Message]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for message in messages:
            key = f"{self.namespace}:{message.queue_name}"
            pipe.hset(f"{key}.msgs", message.options["redis_message_id"], message.encode())
            pipe.rpush(key, message.options["redis_message_id"])
        await pipe.execute()


async def after_commit(dispatcher: Dispatcher | None, pending: list) -> None:
    """Send what the committed unit of work enqueued and run its after-commit effects."""
    if dispatcher is not None and pending:
        await dispatcher.send(pending)


async def send_now(dispatcher: Dispatcher, actor_name: str, *, queue_name: str = DEFAULT_QUEUE,
                   **kwargs) -> None:
    """Send a message outside any unit of work (the scheduler's periodic jobs)."""
    with pending_scope() as pending:
        enqueue(actor_name, queue_name=queue_name, **kwargs)
        await dispatcher.send(pending)
