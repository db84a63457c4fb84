"""The dashboard's numbers match what really happens on Redis, with a real worker process.

Enqueue jobs and undeliverable messages with no worker; start a worker that holds two jobs in
flight and dead-letters the undeliverable ones; SIGKILL it; recover; requeue and delete dead
letters. At each step the counts must move the way the system did.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from shared.db import create_engine, session_factory, session_scope
from shared.jobs import reaper
from shared.jobs.models import Job
from shared.queue import Dispatcher, send_now
from tests.driver import bearer
from tests.ops.conftest import ready_job_ids
from tests.processes import free_port, kill_group, settings_env, studyforge, wait_http, wait_log

pytestmark = pytest.mark.timeout(150)

JOBS = 6


async def eventually(check, timeout: float = 30, every: float = 0.25):
    """Poll ``check`` (async, returns a value or None) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(every)


def parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


async def test_counts_follow_reality(api, ops, tmp_path):
    settings, client, redis = ops
    admin = bearer(api.admin_token)
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    chapter_id = await api.chapter_id(grade=5, subject="Math")
    engine = create_engine(settings)
    sessions = session_factory(engine)

    async def dashboard() -> dict:
        r = await client.get("/admin/queues", headers=admin)
        assert r.status_code == 200, r.text
        return r.json()

    async def default_queue() -> dict:
        return next(q for q in (await dashboard())["queues"] if q["name"] == "default")

    async def statuses() -> dict[str, str]:
        async with sessions() as s:
            rows = await s.execute(select(Job.id, Job.status).where(Job.id.in_(job_ids)))
            return dict(rows.all())

    # --- no worker: everything waits in the queue, and the head's age grows --------------
    t0 = time.time()
    # Undeliverable messages first, so the worker's first fetch dead-letters them.
    dispatcher = Dispatcher(redis, settings.broker_namespace)
    for _ in range(2):
        await send_now(dispatcher, "ops.no_such_actor", job_id=None)
    job_ids = []
    for i in range(JOBS):
        headers = {**bearer(student), "X-Request-ID": f"ops-trace-{i}"}
        r = await client.post("/generations", headers=headers,
                              json={"kind": "explanation", "chapter_id": chapter_id, "force": True})
        assert r.status_code == 202, r.text
        job_ids.append(r.json()["job_id"])
    await asyncio.sleep(1.0)
    q = await default_queue()
    assert (q["ready"], q["in_flight"], q["dead"], q["busy"]) == (JOBS + 2, 0, 0, 0)
    assert 1.0 <= q["oldest_age_seconds"] <= time.time() - t0
    metrics = (await client.get("http://t/metrics")).text
    assert f'studyforge_queue_messages{{queue="default",state="ready"}} {JOBS + 2}.0' in metrics
    assert 'studyforge_queue_oldest_message_age_seconds{queue="default"}' in metrics

    # --- a worker with two threads: two jobs run, undeliverable ones die ------------------
    env = settings_env(settings, broker_namespace=settings.broker_namespace,
                       broker_heartbeat_timeout_ms=settings.broker_heartbeat_timeout_ms,
                       broker_maintenance_chance=0, offline_latency_ms=6000,
                       worker_registry_interval_seconds=1)
    port = free_port()
    with studyforge(["serve", "--port", str(port)], env, tmp_path / "api.log"), \
         studyforge(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "w.log") as proc:
        wait_log(tmp_path / "w.log", "ready for action")

        async def two_running():
            d = await dashboard()
            q = next(q for q in d["queues"] if q["name"] == "default")
            status = await statuses()
            running = [j for j, s in status.items() if s == "running"]
            finished = [j for j, s in status.items() if s == "succeeded"]
            # Two run; the worker prefetched up to four; the rest wait.
            # (Workers publish what they run every registry interval: poll until it shows.)
            current = sorted(c["job_id"] for w in d["workers"] for c in w["current"])
            if (q["dead"] == 2 and q["busy"] == 2 and len(running) == 2 and 2 <= q["in_flight"] <= 4
                    and q["ready"] + q["in_flight"] == JOBS - len(finished)
                    and current == sorted(running)):
                return d, q, running
        d, q, running = await eventually(two_running)
        (worker,) = d["workers"]
        assert worker["alive"] and worker["hostname"] == socket.gethostname()
        assert parent_pid(worker["pid"]) == proc.pid  # a dramatiq worker process of ours
        assert {c["request_id"] for c in worker["current"]} <= {f"ops-trace-{i}" for i in range(JOBS)}

        dead = (await client.get("/admin/queues/default/dead", headers=admin)).json()
        assert dead["total"] == 2
        assert {m["actor"] for m in dead["messages"]} == {"ops.no_such_actor"}
        assert all(m["error"]["type"] == "ActorNotFound" and m["attempts"] == 1
                   for m in dead["messages"])

        # The live feed (a real server: SSE needs a streaming transport).
        url = f"http://127.0.0.1:{port}/api/v1/admin/queues/events"
        wait_http(f"http://127.0.0.1:{port}/healthz")
        with httpx.stream("GET", url, headers=admin, timeout=10) as stream:
            lines = stream.iter_lines()
            assert next(lines) == "event: snapshot"
            snapshot = json.loads(next(lines).removeprefix("data: "))
        assert {w["id"] for w in snapshot["workers"]} == {worker["id"]}

        # The worker's JSON log lines carry the job id and the request id of the API call.
        def traced():
            for line in (tmp_path / "w.log").read_text().splitlines():
                if line.startswith("{") and "started" in line:
                    record = json.loads(line)
                    if record.get("job_id") in running:
                        return record
        record = traced() or (time.sleep(1) or traced())
        assert record["request_id"] == f"ops-trace-{job_ids.index(record['job_id'])}"

        # --- SIGKILL: the held messages are stranded, then the reaper puts them back -------
        kill_group(proc, signal.SIGKILL)
        proc.wait(timeout=10)

        async def dead_worker():
            d = await dashboard()
            if d["workers"] and not d["workers"][0]["alive"]:
                return d
        d = await eventually(dead_worker, timeout=20)
        q = next(q for q in d["queues"] if q["name"] == "default")
        stranded = q["stranded"]
        finished = [j for j, s in (await statuses()).items() if s == "succeeded"]
        assert q["in_flight"] == 0 and q["busy"] == 0 and 2 <= stranded <= 4
        assert q["ready"] + stranded == JOBS - len(finished)

    async with session_scope(sessions, dispatcher) as session:
        report = await reaper.reap(session, redis, settings.model_copy(
            update={"reaper_queued_after_seconds": 10**6}))
    assert report.dead_workers == 1 and report.messages_recovered == stranded
    q = await default_queue()
    assert (q["stranded"], q["in_flight"]) == (0, 0)
    assert (await dashboard())["workers"] == []
    status = await statuses()
    unfinished = sorted(j for j in job_ids if status[j] != "succeeded")
    assert all(status[j] == "queued" for j in unfinished)  # the two running ones are put back
    # Every unfinished job has exactly one message waiting: none lost, none doubled.
    waiting = [j for j in await ready_job_ids(redis, settings.broker_namespace) if j in job_ids]
    assert sorted(waiting) == unfinished

    # --- history: what the worker did, per actor ------------------------------------------
    r = await client.get("/admin/queues/history?window=15m", headers=admin)
    history = {s["actor"]: s for s in r.json()["series"]}
    assert sum(history["ops.no_such_actor"]["dead"]) == 2
    assert sum(history.get("generations.generate", {}).get("processed", [])) == len(finished)
    metrics = (await client.get("http://t/metrics")).text
    assert 'studyforge_actor_messages_total{actor="ops.no_such_actor",outcome="dead"} 2.0' in metrics
    assert 'studyforge_workers{state="alive"} 0.0' in metrics
    assert "studyforge_queue_metrics_up 1.0" in metrics

    # --- dead letters: requeue one, delete the rest ----------------------------------------
    one = dead["messages"][0]["message_id"]
    before = await default_queue()
    r = await client.post(f"/admin/queues/default/dead/requeue?message_id={one}", headers=admin)
    assert r.json() == {"requeued": 1, "remaining": 1}
    after = await default_queue()
    assert (after["dead"], after["ready"]) == (1, before["ready"] + 1)
    r = await client.post(f"/admin/queues/default/dead/requeue?message_id={one}", headers=admin)
    assert r.status_code == 404  # already moved: a second click cannot duplicate it
    r = await client.delete("/admin/queues/default/dead", headers=admin)
    assert r.json() == {"deleted": 1}
    assert (await default_queue())["dead"] == 0
    await engine.dispose()
