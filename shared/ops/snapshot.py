"""Read the queues and workers straight from Dramatiq's Redis layout, in three round trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from shared.ops import registry
from shared.ops.keys import DEFAULT_QUEUE, Keys
from shared.ops.schemas import CurrentMessage, QueueOut, WorkerOut


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _at(ms: float | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


async def known_queues(redis, keys: Keys) -> list[str]:
    """``default`` plus every queue a worker declared when it booted."""
    names = {_text(q) for q in await redis.smembers(keys.queues)}
    return sorted(names | {DEFAULT_QUEUE})


def ready_since_ms(encoded: bytes | str | None) -> float | None:
    """When a message became ready: its enqueue time, or its eta if it was delayed."""
    if not encoded:
        return None
    try:
        data = json.loads(encoded)
    except ValueError:
        return None
    return max(float(data.get("message_timestamp") or 0), float(data.get("options", {}).get("eta") or 0))


async def queues_and_workers(redis, keys: Keys, *, now_ms: int,
                             heartbeat_timeout_ms: int) -> tuple[list[QueueOut], list[WorkerOut]]:
    beats, infos = await registry.read(redis, keys)
    alive = registry.alive_ids(beats, now_ms=now_ms, heartbeat_timeout_ms=heartbeat_timeout_ms)
    queues = await known_queues(redis, keys)

    pipe = redis.pipeline(transaction=False)
    for q in queues:
        pipe.llen(keys.queue(q))
        pipe.hlen(keys.delayed_msgs(q))
        pipe.zcard(keys.dead(q))
        pipe.lindex(keys.queue(q), 0)
        for worker_id in beats:
            pipe.scard(keys.acks(worker_id, q))
    raw = await pipe.execute()

    heads, stats = {}, {}
    per_queue = 4 + len(beats)
    for i, q in enumerate(queues):
        ready, delayed, dead, head, *acked = raw[i * per_queue:(i + 1) * per_queue]
        live = sum(n for w, n in zip(beats, acked, strict=True) if w in alive)
        stranded = sum(n for w, n in zip(beats, acked, strict=True) if w not in alive)
        stats[q] = (ready, delayed, dead, live, stranded)
        if head:
            heads[q] = _text(head)

    oldest: dict[str, float | None] = {}
    if heads:
        pipe = redis.pipeline(transaction=False)
        for q, message_id in heads.items():
            pipe.hget(keys.msgs(q), message_id)
        for q, encoded in zip(heads, await pipe.execute(), strict=True):
            since = ready_since_ms(encoded)
            oldest[q] = None if since is None else round(max(0.0, now_ms - since) / 1000, 3)

    workers = _workers(beats, infos, alive)
    busy: dict[str, int] = {}
    for worker in workers:
        if worker.alive:
            for current in worker.current:
                busy[current.queue] = busy.get(current.queue, 0) + 1
    out = [
        QueueOut(name=q, ready=ready, delayed=delayed, in_flight=live, stranded=stranded, dead=dead,
                 busy=busy.get(q, 0), oldest_age_seconds=oldest.get(q))
        for q, (ready, delayed, dead, live, stranded) in stats.items()
    ]
    return out, workers


def _workers(beats: dict[str, float], infos: dict[str, dict], alive: set[str]) -> list[WorkerOut]:
    out = []
    for worker_id in sorted(set(beats) | set(infos)):
        info = infos.get(worker_id, {})
        is_alive = worker_id in alive
        out.append(WorkerOut(
            id=worker_id, hostname=info.get("hostname"), pid=info.get("pid"),
            started_at=info.get("started_at"), last_seen=_at(beats.get(worker_id)),
            alive=is_alive, queues=info.get("queues", []), threads=info.get("threads"),
            # A dead worker's last report would claim jobs it no longer runs.
            current=[CurrentMessage(**c) for c in info.get("current", [])] if is_alive else [],
        ))
    out.sort(key=lambda w: (not w.alive, w.hostname or "", w.pid or 0))
    return out
