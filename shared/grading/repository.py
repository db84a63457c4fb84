from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.content.models import ContentBlock, Question
from shared.curriculum.models import Chapter
from shared.grading.models import Submission
from shared.progress.models import StudentProgress


async def answerable_question(
    session: AsyncSession, question_id: int
) -> tuple[Question, int] | None:
    """(question, chapter id) if the question belongs to approved content, else None."""
    row = (await session.execute(
        select(Question, ContentBlock.chapter_id)
        .join(ContentBlock, ContentBlock.id == Question.content_block_id)
        .where(Question.id == question_id, ContentBlock.status == "approved")
    )).first()
    return (row[0], row[1]) if row else None


async def question(session: AsyncSession, question_id: int) -> Question | None:
    return await session.get(Question, question_id)


async def add(session: AsyncSession, **fields) -> Submission:
    submission = Submission(**fields)
    session.add(submission)
    await session.flush()
    return submission


async def get(session: AsyncSession, submission_id: int) -> Submission | None:
    return await session.get(Submission, submission_id)


async def lock(session: AsyncSession, submission_id: int) -> Submission | None:
    """The submission, re-read and locked: the worker and the re-grade sweep may race."""
    query = (select(Submission).where(Submission.id == submission_id).with_for_update()
             .execution_options(populate_existing=True))
    return await session.scalar(query)


async def counted_observations(
    session: AsyncSession, profile_id: int, chapter_id: int
) -> list[tuple[bool, str, list | None]]:
    """(correct, question type, options) of every answer counted in progress, oldest first."""
    rows = await session.execute(
        select(Submission.correct, Question.type, Question.options)
        .join(Question, Question.id == Submission.question_id)
        .where(Submission.profile_id == profile_id, Submission.chapter_id == chapter_id,
               Submission.counted.is_(True))
        .order_by(Submission.id)
    )
    return [(bool(correct), kind, options) for correct, kind, options in rows]


async def regrade_candidates(
    session: AsyncSession, *, stale_before: datetime, limit: int
) -> list[int]:
    """Provisional grades to redo with a model, and short answers pending for too long."""
    query = (
        select(Submission.id)
        .where(or_(
            and_(Submission.status == "graded", Submission.provisional.is_(True)),
            and_(Submission.status == "pending", Submission.created_at < stale_before),
        ))
        .order_by(Submission.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def chapters_with_questions(session: AsyncSession, grade: int) -> list[tuple]:
    """(chapter id, name, subject, order) of the grade's chapters with answerable questions."""
    query = (
        select(Chapter.id, Chapter.chapter_name, Chapter.subject, Chapter.order_index)
        .join(ContentBlock, ContentBlock.chapter_id == Chapter.id)
        .join(Question, Question.content_block_id == ContentBlock.id)
        .where(Chapter.grade == grade, ContentBlock.status == "approved")
        .group_by(Chapter.id, Chapter.chapter_name, Chapter.subject, Chapter.order_index)
    )
    return list((await session.execute(query)).all())


async def progress_by_chapter(session: AsyncSession, profile_id: int) -> dict[int, tuple]:
    rows = await session.execute(
        select(StudentProgress.content_id, StudentProgress.mastery, StudentProgress.attempted)
        .where(StudentProgress.profile_id == profile_id)
    )
    return {chapter_id: (mastery, attempted) for chapter_id, mastery, attempted in rows}


async def least_answered_question(
    session: AsyncSession, *, chapter_id: int, profile_id: int
) -> Question | None:
    """The chapter's approved question this profile has answered least (then the oldest)."""
    answered = (
        select(Submission.question_id, func.count().label("n"))
        .where(Submission.profile_id == profile_id, Submission.chapter_id == chapter_id)
        .group_by(Submission.question_id)
        .subquery()
    )
    query = (
        select(Question)
        .join(ContentBlock, ContentBlock.id == Question.content_block_id)
        .outerjoin(answered, answered.c.question_id == Question.id)
        .where(ContentBlock.chapter_id == chapter_id, ContentBlock.status == "approved")
        .order_by(func.coalesce(answered.c.n, 0), Question.id)
        .limit(1)
    )
    return await session.scalar(query)
