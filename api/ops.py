"""The admin queue dashboard (API.md "Admin and operator").

Reads (queues, dead letters, history, the live feed) are for admins and operators, who run
batches and watch them; changing the queues (requeue, delete) is for admins only. Parents and
students get 403 on all of it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse

from api.deps import AdminPrincipal, RedisDep, SessionDep, SettingsDep, StaffPrincipal
from api.errors import ERROR_BODY
from shared.ops import service
from shared.ops.schemas import DashboardOut, DeadList, DeleteOut, HistoryOut, RequeueOut

log = logging.getLogger("studyforge.api")

router = APIRouter(prefix="/admin/queues", tags=["admin: queues"],
                   responses={401: ERROR_BODY, 403: ERROR_BODY, 503: ERROR_BODY})

MessageId = Annotated[str | None, Query(max_length=100, description="One message; omit for all.")]
Window = Literal["15m", "1h", "6h", "24h", "7d", "30d"]


@router.get("", response_model=DashboardOut)
async def queues(_: StaffPrincipal, redis: RedisDep, settings: SettingsDep) -> DashboardOut:
    """Per queue: ready, delayed, in flight, stranded, dead, busy and the oldest message's age;
    workers with host, pid, last heartbeat and what they run; AI provider health and cost."""
    return await service.dashboard(redis, settings)


@router.get("/history", response_model=HistoryOut, responses={422: ERROR_BODY})
async def history(_: StaffPrincipal, session: SessionDep, redis: RedisDep, settings: SettingsDep,
                  window: Window = "1h") -> HistoryOut:
    """Processed / failed / retried / dead per actor per minute (per hour beyond a day), and
    run-time and queue-wait percentiles per actor and per job kind."""
    return await service.history(session, redis, settings, window=window)


@router.get("/events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(_: StaffPrincipal, request: Request) -> EventSourceResponse:
    """Server-sent events: ``event: snapshot`` with the ``GET /admin/queues`` body every ~2 s."""
    state = request.app.state
    return EventSourceResponse(_snapshots(state.redis, state.settings), ping=15)


async def _snapshots(redis, settings):
    while True:
        try:
            snapshot = await service.dashboard(redis, settings)
            yield {"event": "snapshot", "data": snapshot.model_dump_json()}
        except Exception as exc:  # Redis away: say so and keep the stream for when it is back
            log.warning("queue snapshot failed: %s", exc)
            yield {"event": "error", "data": '{"detail": "The queue service (Redis) is unavailable."}'}
        await asyncio.sleep(settings.ops_events_seconds)


@router.get("/{name}/dead", response_model=DeadList, responses={404: ERROR_BODY, 422: ERROR_BODY})
async def dead_letters(name: str, _: StaffPrincipal, redis: RedisDep, settings: SettingsDep,
                       offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeadList:
    """Dead letters, newest first: the message, its job, its error and how often it ran."""
    return await service.dead_letters(redis, settings, name, offset=offset, limit=limit)


@router.post("/{name}/dead/requeue", response_model=RequeueOut,
             responses={404: ERROR_BODY, 422: ERROR_BODY})
async def requeue(name: str, _: AdminPrincipal, redis: RedisDep, settings: SettingsDep,
                  message_id: MessageId = None) -> RequeueOut:
    """Put one dead letter (``?message_id=``) or all of them back in the queue, retries reset."""
    return await service.requeue_dead(redis, settings, name, message_id=message_id)


@router.delete("/{name}/dead", response_model=DeleteOut, responses={404: ERROR_BODY, 422: ERROR_BODY})
async def delete(name: str, _: AdminPrincipal, redis: RedisDep, settings: SettingsDep,
                 message_id: MessageId = None) -> DeleteOut:
    """Delete one dead letter (``?message_id=``) or all of them."""
    return await service.delete_dead(redis, settings, name, message_id=message_id)
