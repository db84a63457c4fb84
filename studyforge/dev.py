"""``studyforge dev``: the whole system in one process on embedded defaults.

SQLite file, in-process Redis (fakeredis, shared by the API and the Dramatiq broker), Dramatiq
worker threads and the scheduler inside the API process, demo data seeded. Set
STUDYFORGE_DATABASE_URL / STUDYFORGE_REDIS_URL to use real servers instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import dramatiq
from fastapi import FastAPI

from shared.config import Settings
from shared.db import session_scope
from shared.demo import seed
from workers import resources, scheduler
from workers.broker import setup_broker


def embedded_lifespan(settings: Settings, *, threads: int = 16):
    """Run the Dramatiq worker and the scheduler beside the API, and seed the demo data."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with session_scope(app.state.sessions, app.state.dispatcher) as session:
            await seed(session)
        resources.configure(settings)
        broker = setup_broker(settings)
        import workers.actors  # noqa: F401  (declares the actors on the broker set up above)

        worker = dramatiq.Worker(broker, worker_threads=threads)
        worker.start()
        stop = asyncio.Event()
        ticker = asyncio.create_task(scheduler.run(settings, stop))
        try:
            yield
        finally:
            stop.set()
            await ticker
            await asyncio.to_thread(worker.stop)

    return lifespan
