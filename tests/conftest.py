"""Test isolation on the machine's real services.

Every test run gets its own PostgreSQL database (created, migrated, dropped) and its own
Redis database index (claimed with a lock key so parallel runs never share one), so the suite
can run beside a developer's services and other runs.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis

PG_ADMIN_DSN = os.environ.get("STUDYFORGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("STUDYFORGE_TEST_REDIS", "redis://127.0.0.1:6379")


def _claim_redis_db() -> tuple[int, str]:
    lock_client = redis.Redis.from_url(f"{REDIS_BASE}/0")
    token = uuid.uuid4().hex
    for index in range(1, 16):
        if lock_client.set(f"studyforge:test-lock:{index}", token, nx=True, ex=3600):
            return index, token
    raise RuntimeError("all Redis databases 1..15 are claimed by other test runs")


@pytest.fixture(scope="session")
def redis_url():
    index, token = _claim_redis_db()
    url = f"{REDIS_BASE}/{index}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    lock_client = redis.Redis.from_url(f"{REDIS_BASE}/0")
    if lock_client.get(f"studyforge:test-lock:{index}") == token.encode():
        lock_client.delete(f"studyforge:test-lock:{index}")


@pytest.fixture(scope="session")
def pg_url():
    """A fresh, migrated PostgreSQL database for this run (asyncpg URL)."""
    import asyncio

    import asyncpg

    name = f"studyforge_test_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    from shared.config import Settings
    from shared.migrate import upgrade

    upgrade(Settings(database_url=url, environment="development"))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# ---------------------------------------------------------------------------------------------
# The API on real PostgreSQL + Redis, in-process over ASGI.

TEST_SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session")
def settings(pg_url, redis_url, tmp_path_factory):
    from shared.config import Settings

    return Settings(
        environment="test", database_url=pg_url, redis_url=redis_url, jwt_secret=TEST_SECRET,
        data_dir=str(tmp_path_factory.mktemp("data")),
    )


@pytest.fixture(scope="session")
async def app(settings):
    from api.app import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def client(app):
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
        yield c


@pytest.fixture(scope="session")
async def api(client, settings):
    """A small driver for the API: accounts, tokens and a sample curriculum."""
    from tests.driver import ApiDriver

    driver = ApiDriver(client, settings)
    await driver.bootstrap()
    return driver
