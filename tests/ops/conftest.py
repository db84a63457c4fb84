"""An API and a Redis client on a broker namespace of their own, so counts are ours alone."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from api.app import create_app
from shared.ops.keys import Keys


def ops_settings_for(settings, **overrides):
    values = {"broker_namespace": f"ops-{uuid.uuid4().hex[:8]}", "broker_heartbeat_timeout_ms": 3000,
              "reaper_running_grace_seconds": 0.0}
    values.update(overrides)
    return settings.model_copy(update=values)


@pytest.fixture
async def ops(settings):
    """(settings, in-process client at /api/v1, async Redis) on a fresh namespace."""
    ops_settings = ops_settings_for(settings)
    app = create_app(ops_settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as client:
        yield ops_settings, client, app.state.redis


async def operator_token(api) -> str:
    from shared.auth import service
    from shared.db import create_engine, session_factory, session_scope

    email = f"operator-{uuid.uuid4().hex[:8]}@example.org"
    engine = create_engine(api.settings)
    async with session_scope(session_factory(engine), None) as session:
        await service.register(session, email=email, password="operator-pw", role="operator")
    await engine.dispose()
    return await api.login(email, "operator-pw")


async def ready_job_ids(redis, namespace: str, queue: str = "default") -> list[str]:
    """The job ids of the messages waiting in a queue, read from Dramatiq's layout directly."""
    keys = Keys(namespace)
    ids = await redis.lrange(keys.queue(queue), 0, -1)
    bodies = await redis.hmget(keys.msgs(queue), ids) if ids else []
    return [json.loads(b)["kwargs"].get("job_id") for b in bodies if b]
