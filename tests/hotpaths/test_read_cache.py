"""The Redis read cache: hits skip the database, and every write is visible on the next read."""

from __future__ import annotations

from sqlalchemy import update

from shared import cache
from shared.content.models import ContentBlock
from shared.db import create_engine, session_factory, session_scope
from shared.queue import Dispatcher
from shared.redis import async_client
from tests.driver import bearer


async def test_curriculum_hit_then_invalidated_by_import(api, client):
    parent, _ = await api.parent()
    params = {"grade": 11}
    body = {"grades": [{"grade": 11, "subjects": [{"name": "Physics", "chapters": [
        {"name": "Waves", "topics": ["frequency"]}]}]}]}
    await client.post("/curriculum/import", json=body, headers=bearer(api.admin_token))
    first = await client.get("/curriculum", params=params, headers=bearer(parent))
    second = await client.get("/curriculum", params=params, headers=bearer(parent))
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert first.json() == second.json() and [c["chapter_name"] for c in first.json()] == ["Waves"]

    body["grades"][0]["subjects"][0]["chapters"].insert(0, {"name": "Optics", "topics": []})
    r = await client.post("/curriculum/import", json=body, headers=bearer(api.admin_token))
    assert r.json() == {"created": 1, "updated": 1}
    after = await client.get("/curriculum", params=params, headers=bearer(parent))
    assert after.headers["x-cache"] == "miss"
    assert [c["chapter_name"] for c in after.json()] == ["Optics", "Waves"]


async def test_chapter_cache_is_per_audience_and_invalidated_after_commit(api, client, settings):
    chapter_id = await api.chapter_id(grade=5, subject="English")
    parent, _ = await api.parent()
    r1 = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    r2 = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert (r1.headers["x-cache"], r2.headers["x-cache"]) == ("miss", "hit")
    staff = await client.get(f"/chapters/{chapter_id}", headers=bearer(api.admin_token))
    assert staff.headers["x-cache"] == "miss"  # staff have their own entry

    engine = create_engine(settings)
    redis = async_client(settings)
    dispatcher = Dispatcher(redis, settings.broker_namespace)
    async with session_scope(session_factory(engine), dispatcher) as session:
        block = ContentBlock(chapter_id=chapter_id, type="explanation", content_json={"t": 1},
                             ai_model_used="offline/template-v1", status="approved")
        session.add(block)
        await session.flush()
        cache.invalidate(cache.chapter_key(chapter_id))
        # Not committed yet: readers still get the old cached answer, which is still true.
        mid = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
        assert mid.headers["x-cache"] == "hit"
    seen = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert seen.headers["x-cache"] == "miss"
    assert block.id in [b["id"] for b in seen.json()["content_blocks"]]

    # Held by review: gone from the learners' view on the very next read.
    async with session_scope(session_factory(engine), dispatcher) as session:
        await session.execute(update(ContentBlock).where(ContentBlock.id == block.id).values(status="rejected"))
        cache.invalidate(cache.chapter_key(chapter_id))
    hidden = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert block.id not in [b["id"] for b in hidden.json()["content_blocks"]]
    await redis.aclose()
    await engine.dispose()


async def test_rolled_back_write_does_not_invalidate(api, client, settings):
    chapter_id = await api.chapter_id(grade=3, subject="Math")
    parent, _ = await api.parent()
    await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    engine = create_engine(settings)
    redis = async_client(settings)
    try:
        async with session_scope(session_factory(engine), Dispatcher(redis)) as _session:
            cache.invalidate(cache.chapter_key(chapter_id))
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    again = await client.get(f"/chapters/{chapter_id}", headers=bearer(parent))
    assert again.headers["x-cache"] == "hit"
    await redis.aclose()
    await engine.dispose()
