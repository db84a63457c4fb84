"""Per-event-loop resources for async actors: engine, sessions, Redis, the after-commit sender.

Dramatiq runs async actors on one event loop thread per worker process; asyncpg connections
and redis.asyncio clients belong to the loop that made them, so resources are made lazily on
that loop and reused by every actor running there.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass

from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pipelines.ai import providers
from shared.config import Settings, get_settings
from shared.db import create_engine, session_factory
from shared.queue import Dispatcher
from shared.redis import async_client


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: object
    dispatcher: Dispatcher


# Keyed by the loop object itself: an id() can be reused by the next loop once the old one is
# gone, which handed a new embedded app the previous app's database engine.
_by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_settings: Settings | None = None


def configure(settings: Settings) -> None:
    """Use these settings instead of the environment's (``studyforge dev``, tests)."""
    global _settings
    _settings = settings


def settings() -> Settings:
    """The settings actors run with (sync actors need no event-loop resources)."""
    return _settings or get_settings()


def current() -> Resources:
    loop = asyncio.get_running_loop()
    res = _by_loop.get(loop)
    wanted = _settings or get_settings()
    if res is None or res.settings is not wanted:
        engine = create_engine(wanted)
        redis = async_client(wanted)
        res = Resources(wanted, engine, session_factory(engine), redis,
                        Dispatcher(redis, wanted.broker_namespace))
        _by_loop[loop] = res
    return res


async def close_all() -> None:
    for res in list(_by_loop.values()):
        await res.redis.aclose()
        await res.engine.dispose()
    _by_loop.clear()


class ResourcesMiddleware(Middleware):
    """Warm the worker before its first job and close its connections when it stops.

    Added after Dramatiq's AsyncIO middleware: "after" hooks run in reverse order, so ours
    runs while the event loop is still there to close clients on.
    """

    def after_worker_boot(self, broker, worker) -> None:
        providers.preload(settings())

    def after_worker_shutdown(self, broker, worker) -> None:
        thread = get_event_loop_thread()
        if thread is not None:
            thread.run_coroutine(_close_loop_resources())


async def _close_loop_resources() -> None:
    await providers.close_providers()
    await close_all()
