"""Per-child daily generation caps and per-account request rates: 429 with Retry-After."""

from __future__ import annotations

import uuid

import httpx
import pytest

from api.app import create_app
from tests.driver import bearer


@pytest.fixture
async def limited_client(settings):
    # Its own queue: the jobs it leaves queued must not be run by a later test's worker (they
    # used to take the fake LLM's scripted replies meant for tests/content).
    app = create_app(settings.model_copy(update={"daily_generation_limit": 3, "request_rate_limit": 0,
                                                 "broker_namespace": f"limits-{uuid.uuid4().hex[:8]}"}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t/api/v1") as c:
        yield c


async def test_daily_cap_and_parent_lowering_it(api, limited_client):
    parent, _ = await api.parent()
    student, profile_id = await api.child(parent)
    chapter_id = await api.chapter_id(grade=4, subject="English")
    body = {"kind": "explanation", "chapter_id": chapter_id, "force": True}
    for _ in range(3):
        assert (await limited_client.post("/generations", json=body, headers=bearer(student))).status_code == 202
    r = await limited_client.post("/generations", json=body, headers=bearer(student))
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 86400
    assert "today's limit" in r.json()["detail"]

    # A parent lowers the cap for a sibling to 1; a parent cannot raise it above the default.
    sibling, sibling_id = await api.child(parent, name="Kim")
    r = await limited_client.patch(f"/profiles/{sibling_id}", headers=bearer(parent),
                                   json={"daily_generation_limit": 1})
    assert r.json()["daily_generation_limit"] == 1
    assert (await limited_client.post("/generations", json=body, headers=bearer(sibling))).status_code == 202
    assert (await limited_client.post("/generations", json=body, headers=bearer(sibling))).status_code == 429
    await limited_client.patch(f"/profiles/{sibling_id}", headers=bearer(parent),
                               json={"daily_generation_limit": 50})
    # min(default 3, 50) = 3: two more today.
    assert (await limited_client.post("/generations", json=body, headers=bearer(sibling))).status_code == 202
    r = await limited_client.patch(f"/profiles/{sibling_id}", headers=bearer(parent),
                                   json={"daily_generation_limit": -1})
    assert r.status_code == 422


async def test_request_rate_limit_per_account_resets(api, settings):
    import time

    app = create_app(settings.model_copy(update={"request_rate_limit": 5,
                                                 "request_rate_window_seconds": 2}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as c:
            parent, _ = await api.parent()
            other, _ = await api.parent()
            # Fixed windows: start at the beginning of one, so the burst cannot straddle two.
            time.sleep(2 - time.time() % 2 + 0.01)
            codes = [(await c.get("/me", headers=bearer(parent))).status_code for _ in range(6)]
            assert codes == [200] * 5 + [429]
            r = await c.get("/me", headers=bearer(parent))
            assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 3
            assert (await c.get("/me", headers=bearer(other))).status_code == 200  # per account
            # Fixed windows: once the next one starts, the account may call again.
            time.sleep(int(r.headers["retry-after"]))
            assert (await c.get("/me", headers=bearer(parent))).status_code == 200
