"""The admin queue dashboard (API.md "Admin and operator").

Reads (queues, dead letters, history, the live feed) are for admins and operators, who run
batches and watch them; changing the queues (requeue, delete) is for admins only. Parents and
students get 403 on all of it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse

from api.analytics import store_of
from api.deps import AdminPrincipal, RedisDep, SessionDep, SettingsDep, StaffPrincipal
from api.errors import ERROR_BODY
from pipelines.ai import reports as ai_reports
from pipelines.events import reports as events_reports
from shared.ops import service
from shared.ops.providers import AIReaders
from shared.ops.schemas import DashboardOut, DeadList, DeleteOut, HistoryOut, RequeueOut

log = logging.getLogger("studyforge.api")

router = APIRouter(prefix="/admin/queues", tags=["admin: queues"],
                   responses={401: ERROR_BODY, 403: ERROR_BODY, 503: ERROR_BODY})

MessageId = Annotated[str | None, Query(max_length=100, description="One message; omit for all.")]
Window = Literal["15m", "1h", "6h", "24h", "7d", "30d"]


@router.get("", response_model=DashboardOut)
async def queues(_: StaffPrincipal, request: Request, redis: RedisDep,
                 settings: SettingsDep) -> DashboardOut:
    """Per queue: ready, delayed, in flight, stranded, dead, busy and the oldest message's age;
    workers with host, pid, last heartbeat and what they run; AI provider health and cost."""
    return await service.dashboard(redis, settings, _ai_readers(request))


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
    return EventSourceResponse(_snapshots(state.redis, state.settings, _ai_readers(request)),
                               ping=15)


def _ai_readers(request: Request) -> AIReaders:
    """Provider health from the AI chain's Redis stats; today's spend from AI history."""
    store = store_of(request)

    async def health(redis, settings) -> list[dict]:
        stats = await ai_reports.provider_stats(redis, window_seconds=settings.ai_stats_window_seconds)
        return [s.model_dump(mode="json") for s in stats]

    async def cost_today(redis, settings) -> float:
        today = datetime.now(UTC).date()
        flushed = await events_reports.run_report(store, "ai-cost", start=today, end=today)
        cost_at = flushed["columns"].index("cost_usd")
        total = sum(row[cost_at] or 0 for row in flushed["rows"])
        # Attempts not yet flushed to Parquet are still in the stream (the flush deletes what
        # it wrote; an entry caught between the two is counted once more, for a moment).
        midnight = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
        buffered = await ai_reports.recent_history(redis, since=midnight, limit=100_000)
        return round(total + sum(row.cost or 0 for row in buffered), 6)

    return AIReaders(health=health, cost_today=cost_today)


async def _snapshots(redis, settings, ai: AIReaders):
    while True:
        try:
            snapshot = await service.dashboard(redis, settings, ai)
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
