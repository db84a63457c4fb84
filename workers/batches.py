"""Batch actors: one feeder per running batch, batch items at low priority, and resume.

``batches.feed`` looks after one batch for a slice of time (a Redis lease makes it the only
feeder of that batch), then hands over to a fresh message, so a worker's shutdown never waits
long on it and a dead worker's feeder comes back like any other message. ``batches.resume``
(sent by the scheduler) restarts the feeder of any running batch that has none: after a
restart of everything, or a continuation message that was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import dramatiq
from redis.exceptions import LockError

from shared import context
from shared.batches import estimate, feeding, repository
from shared.batches import service as batches
from shared.batches.generation import QUEUE
from shared.db import session_scope
from shared.queue import enqueue
from workers import generations, resources
from workers.resources import Resources

log = logging.getLogger("studyforge.worker")

# A live feeder renews its lease every tick; a dead one's lapses this soon.
LEASE_SECONDS = 5
GRADE_LOCK_SECONDS = 10


def feeder_key(namespace: str, batch_id: int) -> str:
    return f"{namespace}:studyforge:batch:{batch_id}:feeder"


def grade_key(namespace: str, grade: int) -> str:
    return f"{namespace}:studyforge:batch-grade:{grade}"


# Above the reaper (-100), below nothing else: a feeder must not wait behind batch items.
@dramatiq.actor(actor_name="batches.feed", queue_name=QUEUE, priority=-50, max_retries=5,
                min_backoff=1_000, time_limit=10 * 60 * 1000)
async def feed(batch_id: int) -> None:
    res = resources.current()
    # A redelivered feeder (its worker died) waits for the dead one's lease to lapse; while
    # the holder lives it keeps renewing, and this duplicate gives up.
    lease = res.redis.lock(feeder_key(res.settings.broker_namespace, batch_id),
                           timeout=LEASE_SECONDS, blocking=True, blocking_timeout=LEASE_SECONDS + 1)
    if not await lease.acquire():
        log.info("batch %s already has a feeder", batch_id)
        return
    try:
        active = await _feed_slice(res, batch_id, lease)
    finally:
        with contextlib.suppress(LockError):  # it expired; whoever holds it keeps it
            await lease.release()
    if active:
        # Hand over to a fresh message (after this one is acked, another may start at once).
        async with session_scope(res.sessions, res.dispatcher):
            enqueue("batches.feed", queue_name=QUEUE, batch_id=batch_id)


async def _feed_slice(res: Resources, batch_id: int, lease) -> bool:
    """Feed until the batch ends or the slice is over; True if it still needs a feeder."""
    settings = res.settings
    ends_at = time.monotonic() + settings.batch_feed_slice_seconds
    estimates = cap = None
    last = None
    while True:
        async with session_scope(res.sessions, res.dispatcher) as session:
            batch = await repository.get(session, batch_id)
            if batch is None:
                return False
            if estimates is None:  # routes and prices, read once per slice
                estimates = await estimate.per_item(session, settings, batch.kinds)
                cap = feeding.in_flight_cap(settings, estimates)
            await feeding.sync(session, batch)
            counts = (await repository.counts(session, [batch_id]))[batch_id]
            queued = counts.get("queued", (0, 0.0))[0]
            pending = counts.get("pending", (0, 0.0))[0]
            running = batch.status == "running"
        if running and pending and queued < cap:
            await _fill(res, batch_id, capacity=cap - queued, estimates=estimates)
        async with session_scope(res.sessions, res.dispatcher) as session:
            batch = await repository.get(session, batch_id)
            ended = await feeding.finish(session, batch)
            out = await batches.snapshot(session, batch)
        if out != last:
            last = out
            await res.redis.publish(batches.channel(batch_id), out.model_dump_json())
        if ended:
            log.info("batch %s ended %s: %s", batch_id, out.status, out.reason or "")
            return False
        if time.monotonic() >= ends_at:
            return True
        await asyncio.sleep(settings.batch_feed_tick_seconds)
        try:
            await lease.extend(LEASE_SECONDS, replace_ttl=True)
        except LockError:
            # This loop stalled past its lease and another feeder may have taken over; stop.
            # (Should none have, the scheduler's resume pass sends one.)
            log.warning("batch %s: feeder lease lost; leaving the batch to its successor", batch_id)
            return False


async def _fill(res: Resources, batch_id: int, *, capacity: int, estimates) -> None:
    """Start items under the grade's lock, committed before the lock is let go."""
    async with res.sessions() as session:
        grade = (await repository.get(session, batch_id)).grade
    lock = res.redis.lock(grade_key(res.settings.broker_namespace, grade),
                          timeout=GRADE_LOCK_SECONDS, blocking=True, blocking_timeout=2)
    if not await lock.acquire():
        return  # another batch of this grade is starting items; try again next tick
    try:
        async with session_scope(res.sessions, res.dispatcher) as session:
            batch = await repository.get_for_update(session, batch_id)
            await feeding.fill(session, batch, capacity=capacity, estimates=estimates)
    finally:
        with contextlib.suppress(LockError):
            await lock.release()


# Lower priority than students' "generations.generate" (0): when a worker has both waiting,
# students' jobs start first. At the provider's rate limiter these calls yield too.
@dramatiq.actor(actor_name="batches.generate", queue_name=QUEUE, priority=50, max_retries=5,
                min_backoff=1_000, time_limit=10 * 60 * 1000)
async def generate(job_id: str) -> None:
    with context.ai_priority_as("background"):
        # The very job path students' jobs take, whatever kinds it supports.
        await generations.run_generation(job_id)


@dramatiq.actor(actor_name="batches.resume", queue_name="ops", priority=-90, max_retries=0,
                time_limit=60_000)
async def resume() -> None:
    """Send a feeder to every unfinished batch that has none (its lease is free)."""
    res = resources.current()
    async with res.sessions() as session:
        ids = await repository.running_ids(session)
    orphans = [i for i in ids
               if not await res.redis.exists(feeder_key(res.settings.broker_namespace, i))]
    if orphans:
        async with session_scope(res.sessions, res.dispatcher):
            for batch_id in orphans:
                enqueue("batches.feed", queue_name=QUEUE, batch_id=batch_id)
        log.info("resumed the feeders of batches %s", orphans)
