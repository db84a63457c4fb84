from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.progress.models import StudentProgress


async def lock_row(session: AsyncSession, profile_id: int, chapter_id: int) -> StudentProgress:
    """The (profile, chapter) row, created if missing, locked until the transaction ends.

    Two answers graded at once for one chapter must not both read the old counts, so the row is
    inserted idempotently (ON CONFLICT DO NOTHING) and then read FOR UPDATE.
    """
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(StudentProgress)
        .values(profile_id=profile_id, content_id=chapter_id, status="not_started",
                attempted=0, correct=0)
        .on_conflict_do_nothing()
    )
    query = (
        select(StudentProgress)
        .where(StudentProgress.profile_id == profile_id, StudentProgress.content_id == chapter_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def for_profile(session: AsyncSession, profile_id: int) -> list[StudentProgress]:
    query = (
        select(StudentProgress)
        .where(StudentProgress.profile_id == profile_id)
        .order_by(StudentProgress.content_id)
    )
    return list(await session.scalars(query))
