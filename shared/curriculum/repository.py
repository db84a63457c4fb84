from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.curriculum.models import Chapter


async def get(session: AsyncSession, chapter_id: int) -> Chapter | None:
    return await session.get(Chapter, chapter_id)


async def prompt_facts(session: AsyncSession, chapter_id: int) -> Row | None:
    """(id, subject, chapter_name, topics) of a chapter, as a plain row: what a generation
    job's prompt needs, without loading the ORM object."""
    rows = await session.execute(
        select(Chapter.id, Chapter.subject, Chapter.chapter_name, Chapter.topics)
        .where(Chapter.id == chapter_id))
    return rows.first()


async def names_and_grades(session: AsyncSession, chapter_ids: set[int]) -> dict[int, Row]:
    """(id, chapter_name, grade) of the chapters among ``chapter_ids`` that exist, by id: one
    query, plain rows (no ORM objects: a generation request needs nothing more)."""
    rows = await session.execute(select(Chapter.id, Chapter.chapter_name, Chapter.grade)
                                 .where(Chapter.id.in_(chapter_ids)))
    return {row.id: row for row in rows}


async def list_chapters(
    session: AsyncSession, *, grade: int | None = None, subject: str | None = None
) -> list[Chapter]:
    query = select(Chapter).order_by(Chapter.grade, Chapter.subject, Chapter.order_index)
    if grade is not None:
        query = query.where(Chapter.grade == grade)
    if subject is not None:
        query = query.where(Chapter.subject == subject)
    return list(await session.scalars(query))


async def by_key(session: AsyncSession, grades: set[int]) -> dict[tuple[int, str, str], Chapter]:
    """Existing chapters of these grades keyed by (grade, subject, chapter name)."""
    rows = await session.scalars(select(Chapter).where(Chapter.grade.in_(grades)))
    return {(c.grade, c.subject, c.chapter_name): c for c in rows}


def add(session: AsyncSession, **fields) -> Chapter:
    chapter = Chapter(**fields)
    session.add(chapter)
    return chapter
