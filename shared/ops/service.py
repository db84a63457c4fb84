"""The admin queue dashboard: what the queues, workers and jobs are doing, and fixes for it."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings
from shared.errors import AppError, NotFound
from shared.jobs import repository as jobs_repository
from shared.ops import dead, providers, snapshot, stats
from shared.ops.keys import Keys
from shared.ops.schemas import (
    DashboardOut,
    DeadList,
    DeleteOut,
    HistoryOut,
    LatencyRow,
    Pct,
    RequeueOut,
    Series,
)

QUEUE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def _keys(settings: Settings) -> Keys:
    return Keys(settings.broker_namespace)


async def dashboard(redis, settings: Settings, ai: providers.AIReaders | None = None) -> DashboardOut:
    """Queues, workers, and (once the AI chain reports them) provider health and today's cost."""
    now_ms = int(time.time() * 1000)
    queues, workers = await snapshot.queues_and_workers(
        redis, _keys(settings), now_ms=now_ms,
        heartbeat_timeout_ms=settings.broker_heartbeat_timeout_ms)
    return DashboardOut(
        queues=queues, workers=workers,
        providers=await providers.health(redis, settings, ai),
        ai_cost_today_usd=await providers.cost_today(redis, settings, ai),
        heartbeat_timeout_seconds=settings.broker_heartbeat_timeout_ms / 1000,
        generated_at=datetime.fromtimestamp(now_ms / 1000, UTC),
    )


async def checked_queue(redis, settings: Settings, name: str) -> str:
    """``name`` if it is a queue we know (declared by a worker, or holding dead letters)."""
    if not QUEUE_NAME.match(name):
        raise AppError("A queue name is 1-100 letters, digits, '.', '_' or '-'.", status_code=422)
    keys = _keys(settings)
    if name in await snapshot.known_queues(redis, keys) or await redis.exists(keys.dead(name)):
        return name
    raise NotFound(f"No queue named {name!r}.")


async def dead_letters(redis, settings: Settings, name: str, *, offset: int, limit: int) -> DeadList:
    queue = await checked_queue(redis, settings, name)
    return await dead.listing(redis, _keys(settings), queue, offset=offset, limit=limit)


async def requeue_dead(redis, settings: Settings, name: str, *, message_id: str | None) -> RequeueOut:
    queue = await checked_queue(redis, settings, name)
    moved, remaining = await dead.requeue(redis, _keys(settings), queue, message_id=message_id)
    return RequeueOut(requeued=moved, remaining=remaining)


async def delete_dead(redis, settings: Settings, name: str, *, message_id: str | None) -> DeleteOut:
    queue = await checked_queue(redis, settings, name)
    return DeleteOut(deleted=await dead.delete(redis, _keys(settings), queue, message_id=message_id))


def _pct(p: stats.Percentiles) -> Pct:
    return Pct(p50=p.p50, p95=p.p95, p99=p.p99)


async def history(session: AsyncSession, redis, settings: Settings, *, window: str) -> HistoryOut:
    """Outcome counts per actor per bucket, and run-time / queue-wait percentiles."""
    seconds = stats.WINDOWS[window]
    now = time.time()
    raw = await stats.history(redis, _keys(settings), window_seconds=seconds, now=now)
    series = [Series(actor=actor, **counts) for actor, counts in sorted(raw["series"].items())]

    latency = [
        LatencyRow(source="worker", name=actor, count=run.count, run_ms=_pct(run), wait_ms=_pct(wait))
        for actor, (run, wait) in sorted(
            (await stats.sample_percentiles(redis, _keys(settings), since=now - seconds)).items())
    ]
    since = datetime.fromtimestamp(now - seconds, UTC)
    per_kind: dict[str, tuple[list[float], list[float]]] = {}
    for kind, created, started, finished in await jobs_repository.timings_since(session, since=since):
        run, wait = per_kind.setdefault(kind, ([], []))
        run.append(max(timedelta(0), finished - started).total_seconds() * 1000)
        wait.append(max(timedelta(0), started - created).total_seconds() * 1000)
    for kind, (run, wait) in sorted(per_kind.items()):
        run_p, wait_p = stats.percentiles(run), stats.percentiles(wait)
        latency.append(LatencyRow(source="jobs", name=kind, count=run_p.count, run_ms=_pct(run_p),
                                  wait_ms=_pct(wait_p)))
    return HistoryOut(
        window=window, step_seconds=raw["step_seconds"],
        bucket_starts=[datetime.fromtimestamp(s, UTC) for s in raw["starts"]],
        series=series, latency=latency,
    )
