from __future__ import annotations

from sqlalchemy import select
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
