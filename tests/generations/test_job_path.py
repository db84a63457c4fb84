"""The whole job path on real services and real processes.

`studyforge serve` and `studyforge worker` run as separate processes on the test's PostgreSQL
database and Redis index; the test talks HTTP to the API like a student's app would.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.driver import bearer
from tests.processes import free_port, settings_env, studyforge, wait_http, wait_log

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def stack(settings, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    port = free_port()
    env = settings_env(settings)
    with studyforge(["serve", "--port", str(port)], env, logs / "api.log"), \
         studyforge(["worker", "--processes", "1", "--threads", "4"], env, logs / "worker.log"):
        wait_http(f"http://127.0.0.1:{port}/healthz")
        wait_log(logs / "worker.log", "ready for action")
        yield f"http://127.0.0.1:{port}/api/v1", logs


def sse_events(base: str, path: str, token: str, timeout: float = 60) -> list[dict]:
    """Read a job's event stream until the server ends it."""
    events, current = [], {}
    with httpx.stream("GET", base + path, headers=bearer(token), timeout=timeout) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event:"):
                current["event"] = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                current["data"] = json.loads(line.split(":", 1)[1])
            elif not line and current:
                events.append(current)
                current = {}
    return events


async def test_explanation_end_to_end(api, stack):
    base, _ = stack
    parent, _ = await api.parent()
    student, _ = await api.child(parent, grade=4)
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    body = {"kind": "explanation", "chapter_id": chapter_id, "analogy": "pizza slices"}

    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        r = http.post("/generations", json=body)
        assert r.status_code == 202, r.text
        accepted = r.json()
        assert accepted["status"] == "queued"
        assert accepted["status_url"] == f"/api/v1/jobs/{accepted['job_id']}"

        events = sse_events(base, f"/jobs/{accepted['job_id']}/events", student)
        statuses = [e["data"]["status"] for e in events]
        assert all(e["event"] == "status" for e in events)
        assert statuses[-1] == "succeeded", events
        assert "running" in statuses or len(statuses) == 1
        progress = [e["data"]["progress"] for e in events]
        assert progress == sorted(progress)

        job = http.get(accepted["status_url"].removeprefix("/api/v1")).json()
        assert job["status"] == "succeeded" and job["progress"] == 1.0
        assert job["result"]["model"] == "offline/template-v1"
        assert job["started_at"] and job["finished_at"]

        chapter = http.get(f"/chapters/{chapter_id}").json()
        block = next(b for b in chapter["content_blocks"] if b["id"] == job["result"]["content_block_id"])
        assert block["ai_model_used"] == "offline/template-v1"
        assert block["content_json"]["analogy"] == "pizza slices"
        assert block["content_json"]["grade"] == 4

        # Identical request: served from the cache, already succeeded, no new content.
        again = http.post("/generations", json=body).json()
        assert again["status"] == "succeeded" and again["job_id"] != accepted["job_id"]
        cached = http.get(f"/jobs/{again['job_id']}").json()
        assert cached["result"]["content_block_id"] == block["id"]
        # A job already final sends its status once and ends.
        replay = sse_events(base, f"/jobs/{again['job_id']}/events", student)
        assert [e["data"]["status"] for e in replay] == ["succeeded"]

        # force=true regenerates.
        forced = http.post("/generations", json={**body, "force": True}).json()
        assert forced["status"] == "queued"
        deadline = time.monotonic() + 30
        while http.get(f"/jobs/{forced['job_id']}").json()["status"] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert http.get(f"/jobs/{forced['job_id']}").json()["result"]["content_block_id"] != block["id"]


async def test_other_family_cannot_read_the_job(api, stack):
    base, _ = stack
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    sibling, _ = await api.child(parent, name="Sib")
    stranger, _ = await api.parent()
    chapter_id = await api.chapter_id(grade=5, subject="Science")
    with httpx.Client(base_url=base, timeout=10) as http:
        job_id = http.post("/generations", headers=bearer(student),
                           json={"kind": "explanation", "chapter_id": chapter_id}).json()["job_id"]
        assert http.get(f"/jobs/{job_id}", headers=bearer(stranger)).status_code == 404
        assert http.get(f"/jobs/{job_id}", headers=bearer(sibling)).status_code == 404
        assert http.get(f"/jobs/{job_id}/events", headers=bearer(stranger)).status_code == 404
        assert http.get(f"/jobs/{job_id}", headers=bearer(parent)).status_code == 200
        assert http.get(f"/jobs/{job_id}", headers=bearer(api.admin_token)).status_code == 200
        assert http.get("/jobs/no-such-job", headers=bearer(student)).status_code == 404
