"""Self-healing: a SIGKILLed worker's job comes back, a lost message is re-sent, and a
finished job never runs again."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shared.auth.tokens import Principal
from shared.content.models import ContentBlock
from shared.db import create_engine, session_factory, session_scope, utcnow
from shared.jobs import reaper
from shared.jobs import service as jobs
from shared.jobs.models import Job
from shared.ops.keys import Keys, parse_job_message
from shared.queue import Dispatcher, send_now
from tests.driver import bearer
from tests.ops.conftest import ready_job_ids
from tests.processes import kill_group, settings_env, studyforge, wait_log

pytestmark = pytest.mark.timeout(150)


async def wait_job(client, token, job_id, status, timeout) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = (await client.get(f"/jobs/{job_id}", headers=bearer(token))).json()
        if job["status"] == status:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout}s"
        await asyncio.sleep(0.25)


async def forget_message(redis, namespace: str, job_id: str) -> None:
    """Remove a job's message from Redis, as if the process had died before sending it."""
    keys = Keys(namespace)
    _, message_id = parse_job_message(await redis.get(keys.job_message(job_id)))
    assert await redis.lrem(keys.queue("default"), 0, message_id) == 1
    await redis.hdel(keys.msgs("default"), message_id)


async def age(settings, job_id: str, *, seconds: int) -> None:
    engine = create_engine(settings)
    async with session_scope(session_factory(engine), None) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(
            updated_at=utcnow() - timedelta(seconds=seconds)))
    await engine.dispose()


async def test_sigkilled_worker_job_recovered_by_the_reaper(api, ops, tmp_path):
    settings, client, redis = ops
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    chapter_id = await api.chapter_id(grade=3, subject="English")
    # Dramatiq's own recovery switched off (maintenance 0): only our reaper can bring it back.
    env = settings_env(settings, broker_namespace=settings.broker_namespace,
                       broker_heartbeat_timeout_ms=5000, broker_maintenance_chance=0,
                       offline_latency_ms=3000, reaper_interval_seconds=3, scheduler_tick_seconds=1,
                       reaper_running_grace_seconds=5,
                       # Only the job this test ages (3600 s) counts as lost: jobs other tests
                       # left queued minutes ago in the shared database must not be re-sent here.
                       reaper_queued_after_seconds=1800)
    worker = ["worker", "--processes", "1", "--threads", "1"]
    with studyforge(["scheduler"], env, tmp_path / "scheduler.log"):
        with studyforge(worker, env, tmp_path / "w1.log") as first:
            wait_log(tmp_path / "w1.log", "ready for action")
            r = await client.post("/generations", headers=bearer(student),
                                  json={"kind": "explanation", "chapter_id": chapter_id, "force": True})
            job_id = r.json()["job_id"]
            await wait_job(client, student, job_id, "running", timeout=20)
            kill_group(first, signal.SIGKILL)
            first.wait(timeout=10)
        killed_at = time.monotonic()
        # Meanwhile a job is committed but its message is lost (a crash before the send).
        r = await client.post("/generations", headers=bearer(student),
                              json={"kind": "explanation", "chapter_id": chapter_id, "force": True})
        lost_id = r.json()["job_id"]
        await forget_message(redis, settings.broker_namespace, lost_id)
        await age(settings, lost_id, seconds=3600)
        with studyforge(worker, env, tmp_path / "w2.log"):
            job = await wait_job(client, student, job_id, "succeeded", timeout=60)
            print(f"recovered {time.monotonic() - killed_at:.1f}s after SIGKILL")
            await wait_job(client, student, lost_id, "succeeded", timeout=30)

            # The dead worker's message turning up again must not run the finished job twice.
            await send_now(Dispatcher(redis, settings.broker_namespace), "generations.generate",
                           job_id=job_id)
            deadline = time.monotonic() + 30
            while await redis.llen(f"{settings.broker_namespace}:default") or \
                    await redis.hlen(f"{settings.broker_namespace}:default.msgs"):
                assert time.monotonic() < deadline, "the duplicate message was never consumed"
                await asyncio.sleep(0.2)

    # It was our reaper (Dramatiq's maintenance was off) that put the message back, and the
    # reaper running in a real worker process re-sent the lost one.
    w2_log = (tmp_path / "w2.log").read_text()
    assert "messages_recovered=1" in w2_log and "queued_resent=1" in w2_log
    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        blocks = await session.scalar(select(func.count()).select_from(ContentBlock)
                                      .where(ContentBlock.job_id == job_id))
        row = await session.get(Job, job_id)
    await engine.dispose()
    assert (blocks, row.status) == (1, "succeeded")
    assert row.attempts == 2, (tmp_path / "w2.log").read_text()[-4000:]
    assert row.finished_at.isoformat().startswith(job["finished_at"][:19])
    r = await client.get("/admin/queues/history?window=15m", headers=bearer(api.admin_token))
    series = {s["actor"]: s for s in r.json()["series"]}
    # Three deliveries completed: the recovered run, the re-sent lost job and the no-op
    # duplicate (the killed run never completed).
    assert sum(series["generations.generate"]["processed"]) == 3
    assert sum(series["jobs.reap"]["processed"]) >= 1
    latency = {(row["source"], row["name"]): row for row in r.json()["latency"]}
    # Per actor, from this namespace's worker: real runs took the offline latency (3 s), the
    # duplicate was a no-op. (The jobs rows cover every job in the database.)
    ran = latency[("worker", "generations.generate")]
    assert ran["count"] == 3 and ran["run_ms"]["p50"] >= 3000
    assert latency[("jobs", "explanation")]["count"] >= 2
    metrics = (await client.get("http://t/metrics")).text
    assert 'studyforge_actor_run_seconds_count{actor="generations.generate"} 3.0' in metrics
    assert 'studyforge_actor_run_seconds_bucket{actor="generations.generate",le="2.5"} 1.0' in metrics


async def test_queued_job_without_message_is_resent_once(api, ops):
    settings, _, redis = ops
    settings = settings.model_copy(update={"reaper_queued_after_seconds": 0})
    parent, parent_id = await api.parent()
    _, profile_id = await api.child(parent)
    student = Principal(user_id=parent_id, role="student", profile_id=profile_id)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    dispatcher = Dispatcher(redis, settings.broker_namespace)

    def new_job(session):
        return jobs.create(session, student, kind="explanation", actor="generations.generate",
                           payload={"chapter_id": 1})

    # Committed, but the process "crashed" before sending: no dispatcher, the message is lost.
    async with session_scope(sessions, None) as session:
        lost = (await new_job(session)).id
    async with session_scope(sessions, dispatcher) as session:
        waiting = (await new_job(session)).id
    async with session_scope(sessions, None) as session:
        finished = (await new_job(session)).id
        await session.execute(update(Job).where(Job.id == finished).values(
            status="succeeded", finished_at=utcnow(), attempts=1))
    assert await ready_job_ids(redis, settings.broker_namespace) == [waiting]

    for _ in range(2):  # a second pass must not send the lost job again
        async with session_scope(sessions, dispatcher) as session:
            await reaper.reap(session, redis, settings)
    ours = [j for j in await ready_job_ids(redis, settings.broker_namespace)
            if j in (lost, waiting, finished)]
    assert sorted(ours) == sorted([waiting, lost])
    async with sessions() as session:
        assert (await session.get(Job, finished)).status == "succeeded"
    await engine.dispose()
