from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import CurrentPrincipal, IdPath, ParentPrincipal, SessionDep
from api.errors import ERROR_BODY
from shared.profiles import service
from shared.profiles.schemas import ProfileIn, ProfileOut, ProfilePatch

router = APIRouter(prefix="/profiles", tags=["profiles"],
                   responses={401: ERROR_BODY, 403: ERROR_BODY})


@router.post("", status_code=201, response_model=ProfileOut, responses={422: ERROR_BODY})
async def create(body: ProfileIn, principal: ParentPrincipal, session: SessionDep) -> ProfileOut:
    """Add a child profile under your account."""
    return ProfileOut.model_validate(await service.create(session, principal, body))


@router.get("", response_model=list[ProfileOut])
async def list_own(principal: ParentPrincipal, session: SessionDep) -> list[ProfileOut]:
    """Your children's profiles."""
    return [ProfileOut.model_validate(p) for p in await service.list_own(session, principal)]


@router.get("/{profile_id}", response_model=ProfileOut, responses={404: ERROR_BODY})
async def get(profile_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> ProfileOut:
    return ProfileOut.model_validate(await service.get_visible(session, principal, profile_id))


@router.patch("/{profile_id}", response_model=ProfileOut,
              responses={404: ERROR_BODY, 422: ERROR_BODY})
async def update(
    profile_id: IdPath, body: ProfilePatch, principal: ParentPrincipal, session: SessionDep
) -> ProfileOut:
    return ProfileOut.model_validate(await service.update(session, principal, profile_id, body))


@router.delete("/{profile_id}", status_code=204, responses={404: ERROR_BODY})
async def delete(profile_id: IdPath, principal: ParentPrincipal, session: SessionDep) -> Response:
    """Delete a child profile and everything stored about it."""
    await service.delete(session, principal, profile_id)
    return Response(status_code=204)
