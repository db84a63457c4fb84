"""The scheduler process: enqueues periodic jobs; several schedulers never double-send.

Each periodic job takes a Redis lock for its interval before sending, so running a second
scheduler (for availability) does not run the work twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from shared.config import Settings
from shared.queue import Dispatcher, send_now
from shared.redis import async_client

log = logging.getLogger("studyforge.scheduler")


@dataclass(frozen=True)
class Periodic:
    actor: str
    every_seconds: float
    queue_name: str = "default"


def schedule(settings: Settings) -> list[Periodic]:
    return [
        Periodic("jobs.reap", settings.reaper_interval_seconds, "ops"),
        Periodic("events.flush", settings.events_flush_interval_seconds, "events"),
        Periodic("events.compact", settings.events_compact_interval_seconds, "events"),
        Periodic("grading.regrade_provisional", settings.grading_regrade_interval_seconds,
                 "grading"),
    ]


async def tick(redis, dispatcher: Dispatcher, periodic: list[Periodic]) -> list[str]:
    """Send each periodic job whose interval lock is free; returns the actors sent."""
    sent = []
    for item in periodic:
        # Namespaced like the broker, so two systems sharing one Redis do not block each other.
        lock = f"{dispatcher.namespace}:studyforge:schedule:{item.actor}"
        if await redis.set(lock, "1", nx=True, px=int(item.every_seconds * 1000)):
            await send_now(dispatcher, item.actor, queue_name=item.queue_name)
            sent.append(item.actor)
    return sent


async def run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Tick until ``stop`` is set (or forever)."""
    stop = stop or asyncio.Event()
    redis = async_client(settings)
    dispatcher = Dispatcher(redis, settings.broker_namespace)
    periodic = schedule(settings)
    log.info("scheduler running: %s", ", ".join(p.actor for p in periodic))
    try:
        while not stop.is_set():
            try:
                await tick(redis, dispatcher, periodic)
            except Exception:  # Redis blips must not kill the scheduler
                log.exception("scheduler tick failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.scheduler_tick_seconds)
    finally:
        await redis.aclose()
