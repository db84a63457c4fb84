"""A short answer graded end to end: the API enqueues, a real `studyforge worker` process
grades it through the OpenAI SDK against the fake LLM server, and the API shows the grade."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.driver import bearer
from tests.fakes.llm_protocols import Behaviour
from tests.grading.conftest import SHORT, add_questions
from tests.processes import settings_env, studyforge, wait_log

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def worker(settings, fake_llm, tmp_path):
    env = settings_env(settings, openai_api_key="sk-test", openai_base_url=fake_llm.openai_base_url,
                       ai_backoff_initial_seconds=0.01, ai_backoff_max_seconds=0.05)
    log = tmp_path / "worker.log"
    with studyforge(["worker", "--processes", "1", "--threads", "2"], env, log):
        wait_log(log, "ready for action")
        yield log


async def test_short_answer_graded_by_a_worker_process(client, api, sessions, fake_llm, worker):
    fake_llm.always("openai", Behaviour(content={
        "score": 9, "feedback": "Great! You named sunlight and water.", "flagged": False}))
    parent, _ = await api.parent()
    student, profile_id = await api.child(parent, grade=5)
    chapter_id = await api.chapter_id(grade=5, subject="Science")
    (question_id,) = await add_questions(sessions, chapter_id, SHORT)

    r = await client.post(f"/questions/{question_id}/answers", headers=bearer(student),
                          json={"answer": "Plants use sunlight and water."})
    assert r.status_code == 202, r.text
    accepted = r.json()

    deadline = time.monotonic() + 60
    while True:
        r = await client.get(f"/submissions/{accepted['submission_id']}", headers=bearer(student))
        sub = r.json()
        if sub["status"] != "pending" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert sub["status"] == "graded", (sub, worker.read_text()[-3000:])
    assert (sub["score"], sub["graded_by"], sub["provisional"]) == (9, "openai/gpt-4.1", False)
    assert sub["feedback"].startswith("Great!")
    prompts = [req for req in fake_llm.requests
               if "Plants use sunlight and water." in str(req["body"])]
    assert prompts and "<<<BEGIN STUDENT ANSWER" in str(prompts[-1]["body"])

    r = await client.get(f"/jobs/{accepted['job_id']}", headers=bearer(student))
    assert r.json()["status"] == "succeeded"
    assert r.json()["result"]["submission_id"] == accepted["submission_id"]
    r = await client.get(f"/profiles/{profile_id}/progress", headers=bearer(parent))
    (row,) = [row for row in r.json() if row["chapter_id"] == chapter_id]
    assert (row["attempted"], row["correct"], row["average_score"]) == (1, 1, 9.0)
