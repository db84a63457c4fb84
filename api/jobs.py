from __future__ import annotations

import json

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse

from api.deps import CurrentPrincipal, SessionDep
from api.errors import ERROR_BODY
from api.sse import status_stream
from shared.jobs import repository
from shared.jobs import service as jobs
from shared.jobs.models import FINAL_STATUSES
from shared.jobs.schemas import JobOut

router = APIRouter(prefix="/jobs", tags=["jobs"],
                   responses={401: ERROR_BODY, 404: ERROR_BODY})

# Pub/sub is the fast path; this re-read of the row is the safety net for a missed message.
RECHECK_SECONDS = 5.0


@router.get("/{job_id}", response_model=JobOut)
async def get(job_id: str, principal: CurrentPrincipal, session: SessionDep) -> JobOut:
    """A job's status, progress, result or error."""
    return jobs.to_out(await jobs.get_visible(session, principal, job_id))


@router.get("/{job_id}/events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(job_id: str, principal: CurrentPrincipal, request: Request):
    """Server-sent events: ``event: status`` with the job at every change, until it is final."""
    state = request.app.state
    async with state.sessions() as session:
        await jobs.get_visible(session, principal, job_id)
    return EventSourceResponse(_stream(state, job_id), ping=15)


async def _current(state, job_id: str) -> str:
    async with state.sessions() as session:
        return jobs.to_out(await repository.get(session, job_id)).model_dump_json()


def _stream(state, job_id: str):
    return status_stream(state.redis, jobs.channel(job_id), lambda: _current(state, job_id),
                         lambda last: json.loads(last)["status"] in FINAL_STATUSES,
                         recheck_seconds=RECHECK_SECONDS)
