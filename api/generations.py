from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request

from api.deps import CurrentPrincipal
from api.errors import ERROR_BODY
from shared import context
from shared.generations import service
from shared.generations.schemas import GenerationIn
from shared.group_commit import GroupCommit
from shared.jobs import service as jobs
from shared.jobs.schemas import JobAccepted

router = APIRouter(tags=["generations"])


def group_commit(app: FastAPI) -> GroupCommit:
    """Concurrent generation requests share one transaction and one Redis pipeline
    (shared/group_commit.py); made at startup, once the engine and Redis exist."""
    state = app.state

    async def handler(session, asks: list[service.Ask]):
        return await service.request_many(session, state.redis, state.settings, asks,
                                          read_cache=state.cache)

    return GroupCommit(state.sessions, state.dispatcher, handler)


@router.post("/generations", status_code=202, response_model=JobAccepted,
             responses={401: ERROR_BODY, 404: ERROR_BODY, 422: ERROR_BODY, 429: ERROR_BODY,
                        503: ERROR_BODY})
async def create(body: GenerationIn, principal: CurrentPrincipal, request: Request) -> JobAccepted:
    """Ask for an explanation or questions; returns a job id to poll or subscribe to.

    Identical finished work is served from the cache: the job comes back already succeeded.
    The 202 comes only once the job's row is committed and its message is in Redis.
    """
    ask = service.Ask(principal, body, context.request_id.get())
    return jobs.accepted(await request.app.state.generation_requests.submit(ask))
