from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.content.models import ContentBlock
from shared.jobs.models import Job


async def recent_generated(session: AsyncSession, cache_key: str, *, limit: int = 5) -> list[Job]:
    """The newest jobs that themselves generated content for ``cache_key``, except content a
    reviewer rejected (cached copies and linked jobs wrote no block of their own)."""
    query = (
        select(Job)
        .join(ContentBlock, ContentBlock.job_id == Job.id)
        .where(Job.cache_key == cache_key, Job.status == "succeeded",
               ContentBlock.status != "rejected")
        .order_by(Job.finished_at.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))


async def recent_generated_many(
    session: AsyncSession, cache_keys: set[str], *, limit: int = 5
) -> dict[str, list[Job]]:
    """``recent_generated`` for several keys in one query (keys with none are left out)."""
    if not cache_keys:
        return {}
    rank = func.row_number().over(partition_by=Job.cache_key, order_by=Job.finished_at.desc())
    ranked = (
        select(Job.id, rank.label("rank"))
        .join(ContentBlock, ContentBlock.job_id == Job.id)
        .where(Job.cache_key.in_(cache_keys), Job.status == "succeeded",
               ContentBlock.status != "rejected")
        .subquery()
    )
    query = (
        select(Job).join(ranked, ranked.c.id == Job.id).where(ranked.c.rank <= limit)
        .order_by(Job.finished_at.desc())
    )
    found: dict[str, list[Job]] = {}
    for job in await session.scalars(query):
        jobs = found.setdefault(job.cache_key, [])
        if job not in jobs:  # a job with two blocks joins twice
            jobs.append(job)
    return found
