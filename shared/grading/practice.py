"""What to practise next: a question from the least-mastered chapter of the child's grade."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.tokens import Principal
from shared.config import Settings
from shared.errors import NotFound
from shared.grading import repository
from shared.profiles import service as profiles
from shared.progress.schemas import NextQuestionOut


async def next_question(
    session: AsyncSession, settings: Settings, principal: Principal, profile_id: int
) -> NextQuestionOut:
    """Lowest BKT mastery first (an unpractised chapter sits at the prior); ties go to the
    chapter practised least, then to curriculum order. Never shows the correct answer."""
    profile = await profiles.get_visible(session, principal, profile_id)
    chapters = await repository.chapters_with_questions(session, profile.current_grade)
    if not chapters:
        raise NotFound(f"No practice questions are ready for grade {profile.current_grade} yet.")
    progress = await repository.progress_by_chapter(session, profile.id)

    def rank(chapter) -> tuple:
        mastery, attempted = progress.get(chapter.id, (None, 0))
        return (settings.bkt_prior if mastery is None else mastery, attempted,
                chapter.order_index, chapter.id)

    chapter = min(chapters, key=rank)
    question = await repository.least_answered_question(
        session, chapter_id=chapter.id, profile_id=profile.id)
    if question is None:  # its content was unpublished between the two reads
        raise NotFound(f"No practice questions are ready for grade {profile.current_grade} yet.")
    return NextQuestionOut(
        chapter_id=chapter.id, chapter_name=chapter.chapter_name, subject=chapter.subject,
        mastery=rank(chapter)[0], question_id=question.id,
        type="mcq" if question.type == "mcq" else "short", question_text=question.question_text,
        options=question.options if question.type == "mcq" else None,
        difficulty=question.difficulty,
    )
