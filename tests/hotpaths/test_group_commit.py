"""POST /generations by group commit: concurrent requests share a transaction, not their fate."""

from __future__ import annotations

import asyncio
import uuid

import dramatiq
import httpx
import redis as redis_lib
from sqlalchemy import select

from api.app import create_app
from shared.db import create_engine, session_factory
from shared.group_commit import GroupCommit
from shared.jobs.models import Job
from shared.ops.keys import Keys
from shared.queue import Dispatcher, enqueue
from shared.redis import async_client
from tests.driver import bearer


def own_queue(settings, **overrides):
    """Settings whose jobs go to a queue no test worker drains: jobs left queued here must not
    hold up (or be run by) the workers of later tests."""
    return settings.model_copy(update={"broker_namespace": f"hotpaths-{uuid.uuid4().hex[:8]}",
                                       **overrides})


async def test_concurrent_requests_each_get_their_own_answer(api, settings):
    settings = own_queue(settings, daily_generation_limit=2)
    app = create_app(settings)
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    parent, _ = await api.parent()
    students = [(await api.child(parent, name=f"K{i}"))[0] for i in range(3)]
    capped, _ = await api.child(parent, name="Capped")
    good = {"kind": "explanation", "chapter_id": chapter_id, "force": True}
    asks = [(token, good) for token in students for _ in range(2)]
    asks += [(students[0], {**good, "chapter_id": 1_999_999_999})]  # unknown chapter
    asks += [(capped, good)] * 3  # one over the daily cap of 2
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as c:
        answers = await asyncio.gather(*(c.post("/generations", json=body, headers=bearer(token))
                                         for token, body in asks))
    codes = [r.status_code for r in answers]
    assert codes[:6] == [202] * 6 and codes[6] == 404
    assert sorted(codes[7:]) == [202, 202, 429]
    assert "today's limit" in next(r for r in answers[7:] if r.status_code == 429).json()["detail"]

    accepted = [r.json()["job_id"] for r in answers if r.status_code == 202]
    assert len(set(accepted)) == 8
    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        jobs = list(await session.scalars(select(Job).where(Job.id.in_(accepted))))
    await engine.dispose()
    assert len(jobs) == 8 and {j.status for j in jobs} == {"queued"}
    # Every accepted job's message was handed to Redis before its 202.
    sync = redis_lib.Redis.from_url(settings.redis_url)
    keys = Keys(settings.broker_namespace)
    assert all(sync.exists(keys.job_message(job_id)) for job_id in accepted)


async def test_one_failing_item_does_not_fail_the_batch(api, settings):
    """A batch that fails as a whole is run again item by item: only the culprit fails."""
    engine = create_engine(settings)
    redis = async_client(settings)
    namespace = "group-commit-test"
    sync = redis_lib.Redis.from_url(settings.redis_url)
    sync.delete(f"{namespace}:default", f"{namespace}:default.msgs")

    async def handler(session, items):
        for job_id in items:
            session.add(Job(id=job_id, kind="explanation", status="queued", payload={}))
            enqueue("generations.generate", job_id=job_id)
        await session.flush()  # "bad" is 37 characters: too long for the id column
        return list(items)

    group = GroupCommit(session_factory(engine), Dispatcher(redis, namespace), handler)
    names = [f"ok-{i}" for i in range(5)] + ["x" * 37]
    outcomes = await asyncio.gather(*(group.submit(n) for n in names), return_exceptions=True)
    assert outcomes[:5] == names[:5] and isinstance(outcomes[5], Exception)
    async with session_factory(engine)() as session:
        stored = set(await session.scalars(select(Job.id).where(Job.id.like("ok-%"))))
    assert stored == set(names[:5])
    sent = [dramatiq.Message.decode(m).kwargs["job_id"]
            for m in sync.hvals(f"{namespace}:default.msgs")]
    assert sorted(sent) == names[:5]  # the failed batch's messages were never sent
    await redis.aclose()
    await engine.dispose()


async def test_redis_down_after_commit_fails_every_item_and_leaves_rows_for_the_reaper(settings):
    engine = create_engine(settings)
    broken = Dispatcher(async_client(settings.model_copy(
        update={"redis_url": "redis://127.0.0.1:1/0"})), "group-commit-down")

    async def handler(session, items):
        for job_id in items:
            session.add(Job(id=job_id, kind="explanation", status="queued", payload={}))
            enqueue("generations.generate", job_id=job_id)
        return list(items)

    group = GroupCommit(session_factory(engine), broken, handler)
    names = [f"down-{i}" for i in range(3)]
    outcomes = await asyncio.gather(*(group.submit(n) for n in names), return_exceptions=True)
    assert all(isinstance(o, redis_lib.exceptions.ConnectionError) for o in outcomes)
    async with session_factory(engine)() as session:
        rows = list(await session.scalars(select(Job).where(Job.id.in_(names))))
    # Committed and queued without a message: what the reaper's third pass resends.
    assert {r.status for r in rows} == {"queued"} and len(rows) == 3
    await broken.redis.aclose()
    await engine.dispose()


