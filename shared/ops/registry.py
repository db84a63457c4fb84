"""Who each worker process is and what it runs right now.

Dramatiq's heartbeat is a bare worker id in a sorted set. Each worker process also publishes
``{id, hostname, pid, started_at, queues, threads, current}`` under its id with a TTL (the
worker middleware refreshes it every few seconds and whenever a message starts), so the
dashboard can show pid, host and running jobs, and the reaper can tell which running jobs have
a live worker behind them. Liveness itself is still decided by Dramatiq's heartbeat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from shared.ops.keys import Keys


@dataclass
class WorkerInfo:
    id: str
    hostname: str
    pid: int
    started_at: str
    queues: list[str]
    threads: int
    current: list[dict] = field(default_factory=list)

    def to_json(self, published_ms: int) -> str:
        return json.dumps({**self.__dict__, "published_ms": published_ms})


def publish(pipe, keys: Keys, info: WorkerInfo, *, now_ms: int, ttl_seconds: int) -> None:
    """Queue the registry writes on ``pipe`` (sync or async)."""
    pipe.set(keys.worker(info.id), info.to_json(now_ms), ex=ttl_seconds)
    pipe.zadd(keys.workers, {info.id: now_ms})
    # Forget workers silent for a day, so the index stays small.
    pipe.zremrangebyscore(keys.workers, 0, now_ms - 86_400_000)


def withdraw(pipe, keys: Keys, worker_id: str) -> None:
    pipe.delete(keys.worker(worker_id))
    pipe.zrem(keys.workers, worker_id)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def read(redis, keys: Keys) -> tuple[dict[str, float], dict[str, dict]]:
    """(heartbeats id -> last seen ms, registry entries id -> info) for every known worker."""
    pipe = redis.pipeline(transaction=False)
    pipe.zrange(keys.heartbeats, 0, -1, withscores=True)
    pipe.zrange(keys.workers, 0, -1)
    beats_raw, registered = await pipe.execute()
    beats = {_text(member): float(score) for member, score in beats_raw}
    ids = sorted(set(beats) | {_text(m) for m in registered})
    infos: dict[str, dict] = {}
    if ids:
        for worker_id, raw in zip(ids, await redis.mget([keys.worker(i) for i in ids]), strict=True):
            if raw:
                infos[worker_id] = json.loads(raw)
    return beats, infos


def alive_ids(beats: dict[str, float], *, now_ms: int, heartbeat_timeout_ms: int) -> set[str]:
    return {w for w, seen in beats.items() if seen >= now_ms - heartbeat_timeout_ms}


async def running_job_ids(redis, keys: Keys, *, now_ms: int, heartbeat_timeout_ms: int) -> set[str]:
    """Job ids that a live worker says it is running."""
    beats, infos = await read(redis, keys)
    alive = alive_ids(beats, now_ms=now_ms, heartbeat_timeout_ms=heartbeat_timeout_ms)
    return {c["job_id"] for w in alive for c in infos.get(w, {}).get("current", []) if c.get("job_id")}
