"""The seam to the generations domain: the job a batch item runs, keyed like a student's request.

Parameters are built exactly as ``shared.generations.service.request_many`` builds them for a
request without topic or analogy, so the cache key is the same: two batches (or a batch and a
student) asking for the same chapter and kind find each other's jobs.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.curriculum.models import Chapter
from shared.generations.service import cache_key, generation_params
from shared.jobs import repository as jobs
from shared.jobs.models import Job
from shared.queue import enqueue

# Batch items run on their own queue through their own actor (workers/batches.py), which
# runs the generation job at a lower priority than students' jobs.
ACTOR = "batches.generate"
QUEUE = "batch"


def params(chapter: Chapter, kind: str) -> dict:
    """The generation parameters of a batch item (a chapter's default request of this kind)."""
    return generation_params(chapter, kind=kind)


async def create_job(session: AsyncSession, *, kind: str, payload: dict, key: str,
                     batch_id: int, created_by: int | None, force: bool = False) -> Job:
    """A queued generation job for a batch item; its message is sent after the commit."""
    job = await jobs.add(
        session, id=str(uuid.uuid4()), kind=kind, status="queued", progress=0.0, stage="queued",
        # ``force`` tells the worker not to serve the item from identical finished work.
        payload={**payload, "force": force, "batch_id": batch_id}, created_by=created_by,
        cache_key=key,
    )
    enqueue(ACTOR, queue_name=QUEUE, job_id=job.id)
    return job


def key_for(payload: dict) -> str:
    return cache_key(payload)
