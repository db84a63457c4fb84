"""Flagged content is held from children; admins approve or reject it, and the change shows at once."""

from __future__ import annotations

import httpx
import pytest

from tests.content.conftest import unique, wait_final
from tests.content.test_generation import QUESTIONS_REPLY, explanation
from tests.driver import bearer
from tests.fakes.llm_protocols import Behaviour

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
async def student(api):
    parent, _ = await api.parent()
    token, _ = await api.child(parent, grade=4)
    return token


def block_ids(http: httpx.Client, chapter_id: int) -> set[int]:
    return {b["id"] for b in http.get(f"/chapters/{chapter_id}").json()["content_blocks"]}


async def test_built_in_check_holds_a_reply_with_a_link(api, stack, fake_llm, student):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    topic = unique("Decimals")
    reply = explanation(topic, "money")
    reply["key_points"].append("Play more games at www.example-games.com tonight!")
    fake_llm.script("gemini", Behaviour(content=reply))
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        before = block_ids(http, chapter_id)  # fills the read cache
        job = wait_final(http, http.post("/generations", json={
            "kind": "explanation", "chapter_id": chapter_id, "topic": topic}).json()["job_id"])
        assert job["status"] == "succeeded"
        assert job["result"]["review_status"] == "held"
        assert block_ids(http, chapter_id) == before  # never shown to the child
        staff = httpx.get(f"{base}/admin/review", headers=bearer(api.admin_token)).json()
        item = next(i for i in staff if i["id"] == job["result"]["content_block_id"])
        assert item["status"] == "held"
        assert item["reason"] == "explanation: built-in check found external link"


async def test_flagged_questions_are_held_then_approved_or_rejected(api, stack, fake_llm, student):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=5, subject="Science")
    fake_llm.script("gemini", Behaviour(content=QUESTIONS_REPLY))
    # OpenAI's moderation flags the first question (inputs: the title, then each question).
    fake_llm.script("moderation", Behaviour(content={"flagged": [1], "categories": ["violence"]}))
    admin = httpx.Client(base_url=base, headers=bearer(api.admin_token), timeout=10)
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        body = {"kind": "questions", "chapter_id": chapter_id, "topic": unique("Forces"),
                "count": 2}
        job = wait_final(http, http.post("/generations", json=body).json()["job_id"])
        block_id, question_ids = job["result"]["content_block_id"], job["result"]["question_ids"]
        assert job["result"]["review_status"] == "held"
        learner = http.get(f"/chapters/{chapter_id}").json()
        assert block_id not in {b["id"] for b in learner["content_blocks"]}
        assert not {q["id"] for q in learner["questions"]} & set(question_ids)

        # Nor can a held question be answered by id.
        mcq_id = question_ids[0]
        assert http.post(f"/questions/{mcq_id}/answers", json={"answer": 0}).status_code == 404

        review = admin.get("/admin/review").json()
        item = next(i for i in review if i["id"] == block_id)
        assert item["reason"] == "question 1: openai moderation flagged violence"
        assert [q["id"] for q in item["questions"]] == question_ids
        assert item["questions"][0]["correct_answer"]  # reviewers see the answers

        # Approve: the child sees it on the very next read (the chapter cache was invalidated).
        r = admin.post(f"/admin/review/{block_id}/approve")
        assert r.status_code == 200 and r.json()["status"] == "approved"
        learner = http.get(f"/chapters/{chapter_id}").json()
        assert block_id in {b["id"] for b in learner["content_blocks"]}
        assert set(question_ids) <= {q["id"] for q in learner["questions"]}
        assert http.post(f"/questions/{mcq_id}/answers", json={"answer": 0}).status_code == 200
        assert block_id not in {i["id"] for i in admin.get("/admin/review").json()}

        # Reject: gone at once, and an identical request generates anew.
        assert admin.post(f"/admin/review/{block_id}/reject").json()["status"] == "rejected"
        learner = http.get(f"/chapters/{chapter_id}").json()
        assert block_id not in {b["id"] for b in learner["content_blocks"]}
        assert not {q["id"] for q in learner["questions"]} & set(question_ids)
        again = http.post("/generations", json=body).json()
        assert again["status"] == "queued"
        assert wait_final(http, again["job_id"])["result"]["content_block_id"] != block_id
    admin.close()


async def test_review_endpoints_are_for_admins(api, stack, student):
    base, _ = stack
    with httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/admin/review", headers=bearer(student)).status_code == 403
        assert http.post("/admin/review/1/approve", headers=bearer(student)).status_code == 403
        admin = bearer(api.admin_token)
        r = http.post("/admin/review/2147483000/approve", headers=admin)
        assert r.status_code == 404 and r.json()["detail"] == "Content block 2147483000 not found."
        assert http.post("/admin/review/0/reject", headers=admin).status_code == 422
