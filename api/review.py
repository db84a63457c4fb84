"""Content review: held and draft content, approved or rejected by an admin.

Operators may read the list (they run batches and want to see what is waiting); only admins
decide, since a decision changes what children see.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import AdminPrincipal, IdPath, SessionDep, StaffPrincipal
from api.errors import ERROR_BODY
from shared.content import service
from shared.content.schemas import ReviewDecision, ReviewItem

router = APIRouter(prefix="/admin/review", tags=["review"],
                   responses={401: ERROR_BODY, 403: ERROR_BODY})


@router.get("", response_model=list[ReviewItem], responses={422: ERROR_BODY})
async def review_list(
    _: StaffPrincipal, session: SessionDep, limit: int = Query(default=200, ge=1, le=1000)
) -> list[ReviewItem]:
    """Blocks held by moderation or awaiting review (oldest first), with their questions."""
    return await service.review_list(session, limit=limit)


@router.post("/{content_block_id}/approve", response_model=ReviewDecision,
             responses={404: ERROR_BODY, 422: ERROR_BODY})
async def approve(
    content_block_id: IdPath, principal: AdminPrincipal, session: SessionDep
) -> ReviewDecision:
    """Show this block (and its questions) to students."""
    return await service.decide(session, principal, content_block_id, "approved")


@router.post("/{content_block_id}/reject", response_model=ReviewDecision,
             responses={404: ERROR_BODY, 422: ERROR_BODY})
async def reject(
    content_block_id: IdPath, principal: AdminPrincipal, session: SessionDep
) -> ReviewDecision:
    """Never show this block to students; identical requests generate anew."""
    return await service.decide(session, principal, content_block_id, "rejected")
