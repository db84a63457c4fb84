"""A child's progress per chapter and the next question to practise."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentPrincipal, IdPath, SessionDep, SettingsDep
from api.errors import ERROR_BODY
from shared.grading import practice
from shared.progress import service
from shared.progress.schemas import ChapterProgressOut, NextQuestionOut

router = APIRouter(prefix="/profiles", tags=["progress"],
                   responses={401: ERROR_BODY, 404: ERROR_BODY, 422: ERROR_BODY})


@router.get("/{profile_id}/progress", response_model=list[ChapterProgressOut])
async def progress(
    profile_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> list[ChapterProgressOut]:
    """Per chapter: attempted, correct, average score, status and BKT mastery."""
    return await service.list_for(session, principal, profile_id)


@router.get("/{profile_id}/next-question", response_model=NextQuestionOut)
async def next_question(
    profile_id: IdPath, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> NextQuestionOut:
    """A question from the least-mastered chapter of the child's grade (404: none ready)."""
    return await practice.next_question(session, settings, principal, profile_id)
