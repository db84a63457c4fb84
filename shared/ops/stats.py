"""Per-actor counters and durations kept in Redis by the worker middleware.

Why Redis and not per-process Prometheus registries: every worker process on every host adds
into the same keys, so the API can serve both the dashboard's history and ``/metrics`` for the
whole fleet from one place, with no multiprocess directory or extra port per worker host
(docs/operations.md). One message costs one pipelined round trip.

Counters per minute (kept 49 h) and per hour (kept 35 days) feed the history graph; running
totals and bucketed durations feed Prometheus; a capped list of recent samples per actor gives
run-time and queue-wait percentiles.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from shared.ops.keys import Keys

OUTCOMES = ("processed", "failed", "retried", "dead")
MINUTE_TTL = 49 * 3600
HOUR_TTL = 35 * 86400
SAMPLES_KEPT = 1000
# Seconds; jobs here run from tens of milliseconds (offline) to minutes (slow providers).
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def bucket_label(seconds: float) -> str:
    index = bisect.bisect_left(BUCKETS, seconds)
    return "+Inf" if index == len(BUCKETS) else repr(BUCKETS[index])


def record(pipe, keys: Keys, actor: str, outcome: str, *, now: float,
           run_s: float | None = None, wait_s: float | None = None) -> None:
    """Queue the writes for one outcome onto ``pipe`` (a sync or async pipeline)."""
    field = f"{actor}|{outcome}"
    minute, hour = int(now // 60) * 60, int(now // 3600) * 3600
    pipe.hincrby(keys.stats_minute(minute), field, 1)
    pipe.expire(keys.stats_minute(minute), MINUTE_TTL)
    pipe.hincrby(keys.stats_hour(hour), field, 1)
    pipe.expire(keys.stats_hour(hour), HOUR_TTL)
    pipe.hincrby(keys.stats_totals, field, 1)
    pipe.sadd(keys.actors, actor)
    if run_s is None:
        return
    wait_s = max(0.0, wait_s or 0.0)
    for kind, value in (("run", run_s), ("wait", wait_s)):
        pipe.hincrby(keys.stats_durations, f"{actor}|{kind}|{bucket_label(value)}", 1)
        pipe.hincrbyfloat(keys.stats_durations, f"{actor}|{kind}|sum", value)
    pipe.lpush(keys.samples(actor), f"{int(now * 1000)} {run_s * 1000:.1f} {wait_s * 1000:.1f}")
    pipe.ltrim(keys.samples(actor), 0, SAMPLES_KEPT - 1)


# --- reading (API) -------------------------------------------------------------------------

WINDOWS = {"15m": 900, "1h": 3600, "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400,
           "30d": 30 * 86400}


def step_for(window_seconds: int) -> int:
    """Minute buckets up to a day, hour buckets beyond (what is kept)."""
    return 60 if window_seconds <= 86400 else 3600


async def history(redis, keys: Keys, *, window_seconds: int, now: float) -> dict:
    """Per actor, per bucket counts of each outcome over the window, oldest bucket first."""
    step = step_for(window_seconds)
    last = int(now // step) * step
    starts = list(range(last - window_seconds + step, last + step, step))
    pipe = redis.pipeline(transaction=False)
    for start in starts:
        pipe.hgetall(keys.stats_minute(start) if step == 60 else keys.stats_hour(start))
    buckets = await pipe.execute()
    series: dict[str, dict[str, list[int]]] = {}
    for i, bucket in enumerate(buckets):
        for raw_field, raw_count in bucket.items():
            field = raw_field.decode() if isinstance(raw_field, bytes) else raw_field
            actor, _, outcome = field.rpartition("|")
            if outcome not in OUTCOMES:
                continue
            per_actor = series.setdefault(actor, {o: [0] * len(starts) for o in OUTCOMES})
            per_actor[outcome][i] = int(raw_count)
    return {"step_seconds": step, "starts": starts, "series": series}


@dataclass(frozen=True)
class Percentiles:
    count: int
    p50: float | None
    p95: float | None
    p99: float | None


def percentiles(values: list[float]) -> Percentiles:
    """Nearest-rank percentiles (no interpolation: every figure is a real observation)."""
    if not values:
        return Percentiles(0, None, None, None)
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))], 1)

    return Percentiles(len(ordered), rank(50), rank(95), rank(99))


async def sample_percentiles(redis, keys: Keys, *, since: float) -> dict[str, tuple[Percentiles,
                                                                                   Percentiles]]:
    """Run-time and queue-wait percentiles (ms) per actor from the recent samples."""
    actors = sorted(a.decode() if isinstance(a, bytes) else a for a in await redis.smembers(keys.actors))
    pipe = redis.pipeline(transaction=False)
    for actor in actors:
        pipe.lrange(keys.samples(actor), 0, -1)
    out = {}
    for actor, rows in zip(actors, await pipe.execute(), strict=True):
        run, wait = [], []
        for row in rows:
            ts, run_ms, wait_ms = (row.decode() if isinstance(row, bytes) else row).split()
            if int(ts) / 1000 >= since:
                run.append(float(run_ms))
                wait.append(float(wait_ms))
        if run:
            out[actor] = (percentiles(run), percentiles(wait))
    return out
