"""All SQL of the batches domain."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.batches.models import Batch, BatchItem
from shared.content.models import ContentBlock
from shared.curriculum.models import Chapter
from shared.jobs.models import Job


async def get(session: AsyncSession, batch_id: int) -> Batch | None:
    return await session.get(Batch, batch_id)


async def get_for_update(session: AsyncSession, batch_id: int) -> Batch | None:
    """The batch, locked for this transaction on PostgreSQL (cancel vs. feeder)."""
    return await session.scalar(
        select(Batch).where(Batch.id == batch_id).with_for_update().execution_options(
            populate_existing=True))


async def recent(session: AsyncSession, *, limit: int) -> list[Batch]:
    return list(await session.scalars(select(Batch).order_by(Batch.id.desc()).limit(limit)))


async def running_ids(session: AsyncSession) -> list[int]:
    """Batches a feeder must look after: running, or cancelled with items still in flight."""
    query = select(Batch.id).where(or_(Batch.status == "running", Batch.finished_at.is_(None)))
    return list(await session.scalars(query))


async def add(session: AsyncSession, **fields) -> Batch:
    batch = Batch(**fields)
    session.add(batch)
    await session.flush()
    return batch


def add_items(session: AsyncSession, batch_id: int, rows: Iterable[tuple[int, str, str]]) -> None:
    """Items as (chapter_id, kind, status)."""
    session.add_all([BatchItem(batch_id=batch_id, chapter_id=c, kind=k, status=s)
                     for c, k, s in rows])


async def counts(session: AsyncSession, batch_ids: list[int]) -> dict[int, dict[str, tuple[int, float]]]:
    """Per batch, per item status: (items, cost)."""
    if not batch_ids:
        return {}
    query = (
        select(BatchItem.batch_id, BatchItem.status, func.count(), func.sum(BatchItem.cost_usd))
        .where(BatchItem.batch_id.in_(batch_ids))
        .group_by(BatchItem.batch_id, BatchItem.status)
    )
    out: dict[int, dict[str, tuple[int, float]]] = {i: {} for i in batch_ids}
    for batch_id, status, n, cost in await session.execute(query):
        out[batch_id][status] = (n, float(cost or 0.0))
    return out


async def items(session: AsyncSession, batch_id: int, *, status: str, limit: int | None = None
                ) -> list[BatchItem]:
    query = (select(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.status == status)
             .order_by(BatchItem.id))
    if limit is not None:
        query = query.limit(limit)
    return list(await session.scalars(query))


async def queued_with_jobs(session: AsyncSession, batch_id: int) -> list[tuple[BatchItem, Job | None]]:
    """The batch's items in flight with their generation jobs (one query)."""
    query = (
        select(BatchItem, Job)
        .outerjoin(Job, Job.id == BatchItem.job_id)
        .where(BatchItem.batch_id == batch_id, BatchItem.status == "queued")
    )
    return [(item, job) for item, job in (await session.execute(query)).all()]


async def set_items(session: AsyncSession, batch_id: int, *, from_status: str, **values) -> int:
    result = await session.execute(
        update(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.status == from_status)
        .values(**values))
    return result.rowcount


async def chapters(session: AsyncSession, grade: int, subjects: list[str] | None) -> list[Chapter]:
    query = select(Chapter).where(Chapter.grade == grade)
    if subjects:
        query = query.where(Chapter.subject.in_(subjects))
    return list(await session.scalars(query.order_by(Chapter.subject, Chapter.order_index)))


async def subjects_of(session: AsyncSession, grade: int) -> list[str]:
    query = select(Chapter.subject).where(Chapter.grade == grade).distinct()
    return sorted(await session.scalars(query))


async def grades(session: AsyncSession) -> list[int]:
    return sorted(await session.scalars(select(Chapter.grade).distinct()))


async def approved(session: AsyncSession, chapter_ids: list[int], kinds: list[str]) -> set[tuple[int, str]]:
    """(chapter_id, kind) pairs that already have approved content."""
    if not chapter_ids:
        return set()
    query = (
        select(ContentBlock.chapter_id, ContentBlock.type).distinct()
        .where(ContentBlock.chapter_id.in_(chapter_ids), ContentBlock.type.in_(kinds),
               ContentBlock.status == "approved")
    )
    return {(c, t) for c, t in await session.execute(query)}


async def reusable_jobs(session: AsyncSession, cache_keys: list[str], *, since: datetime
                        ) -> dict[str, Job]:
    """Jobs for these parameters that are queued or running, or succeeded since ``since``."""
    if not cache_keys:
        return {}
    query = select(Job).where(
        Job.cache_key.in_(cache_keys),
        or_(Job.status.in_(("queued", "running")),
            (Job.status == "succeeded") & (Job.created_at >= since)),
    ).order_by(Job.created_at)
    return {job.cache_key: job for job in await session.scalars(query)}


async def cancel_queued_jobs(session: AsyncSession, job_ids: list[str], *, now: datetime) -> list[str]:
    """Cancel the jobs that have not started; returns their ids (running ones carry on)."""
    if not job_ids:
        return []
    result = await session.execute(
        update(Job).where(Job.id.in_(job_ids), Job.status == "queued")
        .values(status="cancelled", stage="cancelled", finished_at=now, updated_at=now,
                error={"code": "cancelled", "message": "The batch was cancelled."})
        .returning(Job.id))
    return list(result.scalars())
