"""Dashboards over the Parquet store (DuckDB, in a thread), a student's timeline, and the
admin's "flush now".

``POST /admin/flush`` runs the flush pipeline itself, in a thread: the contract promises the
counts in the answer, and waiting on a worker's reply would need a result store for one call.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request

from api.deps import CurrentPrincipal, IdPath, SessionDep, StaffPrincipal
from api.errors import ERROR_BODY
from pipelines.ai import reports as ai_reports
from pipelines.events import history, reports
from pipelines.events.flush import flush_all
from pipelines.events.lock import LockBusy
from pipelines.events.store import Store
from shared.errors import AppError, NotFound, ServiceUnavailable
from shared.profiles import service as profiles
from shared.redis import sync_client

router = APIRouter(tags=["analytics"], responses={401: ERROR_BODY, 403: ERROR_BODY})

Start = Annotated[date | None, Query(description="First day (ISO date), inclusive.")]
End = Annotated[date | None, Query(description="Last day (ISO date), inclusive.")]


def store_of(request: Request) -> Store:
    state = request.app.state
    if getattr(state, "parquet_store", None) is None:
        state.parquet_store = Store.from_settings(state.settings)
    return state.parquet_store


def _check_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise AppError("start must not be after end.", status_code=422)


@router.get("/admin/analytics/{report}", responses={404: ERROR_BODY, 422: ERROR_BODY})
async def analytics(
    report: str, request: Request, _: StaffPrincipal, start: Start = None, end: End = None
) -> dict[str, list]:
    """A dashboard report: ``{columns, rows}``; start/end default to the last 30 days."""
    if report not in reports.REPORTS:
        raise NotFound(f"No report {report!r}; choose one of: {', '.join(reports.REPORTS)}.")
    _check_range(start, end)
    return await reports.run_report(store_of(request), report, start=start, end=end)


@router.get("/admin/ai-history", responses={422: ERROR_BODY})
async def ai_history(
    request: Request,
    _: StaffPrincipal,
    since: datetime | None = None,
    model: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Every model attempt since ``since`` (default 24 h), newest first.

    Flushed attempts come from Parquet, the rest from the Redis stream the AI chain appends
    to, so an attempt is listed as soon as it happened.
    """
    since = since or datetime.now(UTC) - timedelta(days=1)
    flushed = await history.recent_async(store_of(request), since=since, model=model, limit=limit)
    buffered = await ai_reports.recent_history(request.app.state.redis, since=since,
                                               model=model, limit=limit)
    seen = {row["request_id"] for row in flushed}
    fields = history.COLUMNS_OUT
    rows = flushed + [
        {**{name: value for name, value in row.model_dump().items() if name in fields},
         "timestamp": row.timestamp.isoformat()}
        for row in buffered if row.request_id not in seen
    ]
    rows.sort(key=lambda row: (datetime.fromisoformat(row["timestamp"]), row["request_id"]),
              reverse=True)
    return rows[:limit]


@router.post("/admin/flush", responses={503: ERROR_BODY})
async def flush(request: Request, _: StaffPrincipal) -> dict[str, int]:
    """Flush buffered events, AI history and task runs to Parquet now: ``{events, ai_history,
    ai_runs, files}``."""
    settings = request.app.state.settings
    store = store_of(request)

    def run() -> dict[str, int]:
        client = sync_client(settings)
        try:
            return flush_all(
                client, store, batch_entries=settings.events_flush_batch_entries,
                max_rows_per_file=settings.events_max_rows_per_file,
                lock_ttl=settings.events_lock_ttl_seconds, lock_wait=30.0,
            )
        finally:
            client.close()

    try:
        return await anyio.to_thread.run_sync(run)
    except LockBusy:
        raise ServiceUnavailable(
            "A flush or compaction has held the event store for 30 s; try again shortly.",
            headers={"Retry-After": "10"},
        ) from None


@router.get("/profiles/{profile_id}/activity", responses={404: ERROR_BODY, 422: ERROR_BODY})
async def activity(
    profile_id: IdPath,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    start: Start = None,
    end: End = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """A child's interaction timeline, newest first (its parent, the child itself, an admin)."""
    await profiles.get_visible(session, principal, profile_id)
    _check_range(start, end)
    return await reports.timeline_async(
        store_of(request), profile_id, start=start, end=end, limit=limit
    )
