"""Jobs: who may read them, how they are created, and how their changes are announced."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.tokens import Principal
from shared.errors import NotFound
from shared.jobs import repository
from shared.jobs.models import Job
from shared.jobs.schemas import JobAccepted, JobOut
from shared.queue import enqueue

API_PREFIX = "/api/v1"


def channel(job_id: str) -> str:
    """The Redis pub/sub channel on which a job's changes are announced."""
    return f"studyforge:job:{job_id}"


def can_read(principal: Principal, job: Job) -> bool:
    if principal.is_staff:
        return True
    if principal.role == "student":
        return job.profile_id == principal.profile_id
    return job.created_by == principal.user_id


async def get_visible(session: AsyncSession, principal: Principal, job_id: str) -> Job:
    """The job if ``principal`` created it (or is staff); anyone else gets 404."""
    job = await repository.get(session, job_id)
    if job is None or not can_read(principal, job):
        raise NotFound("Job not found.")
    return job


async def create(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: str,
    actor: str,
    payload: dict[str, Any],
    cache_key: str | None = None,
    queue_name: str = "default",
) -> Job:
    """A queued job whose message is sent after the surrounding commit."""
    job = await repository.add(
        session, id=str(uuid.uuid4()), kind=kind, status="queued", progress=0.0, stage="queued",
        payload=payload, created_by=principal.user_id, profile_id=principal.profile_id,
        cache_key=cache_key,
    )
    enqueue(actor, queue_name=queue_name, job_id=job.id)
    return job


def accepted(job) -> JobAccepted:
    """The 202 body for a new job (a ``Job`` row, or anything with its ``id`` and ``status``)."""
    return JobAccepted(
        job_id=job.id, status=job.status,
        status_url=f"{API_PREFIX}/jobs/{job.id}", events_url=f"{API_PREFIX}/jobs/{job.id}/events",
    )


def to_out(job: Job) -> JobOut:
    return JobOut.model_validate(job)


async def publish(redis, job: Job) -> None:
    """Announce a job's new state to SSE subscribers (after the change is committed)."""
    await redis.publish(channel(job.id), to_out(job).model_dump_json())
