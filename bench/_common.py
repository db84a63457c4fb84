"""Helpers shared by the events benchmarks: a claimed Redis database, process memory, medians."""

from __future__ import annotations

import contextlib
import os
import statistics
import uuid
from collections.abc import Iterator

import redis

REDIS_BASE = os.environ.get("STUDYFORGE_BENCH_REDIS", "redis://127.0.0.1:6379")
PG_ADMIN_DSN = os.environ.get("STUDYFORGE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def claimed_redis_db() -> Iterator[str]:
    """A Redis database index nobody else uses (the same lock keys as the test suite)."""
    lock = redis.Redis.from_url(f"{REDIS_BASE}/0")
    token = f"bench-{uuid.uuid4().hex}"
    # An index with clients connected but no claim is skipped: a worker left running by a run
    # that crashed still consumes that index's queues and would eat this run's messages.
    busy = {client["db"] for client in lock.client_list()}
    for index in range(15, 0, -1):
        if str(index) in busy:
            continue
        if lock.set(f"studyforge:test-lock:{index}", token, nx=True, ex=3600):
            break
    else:
        raise RuntimeError("every Redis database 1..15 is claimed or in use")
    url = f"{REDIS_BASE}/{index}"
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        redis.Redis.from_url(url).flushdb()
        if lock.get(f"studyforge:test-lock:{index}") == token.encode():
            lock.delete(f"studyforge:test-lock:{index}")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process image (MB). VmHWM, not ru_maxrss: ru_maxrss
    survives exec, so a child forked from a large parent reports the parent's size."""
    return _status_mb("VmHWM")


def rss_mb() -> float:
    """Resident memory now (MB)."""
    return _status_mb("VmRSS")


def median(values) -> float:
    return statistics.median(values)


async def connect_pg(dsn: str):
    """An asyncpg connection; other benchmarks share the server, so a moment of "too many
    clients" is waited out (up to 5 minutes)."""
    import asyncio

    import asyncpg

    for _ in range(60):
        try:
            return await asyncpg.connect(dsn)
        except asyncpg.TooManyConnectionsError:
            await asyncio.sleep(5)
    return await asyncpg.connect(dsn)


@contextlib.asynccontextmanager
async def bench_database(keep: str | None, load):
    """A PostgreSQL database for one run, as (connection, seconds ``await load(pg)`` took, or
    None when reused). ``keep`` names a database kept between runs (reused when a previous
    load finished, else reloaded); without it a throwaway one is dropped afterwards."""
    import time

    name = keep or f"studyforge_bench_{uuid.uuid4().hex[:8]}"
    admin = await connect_pg(PG_ADMIN_DSN)
    dsn = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    pg = None
    try:
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            pg = await connect_pg(dsn)
            if not await pg.fetchval("SELECT to_regclass('loaded') IS NOT NULL"):
                await pg.close()
                pg = None
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        load_s = None
        if pg is None:
            await admin.execute(f'CREATE DATABASE "{name}"')
            pg = await connect_pg(dsn)
            t = time.perf_counter()
            await load(pg)
            load_s = time.perf_counter() - t
            await pg.execute("CREATE TABLE loaded AS SELECT now() AS at")  # the load finished
        yield pg, load_s
    finally:
        if pg is not None:
            await pg.close()
        if not keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def interleaved(pg, ours_calls: dict, pg_calls: dict, runs: int) -> dict[str, list[float]]:
    """Warm medians (ms) per label: ours first, then each of ``pg_calls[label]`` (argument
    tuples for ``pg.fetch``). Rounds run ours and PostgreSQL query by query, so a burst of
    load from other work on the machine hits both alike; round 0 only warms."""
    import time

    samples = {label: [[] for _ in range(1 + len(pg_calls[label]))] for label in ours_calls}
    for round_no in range(runs + 1):
        for label, ours_call in ours_calls.items():
            t = time.perf_counter()
            ours_call()
            took = [time.perf_counter() - t]
            for call in pg_calls[label]:
                t = time.perf_counter()
                await pg.fetch(*call)
                took.append(time.perf_counter() - t)
            if round_no:
                for series, value in zip(samples[label], took, strict=True):
                    series.append(value * 1000)
    return {label: [statistics.median(s) for s in series] for label, series in samples.items()}


def add_cache_options(parser) -> None:
    """--runs, --cache and --reuse-store, as the dashboards benchmarks take them."""
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query (median)")
    parser.add_argument("--cache", help="directory keeping data, store and PG database")
    parser.add_argument("--reuse-store", action="store_true", help="with --cache: keep our store")
