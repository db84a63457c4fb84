"""Finds jobs left ``queued`` with no message (e.g. a crash between commit and enqueue)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.jobs import repository
from shared.queue import enqueue

# Which actor runs each job kind.
ACTORS = {"explanation": "generations.generate", "questions": "generations.generate"}


async def requeue_stale(session: AsyncSession, *, older_than_seconds: int) -> int:
    """Send a fresh message for each job queued longer than the threshold; returns how many.

    Safe if the original message still exists: a second delivery finds the job claimed or
    final and does nothing. Touching ``updated_at`` spaces out repeated sends.
    """
    now = utcnow()
    stale = await repository.stale_queued(session, before=now - timedelta(seconds=older_than_seconds))
    for job in stale:
        actor = ACTORS.get(job.kind)
        if actor is None:
            continue
        job.updated_at = now
        enqueue(actor, job_id=job.id)
    await session.flush()
    return len(stale)
