"""Cache hits answered before the router (api/hot.py): same answers, same errors, same limits."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from sqlalchemy import delete

from api.app import create_app
from shared import cache
from shared.auth import tokens
from shared.auth.tokens import Principal, issue
from shared.cache import PREFIX, ReadCache
from shared.content.models import ContentBlock
from shared.db import create_engine, session_factory, session_scope
from shared.queue import Dispatcher
from shared.redis import async_client
from tests.driver import bearer


async def test_hit_is_the_routes_answer_and_errors_still_come_from_the_route(api, client):
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    parent, _ = await api.parent()
    miss = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    hit = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert (miss.headers["x-cache"], hit.headers["x-cache"]) == ("miss", "hit")
    assert hit.content == miss.content and hit.headers["content-type"] == "application/json"
    # The middlewares around the router still run for a hit.
    assert hit.headers["x-request-id"] and hit.headers["x-content-type-options"] == "nosniff"

    assert (await client.get(f"/chapters/{chapter_id}")).status_code == 401
    r = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent + "x"))
    assert r.status_code == 401 and "log in again" in r.json()["detail"]
    assert (await client.get("/chapters/0", headers=bearer(parent))).status_code == 422
    assert (await client.get("/chapters/99999999999", headers=bearer(parent))).status_code == 422
    assert (await client.get("/chapters/1999999999", headers=bearer(parent))).status_code == 404


async def test_staff_and_learners_never_share_a_hit(api, client):
    chapter_id = await api.chapter_id(grade=5, subject="Math")
    parent, _ = await api.parent()
    staff = await client.get(f"/chapters/{chapter_id}", headers=bearer(api.admin_token))
    learner = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert staff.headers["x-cache"] == "miss" and learner.headers["x-cache"] == "miss"
    again = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert again.headers["x-cache"] == "hit" and again.content == learner.content


async def test_rate_limit_counts_each_request_once_on_hits_and_misses(api, settings):
    app = create_app(settings.model_copy(update={"request_rate_limit": 4,
                                                 "request_rate_window_seconds": 2}))
    chapter_id = await api.chapter_id(grade=3, subject="English")
    parent, _ = await api.parent()
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as c:
        time.sleep(2 - time.time() % 2 + 0.01)  # a burst inside one fixed window
        # A miss goes through to the route after the hot path counted it: counted once.
        answers = [await c.get(f"/chapters/{chapter_id}", headers=bearer(parent)) for _ in range(5)]
        assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
        assert [r.headers.get("x-cache") for r in answers[:4]] == ["miss", "hit", "hit", "hit"]
        assert 1 <= int(answers[4].headers["retry-after"]) <= 3
        assert "slow down" in answers[4].json()["detail"]


async def test_local_copy_is_never_served_after_another_process_writes(api, client, settings):
    """Two API processes share Redis: a write committed through one is seen by the other."""
    chapter_id = await api.chapter_id(grade=4, subject="English")
    parent, _ = await api.parent()
    await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert (await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))).headers["x-cache"] == "hit"

    engine = create_engine(settings)
    redis = async_client(settings)
    async with session_scope(session_factory(engine), Dispatcher(redis)) as session:  # "process 2"
        block = ContentBlock(chapter_id=chapter_id, type="explanation", content_json={"t": 2},
                             ai_model_used="offline/template-v1", status="approved")
        session.add(block)
        await session.flush()
        cache.invalidate(cache.chapter_key(chapter_id))
    seen = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert seen.headers["x-cache"] == "miss" and block.id in [b["id"] for b in seen.json()["content_blocks"]]

    # Rejected (deleted here) through process 2: gone from process 1's next answer.
    async with session_scope(session_factory(engine), Dispatcher(redis)) as session:
        await session.execute(delete(ContentBlock).where(ContentBlock.id == block.id))
        cache.invalidate(cache.chapter_key(chapter_id))
    gone = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert block.id not in [b["id"] for b in gone.json()["content_blocks"]]
    await redis.aclose()
    await engine.dispose()


async def test_lost_version_key_does_not_revive_an_old_copy(settings):
    """If Redis loses a version key (flush, eviction), the next version is new, never reused."""
    redis = async_client(settings)
    reader, writer = ReadCache(redis), ReadCache(redis)
    name = f"test-lost-{time.time_ns()}"
    version, value = await reader.get(name, "v")
    assert value is None
    await reader.put(name, "v", version, b"old")
    assert await reader.get(name, "v") == (version, b"old")
    await cache.bump(redis, name)  # a write: the copy is old now
    await redis.delete(f"{PREFIX}:ver:{name}")  # then Redis loses the version key
    new_version, value = await reader.get(name, "v")
    assert new_version != version and value is None  # neither copy of b"old" is served
    await writer.put(name, "v", new_version, b"new")
    assert await reader.get(name, "v") == (new_version, b"new")
    await redis.aclose()


async def test_remembered_token_still_expires(settings):
    now = int(time.time())
    token = jwt.encode({"sub": "7", "role": "parent", "iat": now, "exp": now + 2},
                       settings.jwt_secret, algorithm=settings.jwt_algorithm)
    assert tokens.verify_cached(settings, token).user_id == 7  # now remembered
    time.sleep(now + 2.05 - time.time())
    with pytest.raises(tokens.Unauthorized, match="expired"):
        tokens.verify_cached(settings, token)


def test_remembered_token_is_bound_to_its_secret(settings):
    token, _ = issue(settings, Principal(user_id=7, role="parent"))
    assert tokens.verify_cached(settings, token).user_id == 7
    other = settings.model_copy(update={"jwt_secret": "another-secret-" + "y" * 40})
    with pytest.raises(tokens.Unauthorized):
        tokens.verify_cached(other, token)
