"""Self-healing for jobs: put back what a dead worker or a lost message left behind.

Three passes, each safe to run at any time and from several schedulers at once:

1. Messages a dead worker fetched but never acknowledged go back to their queue (the same
   move Dramatiq's random "maintenance" makes, but every run instead of 1 call in N).
2. ``running`` jobs that no live worker reports running go back to ``queued``; if their
   message is gone too (dead-lettered, or acked without finishing), a fresh one is sent.
3. ``queued`` jobs older than a threshold whose message is gone (a crash between commit and
   enqueue) get a fresh message. A job whose message is merely waiting in a backlog is left.

A finished job is never touched, and the runner's conditional claim refuses to start one, so a
late duplicate message does nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings
from shared.db import utcnow
from shared.jobs import repository
from shared.ops import recovery, registry
from shared.ops.keys import Keys
from shared.ops.snapshot import known_queues
from shared.queue import enqueue

# Which actor runs each job kind.
ACTORS = {"explanation": "generations.generate", "questions": "generations.generate",
          "grading": "grading.grade_answer"}
# Kinds whose actor listens on its own queue (a child waiting for a grade must not wait behind
# a batch's backlog on "default").
QUEUES = {"grading": "grading"}


@dataclass
class ReapReport:
    dead_workers: int = 0
    messages_recovered: int = 0
    running_requeued: int = 0
    queued_resent: int = 0

    def __bool__(self) -> bool:
        return any(self.__dict__.values())


async def reap(session: AsyncSession, redis, settings: Settings) -> ReapReport:
    """One pass of all three; messages it sends go out after the caller's commit."""
    keys = Keys(settings.broker_namespace)
    report = ReapReport()
    now, now_ms = utcnow(), int(time.time() * 1000)
    timeout = settings.broker_heartbeat_timeout_ms

    queues = await known_queues(redis, keys)
    report.dead_workers, report.messages_recovered = await recovery.requeue_dead_workers(
        redis, keys, queues, now_ms=now_ms, heartbeat_timeout_ms=timeout)

    # Read the jobs before the registry: a job claimed after this read is not in the list,
    # and one claimed before it is already in its worker's registry entry.
    running = await repository.stale_running(
        session, before=now - timedelta(seconds=settings.reaper_running_grace_seconds))
    if running:
        busy = await registry.running_job_ids(redis, keys, now_ms=now_ms, heartbeat_timeout_ms=timeout)
        orphans = [job for job in running if job.id not in busy]
        present = await recovery.has_message(redis, keys, [job.id for job in orphans])
        for job in orphans:
            if not await repository.unclaim(session, job.id, attempts=job.attempts, now=now):
                continue
            report.running_requeued += 1
            if not present[job.id]:
                _resend(job.kind, job.id)

    stale = await repository.stale_queued(
        session, before=now - timedelta(seconds=settings.reaper_queued_after_seconds))
    present = await recovery.has_message(redis, keys, [job.id for job in stale])
    for job in stale:
        if present[job.id] or job.kind not in ACTORS:
            continue
        job.updated_at = now  # spaces out repeated sends
        _resend(job.kind, job.id)
        report.queued_resent += 1
    await session.flush()
    return report


def _resend(kind: str, job_id: str) -> None:
    actor = ACTORS.get(kind)
    if actor is not None:
        enqueue(actor, queue_name=QUEUES.get(kind, "default"), job_id=job_id)

