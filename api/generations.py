from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentPrincipal, RedisDep, SessionDep, SettingsDep
from api.errors import ERROR_BODY
from shared.generations import service
from shared.generations.schemas import GenerationIn
from shared.jobs import service as jobs
from shared.jobs.schemas import JobAccepted

router = APIRouter(tags=["generations"])


@router.post("/generations", status_code=202, response_model=JobAccepted,
             responses={401: ERROR_BODY, 404: ERROR_BODY, 422: ERROR_BODY, 429: ERROR_BODY,
                        503: ERROR_BODY})
async def create(
    body: GenerationIn, principal: CurrentPrincipal, session: SessionDep, redis: RedisDep,
    settings: SettingsDep,
) -> JobAccepted:
    """Ask for an explanation or questions; returns a job id to poll or subscribe to.

    Identical finished work is served from the cache: the job comes back already succeeded.
    """
    return jobs.accepted(await service.request(session, redis, settings, principal, body))
