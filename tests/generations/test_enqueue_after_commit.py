"""Jobs are sent to Redis only after their transaction commits, and never on rollback."""

from __future__ import annotations

import dramatiq
import pytest
import redis as redis_lib
from sqlalchemy import select

from shared.auth.tokens import Principal
from shared.db import create_engine, session_factory, session_scope
from shared.jobs import service as jobs
from shared.jobs.models import Job
from shared.queue import Dispatcher
from shared.redis import async_client


class Boom(Exception):
    pass


@pytest.fixture
async def unit(settings):
    engine = create_engine(settings)
    redis = async_client(settings)
    namespace = "enqueue-test"
    sync = redis_lib.Redis.from_url(settings.redis_url)
    sync.delete(f"{namespace}:default", f"{namespace}:default.msgs")
    yield session_factory(engine), Dispatcher(redis, namespace), sync, namespace
    await redis.aclose()
    await engine.dispose()



async def test_rolled_back_unit_enqueues_nothing(api, unit):
    sessions, dispatcher, sync, ns = unit
    principal = Principal(user_id=None, role="admin")
    with pytest.raises(Boom):
        async with session_scope(sessions, dispatcher) as session:
            job = await jobs.create(session, principal, kind="explanation",
                                    actor="generations.generate", payload={})
            job_id = job.id
            raise Boom
    assert sync.llen(f"{ns}:default") == 0
    assert sync.hlen(f"{ns}:default.msgs") == 0
    async with sessions() as session:
        assert await session.scalar(select(Job).where(Job.id == job_id)) is None


async def test_committed_unit_sends_a_dramatiq_message(api, unit):
    sessions, dispatcher, sync, ns = unit
    principal = Principal(user_id=None, role="admin")
    async with session_scope(sessions, dispatcher) as session:
        job = await jobs.create(session, principal, kind="explanation",
                                actor="generations.generate", payload={})
        # Nothing is sent before the commit.
        assert sync.llen(f"{ns}:default") == 0
    assert sync.llen(f"{ns}:default") == 1
    redis_id = sync.lindex(f"{ns}:default", 0)
    message = dramatiq.Message.decode(sync.hget(f"{ns}:default.msgs", redis_id))
    assert message.actor_name == "generations.generate"
    assert message.kwargs == {"job_id": job.id}
    assert message.options["redis_message_id"] == redis_id.decode()
