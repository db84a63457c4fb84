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
