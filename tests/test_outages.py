"""Redis or the database down: a clear 503 naming what is down, never a 500."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from tests.driver import bearer
from tests.processes import free_port


@pytest.fixture
async def app_without(settings):
    async def make(**overrides):
        app = create_app(settings.model_copy(update=overrides))
        return app

    return make


async def _call(app, method, path, **kwargs):
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await c.request(method, path, **kwargs)


async def test_redis_down(api, app_without):
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    app = await app_without(redis_url=dead_redis)
    r = await _call(app, "GET", "/readyz")
    assert r.status_code == 503
    assert "redis is down" in r.json()["detail"] and r.json()["checks"]["database"] is None

    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    chapter_id = await api.chapter_id()
    r = await _call(app, "POST", "/api/v1/generations", headers=bearer(student),
                    json={"kind": "explanation", "chapter_id": chapter_id, "force": True})
    assert r.status_code == 503
    assert "Redis" in r.json()["detail"]


async def test_database_down(api, app_without):
    dead_db = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nope"
    app = await app_without(database_url=dead_db)
    r = await _call(app, "GET", "/readyz")
    assert r.status_code == 503 and "database is down" in r.json()["detail"]
    parent, _ = await api.parent()
    r = await _call(app, "GET", "/api/v1/profiles", headers=bearer(parent))
    assert r.status_code == 503
    assert "database is unavailable" in r.json()["detail"]
