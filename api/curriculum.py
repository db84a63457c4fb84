from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import TypeAdapter

from api.caching import cached_json
from api.deps import CurrentPrincipal, IdPath, SessionDep, StaffPrincipal
from api.errors import ERROR_BODY
from shared import cache
from shared.auth.tokens import Principal
from shared.content import service as content
from shared.content.schemas import ChapterDetail
from shared.curriculum import repository, service
from shared.curriculum.schemas import ChapterOut, CurriculumImport, ImportResult

router = APIRouter(tags=["curriculum"], responses={401: ERROR_BODY})
_chapters = TypeAdapter(list[ChapterOut])


@router.post("/curriculum/import", response_model=ImportResult,
             responses={403: ERROR_BODY, 422: ERROR_BODY})
async def import_curriculum(
    body: CurriculumImport, _: StaffPrincipal, session: SessionDep
) -> ImportResult:
    """Upsert grades, subjects and chapters; importing the same file twice changes nothing."""
    return await service.import_curriculum(session, body)


@router.get("/curriculum", response_model=list[ChapterOut], responses={422: ERROR_BODY})
async def list_curriculum(
    request: Request, _: CurrentPrincipal,
    grade: int | None = Query(default=None, ge=0, le=12),
    subject: str | None = Query(default=None, max_length=80, pattern=r"^[^\x00]*$"),
):
    """Chapters, in order, of a grade (and subject)."""

    async def load() -> bytes:
        async with request.app.state.sessions() as session:
            rows = await repository.list_chapters(session, grade=grade, subject=subject)
        return _chapters.dump_json([ChapterOut.model_validate(c) for c in rows])

    return await cached_json(request, cache.CURRICULUM, f"{grade}|{subject}", load)


@router.get("/chapters/{chapter_id}", response_model=ChapterDetail, responses={404: ERROR_BODY})
async def chapter(chapter_id: IdPath, request: Request, principal: CurrentPrincipal):
    """A chapter with its content; students and parents see approved content only."""

    async def load() -> bytes:
        # No request-wide unit of work: a cache hit should not even open a session.
        async with request.app.state.sessions() as session:
            detail = await content.chapter_detail(session, principal, chapter_id)
        return detail.model_dump_json().encode()

    return await cached_json(request, *chapter_slot(principal, chapter_id), load)


def chapter_slot(principal: Principal, chapter_id: int) -> tuple[str, str]:
    """The cache entry (name, variant) of a chapter as ``principal`` may see it (also api.hot)."""
    # Staff see every review state and the answers; everyone else the approved view.
    return cache.chapter_key(chapter_id), "staff" if principal.is_staff else "learner"
