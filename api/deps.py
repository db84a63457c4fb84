"""Request dependencies: the unit of work, the caller, and role guards.

The session dependency has ``scope="function"`` so it commits when the endpoint returns and
*before* the response is sent: a client that gets a 202 can read its job at once. Jobs enqueued
during the request are sent only after that commit (shared.queue).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.tokens import Principal, verify_cached
from shared.config import Settings
from shared.db import session_scope
from shared.errors import Forbidden, Unauthorized
from shared.types import MAX_ID

# Set in the ASGI scope by api.hot when it has already counted the request for the rate limit.
RATE_COUNTED = "studyforge.rate_counted"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    async with session_scope(state.sessions, state.dispatcher) as session:
        yield session


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_redis(request: Request):
    return request.app.state.redis


async def get_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise Unauthorized()
    settings = request.app.state.settings
    principal = verify_cached(settings, token)
    request.state.principal = principal
    if request.scope.get(RATE_COUNTED):
        return principal  # api.hot counted this request before handing it on
    await request.app.state.request_limiter.take(principal.user_id)
    return principal


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
RedisDep = Annotated[object, Depends(get_redis)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str):
    """A dependency that lets only these roles through (403 otherwise: the role never may)."""

    async def guard(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
        return principal

    return guard


StaffPrincipal = Annotated[Principal, Depends(require_roles("admin", "operator"))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
ParentPrincipal = Annotated[Principal, Depends(require_roles("parent"))]


# A row id in a path: positive and within PostgreSQL's INTEGER (else a clear 422).
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
