"""Enqueue after commit: jobs are buffered per unit of work and sent only once it commits.

The same buffer carries other after-commit effects (``on_commit``), such as read-cache
invalidations, which must not run before the data they announce is visible.

Services call ``enqueue("generation.generate", job_id=...)`` by actor *name*, so the core never
imports the workers. The buffer lives in a context variable opened by the request dependency
or ``session_scope``; on commit ``Dispatcher.send`` writes the messages the way Dramatiq's
Redis broker stores them (a hash entry and a list push), in one Lua call on the async client. That
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

from shared import context
from shared.ops.keys import Keys

# How long the job -> message index outlives a send (Dramatiq keeps dead letters as long).
JOB_MESSAGE_TTL = 7 * 86400

_pending: ContextVar[list | None] = ContextVar("studyforge_pending", default=None)

DEFAULT_QUEUE = "default"


def enqueue(
    actor_name: str, *, queue_name: str = DEFAULT_QUEUE, cause: str | None = None, **kwargs
) -> dramatiq.Message:
    """Buffer a message for ``actor_name``; it is sent after the surrounding commit.

    ``cause`` is the request id that caused the message (default: the current context's), so
    the worker's logs carry it on; a group commit names each of its requests' own.
    """
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("enqueue() needs an open unit of work (request or session_scope)")
    message_id = str(uuid.uuid4())
    # Dramatiq's Redis broker gives each send its own id; a first send may reuse the message's.
    options = {"redis_message_id": message_id}
    request_id = cause or context.request_id.get()
    if request_id:
        options["request_id"] = request_id
    message = dramatiq.Message(
        queue_name=queue_name,
        actor_name=actor_name,
        args=(),
        kwargs=kwargs,
        options=options,
        message_id=message_id,
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
    """Writes buffered messages into Dramatiq's Redis layout, in one round trip (a Lua call)."""

    redis: object  # redis.asyncio.Redis or fakeredis' async client
    namespace: str = "dramatiq"

    async def send(self, pending: list) -> None:
        """Send the buffered messages in one call, then run the other effects."""
        messages = [m for m in pending if isinstance(m, dramatiq.Message)]
        effects = [e for e in pending if not isinstance(e, dramatiq.Message)]
        pending.clear()
        if messages:
            await self._push(messages)
        for effect in effects:
            await effect(self.redis)

    async def _push(self, messages: list[dramatiq.Message]) -> None:
        keys = Keys(self.namespace)
        by_queue: dict[str, list[dramatiq.Message]] = {}
        for message in messages:
            by_queue.setdefault(message.queue_name, []).append(message)
        script_keys, args, index_keys, index_values = [], [JOB_MESSAGE_TTL, len(by_queue)], [], []
        for queue_name, group in by_queue.items():
            script_keys += [keys.msgs(queue_name), keys.queue(queue_name)]
            args.append(len(group))
            for message in group:
                message_id = message.options["redis_message_id"]
                args += [message_id, message.encode()]
                job_id = message.kwargs.get("job_id")
                if job_id:
                    # Lets the reaper check "does this job still have a message?" in O(1).
                    index_keys.append(keys.job_message(job_id))
                    index_values.append(f"{queue_name}|{message_id}")
        await self.redis.register_script(_PUSH)(keys=script_keys + index_keys,
                                                args=args + index_values)


# One call for everything a unit of work enqueued (a group commit sends dozens of messages;
# as separate commands they cost the API more CPU than the rest of the request). Atomic, and
# each message's hash entry is written before its id is pushed, so a worker never pops an id
# without its message.
# KEYS: (msgs hash, queue list) per queue, then the job -> message index keys.
# ARGV: index TTL, number of queues, then per queue: its count and (id, message) pairs; then
# the index values.
_PUSH = """
local ttl, queues, a = tonumber(ARGV[1]), tonumber(ARGV[2]), 3
for q = 1, queues do
  local count = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, count do
    redis.call('HSET', KEYS[2 * q - 1], ARGV[a], ARGV[a + 1])
    redis.call('RPUSH', KEYS[2 * q], ARGV[a])
    a = a + 2
  end
end
for k = 2 * queues + 1, #KEYS do
  redis.call('SET', KEYS[k], ARGV[a], 'EX', ttl)
  a = a + 1
end
"""


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
