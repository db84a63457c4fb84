from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse

from api.deps import CurrentPrincipal, SessionDep
from api.errors import ERROR_BODY
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


async def _stream(state, job_id: str):
    pubsub = state.redis.pubsub()
    await pubsub.subscribe(jobs.channel(job_id))
    try:
        # Subscribe first, then read the row: no change can fall between the two.
        last = await _current(state, job_id)
        yield {"event": "status", "data": last}
        while json.loads(last)["status"] not in FINAL_STATUSES:
            message = await pubsub.get_message(ignore_subscribe_messages=True,
                                               timeout=RECHECK_SECONDS)
            if message is None:
                data = await _current(state, job_id)
            else:
                raw = message["data"]
                data = raw.decode() if isinstance(raw, bytes) else raw
            if data != last:
                last = data
                yield {"event": "status", "data": data}
            await asyncio.sleep(0)
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
