from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.content.models import ContentBlock
from shared.jobs.models import Job


async def latest_generated(session: AsyncSession, cache_key: str) -> Job | None:
    """The newest job that itself generated content for ``cache_key``, unless a reviewer
    rejected that content (cached copies and linked jobs wrote no block of their own)."""
    query = (
        select(Job)
        .join(ContentBlock, ContentBlock.job_id == Job.id)
        .where(Job.cache_key == cache_key, Job.status == "succeeded",
               ContentBlock.status != "rejected")
        .order_by(Job.finished_at.desc())
        .limit(1)
    )
    return await session.scalar(query)
