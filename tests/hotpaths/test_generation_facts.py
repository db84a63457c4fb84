"""Chapter and profile facts of POST /generations from the read cache: never stale, any process."""

from __future__ import annotations

import contextlib

import httpx
from sqlalchemy import event, select

from api.app import create_app
from shared.cache import ReadCache
from shared.config import Settings
from shared.db import create_engine, session_factory
from shared.generations import facts
from shared.jobs.models import Job
from shared.redis import async_client
from tests.driver import bearer

GOOD = {"kind": "explanation", "force": True}


@contextlib.asynccontextmanager
async def other_process(settings: Settings):
    """A second API instance on the same PostgreSQL and Redis, with its own state."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as c:
        yield app, c


async def _payload(settings: Settings, job_id: str) -> dict:
    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        payload = await session.scalar(select(Job.payload).where(Job.id == job_id))
    await engine.dispose()
    return payload


async def test_a_parents_change_is_seen_by_every_process_at_once(api, client, settings):
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    parent, _ = await api.parent()
    student, profile_id = await api.child(parent, grade=4)
    body = {**GOOD, "chapter_id": chapter_id}
    async with other_process(settings) as (_, other):
        first = await other.post("/generations", json=body, headers=bearer(student))
        assert first.status_code == 202, first.text
        assert (await _payload(settings, first.json()["job_id"]))["grade"] == 4

        r = await client.patch(f"/profiles/{profile_id}", headers=bearer(parent),
                               json={"current_grade": 6, "daily_generation_limit": 0})
        assert r.status_code == 200, r.text
        capped = await other.post("/generations", json=body, headers=bearer(student))
        assert capped.status_code == 429 and "today's limit" in capped.json()["detail"]

        r = await client.patch(f"/profiles/{profile_id}", headers=bearer(parent),
                               json={"daily_generation_limit": None})
        assert r.status_code == 200, r.text
        again = await other.post("/generations", json=body, headers=bearer(student))
        assert again.status_code == 202, again.text
        assert (await _payload(settings, again.json()["job_id"]))["grade"] == 6

        assert (await client.delete(f"/profiles/{profile_id}", headers=bearer(parent))).status_code == 204
        gone = await other.post("/generations", json=body, headers=bearer(student))
        assert gone.status_code == 404 and gone.json()["detail"] == "Profile not found."


async def test_facts_are_read_from_postgres_once_then_from_the_cache(api, settings):
    chapter_id = await api.chapter_id(grade=5, subject="Math")
    parent, _ = await api.parent()
    student, _ = await api.child(parent, grade=5)
    body = {**GOOD, "chapter_id": chapter_id}
    async with other_process(settings) as (app, c):
        statements: list[str] = []
        event.listen(app.state.engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, sql, *_: statements.append(sql))
        per_request = []
        for _ in range(2):
            statements.clear()
            r = await c.post("/generations", json=body, headers=bearer(student))
            assert r.status_code == 202, r.text
            per_request.append(list(statements))
    first, second = ([sql for sql in sqls if "FROM profiles" in sql or "FROM chapters" in sql]
                     for sqls in per_request)
    assert any("FROM profiles" in sql for sql in first)  # a new child: not cached yet
    assert second == []
    assert ["INSERT INTO jobs" in sql for sql in per_request[1]].count(True) == 1


async def test_without_redis_the_facts_come_from_postgres(api, settings):
    chapter_id = await api.chapter_id(grade=3, subject="Math")
    parent, _ = await api.parent()
    _, profile_id = await api.child(parent, grade=3)
    broken = async_client(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        chapters, profiles = await facts.load(session, ReadCache(broken), {chapter_id, 1_999_999_999},
                                              {profile_id})
    await broken.aclose()
    await engine.dispose()
    assert set(chapters) == {chapter_id} and chapters[chapter_id].grade == 3
    assert profiles[profile_id].current_grade == 3 and profiles[profile_id].daily_generation_limit is None
