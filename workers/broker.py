"""The Dramatiq broker: Redis (or the embedded fakeredis server), tuned for fast redelivery."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

from shared.config import Settings
from shared.redis import sync_client
from workers.ops import OpsMiddleware
from workers.resources import ResourcesMiddleware


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
    broker.add_middleware(AsyncIO())
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
