"""What a chapter shows, how generated content is saved, and the review workflow.

Students and parents only ever see ``approved`` blocks and the questions inside them; staff
see every state. Moderation-flagged content is saved ``held``; unflagged content is
``approved`` at once, or a ``draft`` when auto-approval is off. Every write that changes what
a chapter shows invalidates its read cache after the commit.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared import cache
from shared.auth.tokens import Principal
from shared.content import repository
from shared.content.models import AWAITING_REVIEW, ContentBlock
from shared.content.schemas import (
    ChapterDetail,
    ContentBlockOut,
    QuestionOut,
    QuestionRecord,
    QuestionStaffOut,
    ReviewDecision,
    ReviewItem,
)
from shared.curriculum import repository as curriculum_repository
from shared.db import utcnow
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


def initial_status(*, flagged: bool, auto_approve: bool) -> str:
    """Where new content starts: held if flagged, else approved or a draft for review."""
    if flagged:
        return "held"
    return "approved" if auto_approve else "draft"


async def save_generated(
    session: AsyncSession,
    *,
    chapter_id: int,
    job_id: str,
    type: str,
    content_json: dict,
    model: str,
    moderation: dict,
    status: str,
    questions: list[QuestionRecord] = (),
) -> tuple[int, list[int]]:
    """Store a generated block and its questions; (block id, question ids). Readers see them
    after the caller's commit."""
    block_id = await repository.add_block(
        session, chapter_id=chapter_id, type=type, content_json=content_json,
        ai_model_used=model, status=status, job_id=job_id, moderation=moderation,
    )
    question_ids = await repository.add_questions(session, [
        {**question.model_dump(mode="json"), "content_block_id": block_id}
        for question in questions
    ])
    cache.invalidate(cache.chapter_key(chapter_id))
    return block_id, question_ids


async def review_list(session: AsyncSession, *, limit: int = 200) -> list[ReviewItem]:
    """Held and draft blocks, oldest first, with their questions and answers."""
    blocks = await repository.blocks_with_status(session, AWAITING_REVIEW, limit=limit)
    questions = await repository.questions_for_blocks(session, [b.id for b in blocks])
    by_block: dict[int, list[QuestionStaffOut]] = {}
    for question in questions:
        by_block.setdefault(question.content_block_id, []).append(
            QuestionStaffOut.model_validate(question))
    return [
        ReviewItem(
            id=b.id, chapter_id=b.chapter_id, type=b.type, status=b.status,
            content_json=b.content_json, ai_model_used=b.ai_model_used, created_at=b.created_at,
            reason=_reason(b), moderation=b.moderation, job_id=b.job_id,
            questions=by_block.get(b.id, []),
        )
        for b in blocks
    ]


def _reason(block: ContentBlock) -> str | None:
    reasons = (block.moderation or {}).get("reasons") or []
    if reasons:
        return "; ".join(reasons)
    return "awaiting review" if block.status == "draft" else None


async def decide(
    session: AsyncSession, principal: Principal, block_id: int, status: str
) -> ReviewDecision:
    """Approve or reject a block (any state; deciding twice the same way changes nothing)."""
    block = await repository.get_block(session, block_id)
    if block is None:
        raise NotFound(f"Content block {block_id} not found.")
    if block.status != status:
        block.status = status
        block.reviewed_by = principal.user_id
        block.reviewed_at = utcnow()
        await session.flush()
        cache.invalidate(cache.chapter_key(block.chapter_id))
    return ReviewDecision(id=block.id, chapter_id=block.chapter_id, status=block.status,
                          reviewed_by=block.reviewed_by, reviewed_at=block.reviewed_at)

