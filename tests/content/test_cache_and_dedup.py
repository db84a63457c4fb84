"""Identical work is reused: from the cache once finished, and folded together in flight."""

from __future__ import annotations

import httpx
import pytest

from tests.content.conftest import QUESTIONS_MODEL, sse_events, unique, wait_final
from tests.driver import bearer
from tests.fakes.llm_protocols import Behaviour

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
async def student(api):
    parent, _ = await api.parent()
    token, _ = await api.child(parent, grade=4)
    return token


async def test_identical_finished_request_calls_no_model(api, stack, fake_llm, student):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    body = {"kind": "questions", "chapter_id": chapter_id, "topic": unique("Halves"), "count": 3}
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        first = wait_final(http, http.post("/generations", json=body).json()["job_id"])
        assert first["status"] == "succeeded", first

        fake_llm.reset()
        r = http.post("/generations", json=body)
        assert r.status_code == 202
        assert r.json()["status"] == "succeeded"
        cached = http.get(f"/jobs/{r.json()['job_id']}").json()
        assert cached["result"]["content_block_id"] == first["result"]["content_block_id"]
        assert cached["result"]["question_ids"] == first["result"]["question_ids"]
        assert cached["result"]["cached"] is True
        replay = sse_events(base, f"/jobs/{r.json()['job_id']}/events", student)
        assert [e["data"]["status"] for e in replay] == ["succeeded"]
        assert fake_llm.stats()["calls"] == {}  # no model, no moderation call

        # force=true regenerates.
        forced = http.post("/generations", json={**body, "force": True}).json()
        assert forced["status"] == "queued"
        regenerated = wait_final(http, forced["job_id"])
        assert regenerated["result"]["content_block_id"] != first["result"]["content_block_id"]
        assert fake_llm.calls("gemini") == 1


async def test_a_different_route_is_not_identical_work(api, stack, fake_llm, student):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    body = {"kind": "explanation", "chapter_id": chapter_id, "topic": unique("Thirds")}
    admin = httpx.Client(base_url=base, headers=bearer(api.admin_token), timeout=10)
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        first = wait_final(http, http.post("/generations", json=body).json()["job_id"])
        assert first["result"]["model"] == QUESTIONS_MODEL
        route = {"chain": [{"provider": "openai", "model": "gpt-4.1-mini"}]}
        assert admin.put("/admin/model-routes/explanation", json=route).status_code == 200
        try:
            again = http.post("/generations", json=body).json()
            assert again["status"] == "queued"  # the route changed: not served from cache
            assert wait_final(http, again["job_id"])["result"]["model"] == "openai/gpt-4.1-mini"
        finally:
            assert admin.delete("/admin/model-routes/explanation").status_code == 200
        # Back on the first route, the first work is identical again.
        assert http.post("/generations", json=body).json()["status"] == "succeeded"
    admin.close()


async def test_identical_requests_in_flight_make_one_generation(api, stack, fake_llm):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    # Two children of two families ask the same thing at the same moment.
    students = []
    for _ in range(2):
        parent, _ = await api.parent()
        students.append((await api.child(parent, grade=4))[0])
    fake_llm.always("gemini", Behaviour(latency=1.5))
    body = {"kind": "explanation", "chapter_id": chapter_id, "topic": unique("Quarters"),
            "analogy": "a chocolate bar"}
    clients = [httpx.Client(base_url=base, headers=bearer(s), timeout=10) for s in students]
    try:
        accepted = [c.post("/generations", json=body).json() for c in clients]
        assert [a["status"] for a in accepted] == ["queued", "queued"]
        jobs = [wait_final(c, a["job_id"]) for c, a in zip(clients, accepted, strict=True)]
    finally:
        for c in clients:
            c.close()
    assert [j["status"] for j in jobs] == ["succeeded", "succeeded"]
    assert jobs[0]["result"]["content_block_id"] == jobs[1]["result"]["content_block_id"]
    linked = [j for j in jobs if "deduplicated_from" in j["result"]]
    assert len(linked) == 1
    assert linked[0]["result"]["deduplicated_from"] in {j["id"] for j in jobs}
    assert fake_llm.calls("gemini") == 1
    assert fake_llm.calls("moderation") == 1
