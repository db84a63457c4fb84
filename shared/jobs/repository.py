from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.jobs.models import FINAL_STATUSES, Job


async def get(session: AsyncSession, job_id: str) -> Job | None:
    return await session.get(Job, job_id)


async def add(session: AsyncSession, **fields) -> Job:
    job = Job(**fields)
    session.add(job)
    await session.flush()
    return job


async def add_many(session: AsyncSession, rows: list[dict]) -> None:
    """Insert jobs in one statement, through Core: no ORM objects to build and track."""
    if rows:
        await (await session.connection()).execute(insert(Job.__table__), rows)


async def claim(session: AsyncSession, job_id: str, *, now: datetime) -> int | None:
    """Mark a job running unless it already finished; its attempt number, or None if final.

    A conditional UPDATE, so two deliveries of one message cannot both start it from a final
    state.
    """
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.not_in(FINAL_STATUSES))
        .values(status="running", started_at=now, attempts=Job.attempts + 1, updated_at=now)
        .returning(Job.attempts)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def finish(session: AsyncSession, job_id: str, *, now: datetime, **values) -> bool:
    """Move a job to a final state, only if it is not final yet (the exactly-once gate)."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.not_in(FINAL_STATUSES))
        .values(finished_at=now, updated_at=now, **values)
    )
    return result.rowcount == 1


async def set_progress(
    session: AsyncSession, job_id: str, *, progress: float, stage: str, now: datetime
) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running")
        .values(progress=progress, stage=stage, updated_at=now)
    )


async def stale_queued(session: AsyncSession, *, before: datetime, limit: int = 500) -> list[Job]:
    query = (
        select(Job)
        .where(Job.status == "queued", Job.updated_at < before)
        .order_by(Job.created_at)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def stale_running(session: AsyncSession, *, before: datetime, limit: int = 500) -> list[Job]:
    query = (
        select(Job)
        .where(Job.status == "running", Job.updated_at < before)
        .order_by(Job.updated_at)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def unclaim(session: AsyncSession, job_id: str, *, attempts: int, now: datetime) -> bool:
    """Put a running job back to queued, only if nobody claimed it again since we looked.

    Every claim bumps ``attempts``, so matching the attempts we saw is the optimistic lock.
    """
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.attempts == attempts)
        .values(status="queued", stage="requeued", progress=0.0, updated_at=now)
    )
    return result.rowcount == 1


async def timings_since(session: AsyncSession, *, since: datetime, limit: int = 20_000):
    """(kind, created_at, started_at, finished_at) of jobs that ran and finished since ``since``."""
    query = (
        select(Job.kind, Job.created_at, Job.started_at, Job.finished_at)
        .where(Job.finished_at >= since, Job.started_at.is_not(None),
               Job.stage.is_distinct_from("cached"))
        .order_by(Job.finished_at.desc())
        .limit(limit)
    )
    return (await session.execute(query)).all()
