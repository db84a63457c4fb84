"""What a chapter shows: approved content for students and parents, everything for staff."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.tokens import Principal
from shared.content import repository
from shared.content.schemas import (
    ChapterDetail,
    ContentBlockOut,
    QuestionOut,
    QuestionStaffOut,
)
from shared.curriculum import repository as curriculum_repository
from shared.errors import NotFound


async def chapter_detail(
    session: AsyncSession, principal: Principal, chapter_id: int
) -> ChapterDetail:
    chapter = await curriculum_repository.get(session, chapter_id)
    if chapter is None:
        raise NotFound("Chapter not found.")
    statuses = None if principal.is_staff else ("approved",)
    blocks = await repository.blocks_for_chapter(session, chapter_id, statuses=statuses)
    questions = await repository.questions_for_blocks(session, [b.id for b in blocks])
    question_schema = QuestionStaffOut if principal.is_staff else QuestionOut
    return ChapterDetail(
        id=chapter.id, grade=chapter.grade, subject=chapter.subject,
        chapter_name=chapter.chapter_name, order_index=chapter.order_index,
        topics=list(chapter.topics or []),
        content_blocks=[ContentBlockOut.model_validate(b) for b in blocks],
        questions=[question_schema.model_validate(q) for q in questions],
    )
