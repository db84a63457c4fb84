"""A worker SIGKILLed mid-job: the message is redelivered and the job finishes exactly once."""

from __future__ import annotations

import signal
import time

import httpx
import pytest
from sqlalchemy import func, select

from shared.content.models import ContentBlock
from shared.db import create_engine, session_factory
from shared.jobs.models import Job
from tests.driver import bearer
from tests.processes import (
    free_port,
    kill_group,
    settings_env,
    studyforge,
    wait_http,
    wait_log,
)

pytestmark = pytest.mark.timeout(180)


def wait_status(http: httpx.Client, job_id: str, status: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = http.get(f"/jobs/{job_id}").json()
        if job["status"] == status:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout}s"
        time.sleep(0.2)


async def test_killed_worker_job_finishes_exactly_once(api, settings, tmp_path):
    # Slow jobs so the kill lands mid-job; a short heartbeat timeout so redelivery is quick.
    env = settings_env(settings, offline_latency_ms=4000, broker_heartbeat_timeout_ms=3000,
                       broker_maintenance_chance=1_000_000)
    port = free_port()
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    chapter_id = await api.chapter_id(grade=3, subject="English")
    with studyforge(["serve", "--port", str(port)], env, tmp_path / "api.log"):
        wait_http(f"http://127.0.0.1:{port}/healthz")
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers=bearer(student), timeout=10)
        with studyforge(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "w1.log") as first:
            wait_log(tmp_path / "w1.log", "ready for action")
            job_id = http.post("/generations", json={"kind": "explanation", "chapter_id": chapter_id,
                                                     "analogy": "a relay race"}).json()["job_id"]
            wait_status(http, job_id, "running", timeout=20)
            kill_group(first, signal.SIGKILL)
            first.wait(timeout=10)
        killed_at = time.monotonic()
        with studyforge(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "w2.log"):
            job = wait_status(http, job_id, "succeeded", timeout=60)
        recovered_in = time.monotonic() - killed_at
        print(f"recovered {recovered_in:.1f}s after SIGKILL")

    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        blocks = await session.scalar(select(func.count()).select_from(ContentBlock)
                                      .where(ContentBlock.job_id == job_id))
        attempts = await session.scalar(select(Job.attempts).where(Job.id == job_id))
    await engine.dispose()
    assert blocks == 1
    assert attempts == 2
    assert job["result"]["content_block_id"]
