from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.content.models import ContentBlock, Question


async def blocks_for_chapter(
    session: AsyncSession, chapter_id: int, *, statuses: Sequence[str] | None
) -> list[ContentBlock]:
    query = select(ContentBlock).where(ContentBlock.chapter_id == chapter_id)
    if statuses is not None:
        query = query.where(ContentBlock.status.in_(statuses))
    return list(await session.scalars(query.order_by(ContentBlock.id)))


async def questions_for_blocks(session: AsyncSession, block_ids: list[int]) -> list[Question]:
    if not block_ids:
        return []
    query = select(Question).where(Question.content_block_id.in_(block_ids)).order_by(Question.id)
    return list(await session.scalars(query))


async def block_for_job(session: AsyncSession, job_id: str) -> ContentBlock | None:
    return await session.scalar(select(ContentBlock).where(ContentBlock.job_id == job_id))


async def get_block(session: AsyncSession, block_id: int) -> ContentBlock | None:
    return await session.get(ContentBlock, block_id)


# Core inserts, not session.add + flush: every generation job writes here, and the ORM's
# unit of work was a measured share of a worker's CPU per job (docs/benchmarks.md).
async def add_block(session: AsyncSession, **fields) -> int:
    """Insert a content block; its id."""
    table = ContentBlock.__table__
    return await session.scalar(insert(table).values(**fields).returning(table.c.id))


async def add_questions(session: AsyncSession, rows: list[dict]) -> list[int]:
    """Insert questions; their ids, in the order of ``rows``."""
    if not rows:
        return []
    table = Question.__table__
    ids = await session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(ids)


async def blocks_with_status(
    session: AsyncSession, statuses: Sequence[str], *, limit: int
) -> list[ContentBlock]:
    query = (
        select(ContentBlock)
        .where(ContentBlock.status.in_(statuses))
        .order_by(ContentBlock.created_at, ContentBlock.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def approved_job_ids(session: AsyncSession) -> set[str]:
    """Ids of the jobs whose content a reviewer approved (for the fine-tuning export)."""
    rows = await session.scalars(
        select(ContentBlock.job_id).where(
            ContentBlock.status == "approved", ContentBlock.job_id.is_not(None)
        )
    )
    return set(rows)
