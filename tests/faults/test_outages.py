"""Redis and PostgreSQL stopped and restarted under a running API, worker and scheduler.

What a user sees while a store is down (a 503 naming it, never a 500), what recovers by
itself and how fast, and that no job that got a 202 is lost or run twice. Recovery times are
printed (-s) and recorded in docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import func, select

from shared.content.models import ContentBlock
from shared.db import create_engine, session_factory
from shared.migrate import upgrade
from tests.driver import bearer
from tests.processes import free_port, settings_env, studyforge, wait_http, wait_log
from tests.services import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.timeout(240)


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s"
        time.sleep(0.2)


def job_status(http: httpx.Client, job_id: str) -> str | None:
    try:
        r = http.get(f"/jobs/{job_id}")
    except httpx.HTTPError:
        return None
    return r.json()["status"] if r.status_code == 200 else None


async def _blocks_for(settings, job_ids) -> int:
    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        n = await session.scalar(select(func.count()).select_from(ContentBlock)
                                 .where(ContentBlock.job_id.in_(job_ids)))
    await engine.dispose()
    return n


async def test_redis_outage_loses_no_accepted_job(api, settings, tmp_path):
    private = PrivateRedis()
    private.start()
    fault_settings = settings.model_copy(update={"redis_url": private.url})
    env = settings_env(fault_settings, reaper_queued_after_seconds=3, scheduler_tick_seconds=1)
    port = free_port()
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    chapter_id = await api.chapter_id(grade=5, subject="Math")
    try:
        with studyforge(["serve", "--port", str(port)], env, tmp_path / "api.log"):
            wait_http(f"http://127.0.0.1:{port}/healthz")
            http = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers=bearer(student), timeout=10)
            # Accepted while no worker runs: the messages sit in Redis.
            accepted = [http.post("/generations", json={"kind": "explanation", "chapter_id": chapter_id,
                                                        "analogy": f"outage {i}", "force": True}).json()["job_id"]
                        for i in range(3)]

            private.stop()  # the queue and its messages are gone (no persistence)
            down_at = time.monotonic()
            r = http.post("/generations", json={"kind": "explanation", "chapter_id": chapter_id, "force": True})
            assert r.status_code == 503 and "Redis" in r.json()["detail"]
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz")
            assert ready.status_code == 503 and "redis is down" in ready.json()["detail"]
            assert http.get(f"/jobs/{accepted[0]}").json()["status"] == "queued"  # reads still work

            private.start()
            restarted = time.monotonic()
            wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200, 30, "readyz")
            api_back = time.monotonic() - down_at
            with studyforge(["worker", "--processes", "1", "--threads", "4"], env, tmp_path / "worker.log"), \
                 studyforge(["scheduler"], env, tmp_path / "scheduler.log"):
                wait_log(tmp_path / "worker.log", "ready for action")
                for job_id in accepted:
                    wait_until(lambda j=job_id: job_status(http, j) == "succeeded", 90, f"job {job_id}")
                recovered = time.monotonic() - restarted
        print(f"\nredis outage: API ready {api_back:.1f}s after the outage began (Redis restarted at once); "
              f"3 lost messages re-sent by the reaper, jobs done {recovered:.1f}s after Redis came back "
              f"(worker and scheduler started then)")
        assert await _blocks_for(settings, accepted) == 3
    finally:
        private.stop()


async def test_postgres_outage_answers_503_and_recovers(tmp_path, redis_url):
    from shared.config import Settings
    from tests.conftest import TEST_SECRET

    pg = PrivatePostgres()
    pg.start()
    settings = Settings(environment="test", database_url=pg.url, redis_url=redis_url,
                        jwt_secret=TEST_SECRET, broker_namespace="pg-outage")
    await asyncio.to_thread(upgrade, settings)
    env = settings_env(settings)
    port = free_port()
    try:
        with studyforge(["serve", "--port", str(port)], env, tmp_path / "api.log"), \
             studyforge(["worker", "--processes", "1", "--threads", "4"], env, tmp_path / "worker.log"):
            wait_http(f"http://127.0.0.1:{port}/healthz")
            wait_log(tmp_path / "worker.log", "ready for action")
            base = f"http://127.0.0.1:{port}/api/v1"
            body = {"email": "pg-outage@example.org", "password": "long-password"}
            assert httpx.post(f"{base}/auth/register", json=body).status_code == 201
            token = httpx.post(f"{base}/auth/token", data={"username": body["email"],
                                                          "password": body["password"]}).json()["access_token"]
            http = httpx.Client(base_url=base, headers=bearer(token), timeout=10)
            assert http.post("/profiles", json={"display_name": "Ana", "current_grade": 2}).status_code == 201

            pg.stop()
            down_at = time.monotonic()
            statuses = {http.get("/profiles").status_code for _ in range(3)}
            assert statuses == {503}
            r = http.post("/profiles", json={"display_name": "Bo", "current_grade": 3})
            assert r.status_code == 503 and "database is unavailable" in r.json()["detail"]
            assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz")
            assert ready.status_code == 503 and "database is down" in ready.json()["detail"]
            time.sleep(2)

            pg.start()
            restarted = time.monotonic()
            # Pooled connections died with the server: at most a request or so answers 503,
            # then every request succeeds again.
            wait_until(lambda: http.get("/profiles").status_code == 200, 30, "API recovery")
            recovered = time.monotonic() - restarted
            assert [p["display_name"] for p in http.get("/profiles").json()] == ["Ana"]
            codes = [http.get("/profiles").status_code for _ in range(20)]
            assert codes == [200] * 20
        print(f"\npostgres outage: down {restarted - down_at:.1f}s; API answering again "
              f"{recovered:.2f}s after the server restarted")
    finally:
        pg.remove()
