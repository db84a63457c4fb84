"""With auto-approval off, even unflagged content waits for an admin (embedded: SQLite, in-process
Redis and worker, offline generator), which also runs questions on the offline route."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from api.app import create_app
from shared.auth import service as auth
from shared.config import Settings
from shared.db import create_engine, session_factory, session_scope
from shared.demo import DEMO_LOGINS
from shared.migrate import upgrade
from studyforge.dev import embedded_lifespan
from tests.driver import bearer

pytestmark = pytest.mark.timeout(120)


async def _token(http, email, password) -> str:
    r = await http.post("/auth/token", data={"username": email, "password": password})
    return r.json()["access_token"]


async def _wait(http, job_id, token) -> dict:
    deadline = time.monotonic() + 30
    while True:
        job = (await http.get(f"/jobs/{job_id}", headers=bearer(token))).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)


async def test_review_everything_mode(tmp_path):
    settings = Settings(environment="development", sqlite_path=str(tmp_path / "dev.sqlite3"),
                        data_dir=str(tmp_path / "data"), database_url="", redis_url="",
                        content_auto_approve=False)
    await asyncio.to_thread(upgrade, settings)
    engine = create_engine(settings)
    async with session_scope(session_factory(engine), None) as session:
        await auth.register(session, email="reviewer@example.org", password="reviewer-pass",
                            role="admin")
    await engine.dispose()
    app = create_app(settings, extra_lifespan=embedded_lifespan(settings, threads=4))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dev/api/v1") as http:
            parent = next(d for d in DEMO_LOGINS if d.role == "parent")
            token = await _token(http, parent.email, parent.password)
            child = (await http.get("/profiles", headers=bearer(token))).json()[0]
            r = await http.post("/auth/profile-token", headers=bearer(token),
                                json={"profile_id": child["id"]})
            student = r.json()["access_token"]
            admin = await _token(http, "reviewer@example.org", "reviewer-pass")
            chapter_id = (await http.get("/curriculum", params={"grade": 4},
                                         headers=bearer(student))).json()[0]["id"]

            r = await http.post("/generations", headers=bearer(student), json={
                "kind": "questions", "chapter_id": chapter_id, "count": 4})
            job = await _wait(http, r.json()["job_id"], student)
            assert job["status"] == "succeeded", job
            assert job["result"]["review_status"] == "draft"
            assert job["result"]["model"] == "offline/template-v1"
            block_id = job["result"]["content_block_id"]

            learner = (await http.get(f"/chapters/{chapter_id}", headers=bearer(student))).json()
            assert not learner["content_blocks"] and not learner["questions"]
            review = (await http.get("/admin/review", headers=bearer(admin))).json()
            item = next(i for i in review if i["id"] == block_id)
            assert item["status"] == "draft" and item["reason"] == "awaiting review"
            assert item["moderation"]["flagged"] is False
            assert item["moderation"]["checks"] == ["builtin"]  # no provider configured
            for question in item["questions"]:
                if question["type"] == "mcq":  # the stored format, from the offline route too
                    answer = question["correct_answer"]
                    assert 3 <= len(question["options"]) <= 5
                    assert question["options"][answer["index"]] == answer["text"]
                    assert question["distractors_model"] == "offline/template-v1"
                else:
                    assert set(question["correct_answer"]) == {"reference", "rubric"}

            r = await http.post(f"/admin/review/{block_id}/approve", headers=bearer(admin))
            assert r.status_code == 200
            learner = (await http.get(f"/chapters/{chapter_id}", headers=bearer(student))).json()
            assert [b["id"] for b in learner["content_blocks"]] == [block_id]
            assert len(learner["questions"]) == len(job["result"]["question_ids"])