async def test_the_next_batch_starts_before_the_last_one_is_answered(settings):
    """Answering a batch's requests takes the event loop a while: the next batch's statements
    are started first, so the database works meanwhile (docs/benchmarks.md, "Hot paths")."""
    engine = create_engine(settings)
    events: list[str] = []
    release = asyncio.Event()

    async def handler(session, items):
        events.append(f"run {items}")
        if items == ["a"]:
            await release.wait()
        return list(items)

    group = GroupCommit(session_factory(engine), None, handler)

    async def ask(item):
        events.append(f"answered {await group.submit(item)}")

    first = asyncio.create_task(ask("a"))
    while not events:
        await asyncio.sleep(0)
    second = asyncio.create_task(ask("b"))
    await asyncio.sleep(0)  # "b" now waits for the batch in flight
    release.set()
    await asyncio.gather(first, second)
    assert events == ["run ['a']", "run ['b']", "answered a", "answered b"]
    await engine.dispose()


async def test_the_next_batch_runs_while_the_last_one_is_sent(settings):
    """Once a batch has committed, the next batch's transaction need not wait for its Redis
    push; the first batch is still answered only after its messages are sent."""
    engine = create_engine(settings)
    events: list[str] = []
    pushed = asyncio.Event()

    class SlowRedis:  # a Redis that takes its time on the first push
        async def send(self, pending):
            events.append("push")
            pending.clear()
            await pushed.wait()

    async def handler(session, items):
        events.append(f"run {items}")
        for item in items:
            enqueue("generations.generate", job_id=item)
        return list(items)

    group = GroupCommit(session_factory(engine), SlowRedis(), handler)

    async def ask(item):
        events.append(f"answered {await group.submit(item)}")

    first = asyncio.create_task(ask("a"))
    while "push" not in events:
        await asyncio.sleep(0)
    second = asyncio.create_task(ask("b"))
    async with asyncio.timeout(5):
        while "run ['b']" not in events:
            await asyncio.sleep(0)
    assert "answered a" not in events  # its messages are not in Redis yet
    pushed.set()
    await asyncio.gather(first, second)
    assert events[:3] == ["run ['a']", "push", "run ['b']"]
    assert {"answered a", "answered b"} <= set(events)
    await engine.dispose()


async def test_generation_answers_match_the_documented_contract(api, settings):
    """The hot path (api/hot.py) and the route it hands odd requests to answer alike."""
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    app = create_app(own_queue(settings))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as client:
        await _contract(client, student, chapter_id)


async def _contract(client, student, chapter_id):
    body = {"kind": "explanation", "chapter_id": chapter_id, "force": True}
    r = await client.post("/generations", json=body, headers=bearer(student))
    assert r.status_code == 202 and r.headers["content-type"] == "application/json"
    job = r.json()
    assert set(job) == {"job_id", "status", "status_url", "events_url"} and job["status"] == "queued"
    polled = await client.get(job["status_url"].removeprefix("/api/v1"), headers=bearer(student))
    assert polled.status_code == 200 and polled.json()["status"] == "queued"

    assert (await client.post("/generations", json=body)).status_code == 401
    r = await client.post("/generations", json={**body, "kind": "poem"}, headers=bearer(student))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "kind"]
    r = await client.post("/generations", content=b"{not json", headers={
        **bearer(student), "content-type": "application/json"})
    assert r.status_code == 422
    r = await client.post("/generations", json={**body, "chapter_id": 1_999_999_999}, headers=bearer(student))
    assert r.status_code == 404 and r.json() == {"detail": "Chapter 1999999999 not found."}


async def test_generation_counts_once_for_the_rate_limit(api, settings):
    import time

    app = create_app(own_queue(settings, request_rate_limit=3, request_rate_window_seconds=2))
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    good = {"kind": "explanation", "chapter_id": chapter_id, "force": True}
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as c:
        time.sleep(2 - time.time() % 2 + 0.01)
        codes = [(await c.post("/generations", json=body, headers=bearer(student))).status_code
                 for body in (good, {**good, "kind": "poem"}, good, good)]
    # The refused body went on to the route, which counted it there (and only there).
    assert codes == [202, 422, 202, 429]
