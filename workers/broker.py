"""The Dramatiq broker: Redis (or the embedded fakeredis server), tuned for fast redelivery."""

from __future__ import annotations

import asyncio

import dramatiq
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

from shared.config import Settings
from shared.redis import sync_client
from workers.ops import OpsMiddleware
from workers.resources import ResourcesMiddleware


class QuietAsyncIO(AsyncIO):
    """Dramatiq's AsyncIO middleware with a calmer interrupt check.

    Each worker thread waiting on an async actor wakes every ``interrupt_check_ival`` to look
    for an interrupt (a time limit, shutdown). At Dramatiq's 0.1 s, 256 threads wake 2,560
    times a second, each taking the GIL from the event loop that runs the jobs; 1 s is plenty
    for 10-minute time limits and a graceful stop.
    """

    interrupt_check_ival = 1.0

    def before_worker_boot(self, broker, worker):
        thread = EventLoopThread(self.logger, interrupt_check_ival=self.interrupt_check_ival)
        thread.loop.close()
        thread.loop = new_event_loop()
        thread.start(timeout=1.0)
        set_event_loop_thread(thread)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it exists: all jobs of a worker process share one event loop thread, and
    the stock loop's own overhead was the largest single share of a job's CPU after the
    database (docs/benchmarks.md, "AI orchestration")."""
    try:
        import uvloop
    except ImportError:  # Windows: uvloop does not exist there
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def setup_broker(settings: Settings) -> RedisBroker:
    """Create the broker and make it global; call before importing actor modules."""
    broker = RedisBroker(
        client=sync_client(settings),
        namespace=settings.broker_namespace,
        # Dramatiq's defaults (60 s, 1/1000 calls) brought a killed worker's messages back only
        # after 5-21 minutes here; these brought them back in ~18 s (docs/BASELINES.md).
        heartbeat_timeout=settings.broker_heartbeat_timeout_ms,
        maintenance_chance=settings.broker_maintenance_chance,
    )
    broker.add_middleware(QuietAsyncIO())
    # Registry, counters, correlation ids (docs/operations.md).
    broker.add_middleware(OpsMiddleware(settings))
    broker.add_middleware(ResourcesMiddleware())
    previous = dramatiq.broker.global_broker
    dramatiq.set_broker(broker)
    if previous is not None:
        # Actor modules bind to the broker that was global when first imported; a second
        # embedded app in one process (tests) would otherwise run a worker with no actors.
        for actor in list(previous.actors.values()):
            actor.broker = broker
            broker.declare_actor(actor)
    return broker
