from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import CurrentPrincipal, SessionDep, StaffPrincipal
from api.errors import ERROR_BODY
from shared.content import service as content
from shared.content.schemas import ChapterDetail
from shared.curriculum import repository, service
from shared.curriculum.schemas import ChapterOut, CurriculumImport, ImportResult

router = APIRouter(tags=["curriculum"], responses={401: ERROR_BODY})


@router.post("/curriculum/import", response_model=ImportResult,
             responses={403: ERROR_BODY, 422: ERROR_BODY})
async def import_curriculum(
    body: CurriculumImport, _: StaffPrincipal, session: SessionDep
) -> ImportResult:
    """Upsert grades, subjects and chapters; importing the same file twice changes nothing."""
    return await service.import_curriculum(session, body)


@router.get("/curriculum", response_model=list[ChapterOut], responses={422: ERROR_BODY})
async def list_curriculum(
    _: CurrentPrincipal, session: SessionDep,
    grade: int | None = Query(default=None, ge=0, le=12),
    subject: str | None = Query(default=None, max_length=80),
) -> list[ChapterOut]:
    """Chapters, in order, of a grade (and subject)."""
    rows = await repository.list_chapters(session, grade=grade, subject=subject)
    return [ChapterOut.model_validate(c) for c in rows]


@router.get("/chapters/{chapter_id}", response_model=ChapterDetail, responses={404: ERROR_BODY})
async def chapter(chapter_id: int, principal: CurrentPrincipal, session: SessionDep):
    """A chapter with its content; students and parents see approved content only."""
    return await content.chapter_detail(session, principal, chapter_id)
