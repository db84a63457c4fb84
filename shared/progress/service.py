"""Progress per student and chapter: counts, average score and the BKT mastery estimate.

Called inside the unit of work that stores a grade, so the grade and its progress update
commit together (or not at all).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings
from shared.db import utcnow
from shared.profiles import service as profiles
from shared.progress import bkt, repository
from shared.progress.models import StudentProgress
from shared.progress.schemas import ChapterProgressOut


def params(settings: Settings) -> bkt.Params:
    return bkt.Params(prior=settings.bkt_prior, learn=settings.bkt_learn,
                      slip=settings.bkt_slip, guess=settings.bkt_guess)


def _settle(row: StudentProgress, settings: Settings) -> None:
    mastered = row.mastery is not None and row.mastery >= settings.bkt_mastery_threshold
    if mastered:
        row.status = "completed"
        row.completed_at = row.completed_at or utcnow()
    else:
        # A re-grade can take mastery back below the line; the chapter is then open again.
        row.status = "in_progress" if row.attempted else "not_started"
        row.completed_at = None
    row.updated_at = utcnow()


async def record_answer(
    session: AsyncSession, settings: Settings, *, profile_id: int, chapter_id: int,
    score: int, correct: bool, guess: float,
) -> StudentProgress:
    """Count one newly graded answer and move the chapter's mastery estimate."""
    row = await repository.lock_row(session, profile_id, chapter_id)
    before = row.attempted
    row.attempted = before + 1
    row.correct = row.correct + int(correct)
    row.score = ((row.score or 0.0) * before + score) / row.attempted
    prior = params(settings)
    row.mastery = bkt.update(row.mastery if row.mastery is not None else prior.prior, correct,
                             prior.with_guess(guess))
    _settle(row, settings)
    await session.flush()
    return row


async def replace_answer(
    session: AsyncSession, settings: Settings, *, profile_id: int, chapter_id: int,
    old: tuple[int, bool], new: tuple[int, bool], observations: Iterable[tuple[bool, float]],
) -> StudentProgress:
    """Swap an answer's counted grade for a new one (a provisional score re-graded).

    BKT depends on the order of answers, so mastery is traced again over ``observations``
    (every counted answer of the chapter, oldest first, with the new grade in place).
    """
    row = await repository.lock_row(session, profile_id, chapter_id)
    (old_score, old_correct), (new_score, new_correct) = old, new
    if row.attempted:
        row.score = ((row.score or 0.0) * row.attempted - old_score + new_score) / row.attempted
        row.correct = max(0, row.correct - int(old_correct) + int(new_correct))
    row.mastery = bkt.trace(observations, params(settings))
    _settle(row, settings)
    await session.flush()
    return row


async def list_for(session: AsyncSession, principal, profile_id: int) -> list[ChapterProgressOut]:
    """A child's progress per chapter, for its parent or the student itself (others: 404)."""
    profile = await profiles.get_visible(session, principal, profile_id)
    return [
        ChapterProgressOut(
            chapter_id=row.content_id, attempted=row.attempted, correct=row.correct,
            average_score=None if row.score is None else round(row.score, 2),
            status=row.status if row.status in ("in_progress", "completed") else "not_started",
            completed_at=row.completed_at,
            mastery=None if row.mastery is None else round(row.mastery, 4),
        )
        for row in await repository.for_profile(session, profile.id)
    ]
