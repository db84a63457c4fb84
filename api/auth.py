from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentPrincipal, ParentPrincipal, RedisDep, SessionDep, SettingsDep
from api.errors import ERROR_BODY
from shared.auth import repository as users
from shared.auth import service
from shared.auth.schemas import MeOut, ProfileTokenIn, RegisterIn, TokenOut, UserOut
from shared.auth.tokens import Principal, issue
from shared.errors import Unauthorized
from shared.profiles import repository as profiles_repository
from shared.profiles import service as profiles

router = APIRouter(prefix="/auth", tags=["auth"])
me_router = APIRouter(tags=["auth"])


@router.post("/register", status_code=201, response_model=UserOut,
             responses={409: ERROR_BODY, 422: ERROR_BODY})
async def register(body: RegisterIn, session: SessionDep) -> UserOut:
    """Create a parent account."""
    user = await service.register(session, email=body.email, password=body.password)
    return UserOut.model_validate(user)


@router.post("/token", response_model=TokenOut, responses={401: ERROR_BODY, 429: ERROR_BODY})
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep, redis: RedisDep, settings: SettingsDep,
) -> TokenOut:
    """Log in with email and password (OAuth2 password flow)."""
    user = await service.authenticate(
        session, redis, settings, email=form.username, password=form.password
    )
    access_token, expires_in = issue(settings, service.principal_for(user))
    return TokenOut(access_token=access_token, expires_in=expires_in)


@router.post("/profile-token", response_model=TokenOut,
             responses={401: ERROR_BODY, 403: ERROR_BODY, 404: ERROR_BODY})
async def profile_token(
    body: ProfileTokenIn, principal: ParentPrincipal, session: SessionDep, settings: SettingsDep
) -> TokenOut:
    """A token for one of your children, acting as that student."""
    profile = await profiles.get_owned(session, principal, body.profile_id)
    student = Principal(user_id=principal.user_id, role="student", profile_id=profile.id)
    access_token, expires_in = issue(settings, student)
    return TokenOut(access_token=access_token, expires_in=expires_in)


@me_router.get("/me", response_model=MeOut, response_model_exclude_none=True,
               responses={401: ERROR_BODY})
async def me(principal: CurrentPrincipal, session: SessionDep) -> MeOut:
    """Who this token speaks for."""
    if principal.role == "student":
        profile = await profiles_repository.get(session, principal.profile_id)
        if profile is None or profile.parent_id != principal.user_id:
            raise Unauthorized("This child profile no longer exists: pick a profile again.")
        return MeOut(role="student", profile_id=profile.id, display_name=profile.display_name,
                     current_grade=profile.current_grade)
    user = await users.get(session, principal.user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.")
    return MeOut(id=user.id, email=user.email, role=user.role)
