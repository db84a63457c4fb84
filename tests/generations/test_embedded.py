"""The embedded default (`studyforge dev`): SQLite, in-process Redis, in-process worker."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from api.app import create_app
from shared.config import Settings
from shared.demo import DEMO_LOGINS
from shared.migrate import upgrade
from studyforge.dev import embedded_lifespan
from tests.driver import bearer

pytestmark = pytest.mark.timeout(120)


async def test_dev_app_runs_a_job_on_sqlite_and_fakeredis(tmp_path):
    settings = Settings(environment="development", sqlite_path=str(tmp_path / "dev.sqlite3"),
                        data_dir=str(tmp_path / "data"), database_url="", redis_url="")
    assert settings.embedded_redis and settings.is_sqlite
    await asyncio.to_thread(upgrade, settings)
    app = create_app(settings, extra_lifespan=embedded_lifespan(settings, threads=4))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dev/api/v1") as http:
            parent = next(d for d in DEMO_LOGINS if d.role == "parent")
            r = await http.post("/auth/token", data={"username": parent.email, "password": parent.password})
            token = r.json()["access_token"]
            children = (await http.get("/profiles", headers=bearer(token))).json()
            assert [c["display_name"] for c in children] == ["Maya", "Leo"]
            r = await http.post("/auth/profile-token", headers=bearer(token),
                                json={"profile_id": children[0]["id"]})
            student = r.json()["access_token"]
            chapters = (await http.get("/curriculum", params={"grade": 4}, headers=bearer(student))).json()
            assert len(chapters) >= 10

            r = await http.post("/generations", headers=bearer(student),
                                json={"kind": "explanation", "chapter_id": chapters[0]["id"],
                                      "analogy": "building blocks"})
            assert r.status_code == 202
            job_id = r.json()["job_id"]
            for _ in range(200):
                job = (await http.get(f"/jobs/{job_id}", headers=bearer(student))).json()
                if job["status"] in ("succeeded", "failed"):
                    break
                await asyncio.sleep(0.05)
            assert job["status"] == "succeeded", job
            assert job["created_at"].endswith(("Z", "+00:00"))
            detail = (await http.get(f"/chapters/{chapters[0]['id']}", headers=bearer(student))).json()
            assert detail["content_blocks"][0]["content_json"]["analogy"] == "building blocks"

            # The SSE stream of a finished job sends the final state once and ends.
            r = await http.get(f"/jobs/{job_id}/events", headers=bearer(student))
            assert r.text.count("event: status") == 1 and '"succeeded"' in r.text

            ready = await http.get("http://dev/readyz")
            assert ready.status_code == 200
