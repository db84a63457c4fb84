"""Redis clients for every process, real or embedded.

With ``STUDYFORGE_REDIS_URL`` set, clients connect to that server. Without it (the embedded
default of ``studyforge dev``) every client in the process shares one in-process fakeredis
server, so the API, the Dramatiq broker and the workers still see the same keys.
"""

from __future__ import annotations

import threading

import fakeredis
import redis
import redis.asyncio as aioredis

from shared.config import Settings

_fake_server: fakeredis.FakeServer | None = None
_fake_lock = threading.Lock()


def _embedded_server() -> fakeredis.FakeServer:
    global _fake_server
    with _fake_lock:
        if _fake_server is None:
            _fake_server = fakeredis.FakeServer()
        return _fake_server


def sync_client(settings: Settings) -> redis.Redis:
    """A blocking client (Dramatiq's broker, the CLI, sync actors)."""
    if settings.embedded_redis:
        return fakeredis.FakeRedis(server=_embedded_server())
    return redis.Redis.from_url(
        settings.redis_url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
    )


def async_client(settings: Settings) -> aioredis.Redis:
    """An asyncio client bound to the caller's event loop (API, async actors)."""
    if settings.embedded_redis:
        return fakeredis.FakeAsyncRedis(server=_embedded_server())
    # redis-py's async pool holds 100 connections and *raises* when they are all busy; a worker
    # with hundreds of jobs in flight needs more, and a brief wait beats a failed job.
    pool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url, max_connections=settings.redis_max_connections, timeout=10,
        socket_timeout=5, socket_connect_timeout=2, health_check_interval=30,
    )
    return aioredis.Redis.from_pool(pool)
