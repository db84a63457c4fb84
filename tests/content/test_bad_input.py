"""Bad requests are clear 4xx; bad model replies are failed attempts, never stored."""

from __future__ import annotations

import httpx
import pytest

from tests.content.conftest import unique, wait_final
from tests.content.test_generation import explanation
from tests.driver import bearer
from tests.fakes.llm_protocols import Behaviour

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
async def student(api):
    parent, _ = await api.parent()
    token, _ = await api.child(parent)
    return token


@pytest.mark.parametrize("body", [
    {"kind": "questions", "chapter_id": 1, "count": 0},
    {"kind": "questions", "chapter_id": 1, "count": 21},
    {"kind": "questions", "chapter_id": 1, "count": "five"},
    {"kind": "explanation", "chapter_id": 1, "topic": "t" * 201},
    {"kind": "explanation", "chapter_id": 1, "analogy": "a" * 201},
    {"kind": "explanation", "chapter_id": 1, "topic": ""},
    {"kind": "explanation", "chapter_id": 1, "topic": " \t\n "},
    {"kind": "explanation", "chapter_id": 1, "analogy": "   "},
    {"kind": "questions", "chapter_id": 1, "difficulty": "impossible"},
    {"kind": "explanation", "chapter_id": 1, "topic": "nul\x00byte"},
])
async def test_bad_bodies_are_422(client, student, body):
    r = await client.post("/generations", json=body, headers=bearer(student))
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize("kind", ["explanation", "questions"])
async def test_unknown_chapter_is_404(client, student, kind):
    r = await client.post("/generations", json={"kind": kind, "chapter_id": 2_000_000_000},
                          headers=bearer(student))
    assert r.status_code == 404
    assert r.json()["detail"] == "Chapter 2000000000 not found."


CHINESE = {"title": "分数", "sections": [{"heading": "披萨", "body": "分数是整体的一部分，就像一块披萨。"}],
           "key_points": ["下面的数字告诉我们有几块。"], "analogy": "披萨", "grade": 4, "topic": "分数"}


@pytest.mark.parametrize("bad", [
    Behaviour(content={"explanation": "not the schema"}),  # off-schema
    Behaviour(content=""),  # empty
    Behaviour(content={**explanation("Fractions", "pizza"), "title": "   "}),  # blank text
    Behaviour(content=CHINESE),  # wrong language
], ids=["off-schema", "empty", "blank", "wrong-language"])
async def test_bad_replies_fail_the_attempt_and_the_next_link_answers(
    api, stack, fake_llm, student, bad
):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    topic = unique("Fractions")
    fake_llm.script("gemini", bad)
    fake_llm.script("openai", Behaviour(content=explanation(topic, "pizza")))
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        job = wait_final(http, http.post("/generations", json={
            "kind": "explanation", "chapter_id": chapter_id, "topic": topic}).json()["job_id"])
        assert job["status"] == "succeeded", job
        assert job["result"]["model"] == "openai/gpt-4.1-mini"  # the next link of the route
        assert job["result"]["attempts"] == 2
        staff = http.get(f"/chapters/{chapter_id}", headers=bearer(api.admin_token)).json()
        block = next(b for b in staff["content_blocks"]
                     if b["id"] == job["result"]["content_block_id"])
        assert block["content_json"] == explanation(topic, "pizza")  # only the good reply
    assert fake_llm.calls("gemini") == 1  # a bad reply is not retried on the same link
