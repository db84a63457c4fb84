"""Batches: operators pre-generate a grade (API.md "Batches")."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request, Response
from sse_starlette import EventSourceResponse

from api.deps import IdPath, SessionDep, SettingsDep, StaffPrincipal
from api.errors import ERROR_BODY
from api.sse import status_stream
from shared.batches import service
from shared.batches.schemas import BatchIn, BatchOut, BatchPlan

router = APIRouter(prefix="/batches", tags=["batches"],
                   responses={401: ERROR_BODY, 403: ERROR_BODY, 422: ERROR_BODY})

# Pub/sub is the fast path; re-reading the row is the safety net for a missed message.
RECHECK_SECONDS = 2.0


@router.post("", status_code=202, response_model=BatchPlan,
             responses={200: {"description": "Dry run: the plan, nothing created",
                              "model": BatchPlan}})
async def start(body: BatchIn, principal: StaffPrincipal, session: SessionDep,
                settings: SettingsDep, response: Response) -> BatchPlan:
    """Fan out one generation job per (chapter x kind) of a grade; ``dry_run`` only plans.

    Chapters with approved content of a kind are skipped unless ``force``. A batch with nothing
    to run is created already ``succeeded``.
    """
    plan = await service.start(session, settings, principal, body)
    if body.dry_run:
        response.status_code = 200
    return plan


@router.get("", response_model=list[BatchOut])
async def recent(_: StaffPrincipal, session: SessionDep,
                 limit: int = Query(default=50, ge=1, le=500)) -> list[BatchOut]:
    """The newest batches first."""
    return await service.recent(session, limit=limit)


@router.get("/{batch_id}", response_model=BatchOut, responses={404: ERROR_BODY})
async def get(batch_id: IdPath, _: StaffPrincipal, session: SessionDep) -> BatchOut:
    """A batch's status, counts and cost."""
    return await service.get(session, batch_id)


@router.post("/{batch_id}/cancel", response_model=BatchOut,
             responses={404: ERROR_BODY, 409: ERROR_BODY})
async def cancel(batch_id: IdPath, principal: StaffPrincipal, session: SessionDep) -> BatchOut:
    """Stop what has not started; items already running finish. 409 once it has ended."""
    return await service.cancel(session, batch_id, by=f"{principal.role} #{principal.user_id}")


@router.post("/{batch_id}/retry-failed", response_model=BatchOut, responses={404: ERROR_BODY})
async def retry_failed(batch_id: IdPath, _: StaffPrincipal, session: SessionDep) -> BatchOut:
    """Run the failed items again (only those); without failures nothing changes."""
    return await service.retry_failed(session, batch_id)


@router.get("/{batch_id}/events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}}, 404: ERROR_BODY})
async def events(batch_id: IdPath, _: StaffPrincipal, request: Request):
    """Server-sent events: ``event: status`` with the batch at every change, until it has ended."""
    state = request.app.state
    async with state.sessions() as session:
        await service.get(session, batch_id)
    return EventSourceResponse(_stream(state, batch_id), ping=15)


async def _current(state, batch_id: int) -> str:
    async with state.sessions() as session:
        return (await service.get(session, batch_id)).model_dump_json()


def _ended(data: str) -> bool:
    batch = json.loads(data)
    return batch["status"] != "running" and batch["finished_at"] is not None


def _stream(state, batch_id: int):
    return status_stream(state.redis, service.channel(batch_id), lambda: _current(state, batch_id),
                         _ended, recheck_seconds=RECHECK_SECONDS)
