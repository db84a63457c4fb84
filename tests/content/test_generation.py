"""Explanations and questions end to end: student's request -> worker -> fake LLM -> chapter."""

from __future__ import annotations

import httpx
import pytest

from tests.content.conftest import (
    DISTRACTORS_MODEL,
    QUESTIONS_MODEL,
    chat_calls,
    sse_events,
    unique,
    wait_final,
)
from tests.driver import bearer
from tests.fakes.llm_protocols import Behaviour

pytestmark = pytest.mark.timeout(180)

STAGES = ["queued", "generating", "moderating", "saved"]


def explanation(topic: str, analogy: str) -> dict:
    return {
        "title": f"{topic} with {analogy}",
        "sections": [{"heading": "Sharing a pizza",
                      "body": "When you cut a pizza into four equal slices, each slice is "
                              "one quarter of the whole pizza."}],
        "key_points": ["The bottom number says how many equal slices the whole has."],
        "analogy": analogy, "grade": 4, "topic": topic,
    }


@pytest.fixture
async def student(api):
    parent, _ = await api.parent()
    token, _ = await api.child(parent, grade=4)
    return token


async def test_explanation_moves_through_stages_and_is_shown(api, stack, fake_llm, student):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    topic = unique("Fractions")
    fake_llm.script("gemini", Behaviour(content=explanation(topic, "pizza slices"), latency=1.0))
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        r = http.post("/generations", json={"kind": "explanation", "chapter_id": chapter_id,
                                            "topic": topic, "analogy": "pizza slices"})
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        events = sse_events(base, f"/jobs/{job_id}/events", student)
        stages = [e["data"]["stage"] for e in events]
        seen = list(dict.fromkeys(stages))
        assert seen == [s for s in STAGES if s in seen], stages  # in order, none out of place
        assert {"generating", "moderating", "saved"} <= set(seen), stages
        job = events[-1]["data"]
        assert job["status"] == "succeeded"
        assert job["result"]["model"] == QUESTIONS_MODEL
        assert job["result"]["review_status"] == "approved"

        chapter = http.get(f"/chapters/{chapter_id}").json()
        block = next(b for b in chapter["content_blocks"]
                     if b["id"] == job["result"]["content_block_id"])
        assert block["content_json"] == explanation(topic, "pizza slices")
        assert block["ai_generated"] is True and block["ai_model_used"] == QUESTIONS_MODEL
    assert chat_calls(fake_llm) == [QUESTIONS_MODEL]
    assert fake_llm.calls("moderation") == 1  # checked before anyone could see it


QUESTIONS_REPLY = {"questions": [
    {"type": "mcq", "question_text": "What is the capital of France?",
     "options": ["Paris", "Lyon", "Nice", "Lille"], "correct_answer": "Paris",
     "explanation": "Paris is where France's government sits.", "rubric": "",
     "difficulty": "easy"},
    {"type": "short", "question_text": "Why do we use maps?", "options": [],
     "correct_answer": "To find our way and see where places are.", "explanation": "",
     "rubric": "Mentions finding the way or locating places.", "difficulty": "easy"},
    {"type": "short", "question_text": "One too many: this one is cut.", "options": [],
     "correct_answer": "Anything.", "explanation": "", "rubric": "Any.", "difficulty": "easy"},
]}


async def test_questions_take_distractors_from_the_second_route(api, stack, fake_llm, student):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=5, subject="Science")
    fake_llm.script("gemini", Behaviour(content=QUESTIONS_REPLY))
    # A duplicate of the right answer (other case and spacing) and a repeated option: dropped.
    fake_llm.script("ollama", Behaviour(content={"distractors": [
        "  paris", "Rome", "rome ", "Berlin", "Madrid"]}))
    body = {"kind": "questions", "chapter_id": chapter_id, "topic": unique("Maps"), "count": 2,
            "difficulty": "easy"}
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        r = http.post("/generations", json=body)
        assert r.status_code == 202, r.text
        job = wait_final(http, r.json()["job_id"])
        assert job["status"] == "succeeded", job
        result = job["result"]
        assert result["model"] == QUESTIONS_MODEL
        assert result["distractors_model"] == DISTRACTORS_MODEL
        assert len(result["question_ids"]) == 2  # count=2: the third question was cut

        staff = http.get(f"/chapters/{chapter_id}", headers=bearer(api.admin_token)).json()
        block = next(b for b in staff["content_blocks"] if b["id"] == result["content_block_id"])
        assert block["type"] == "questions" and block["status"] == "approved"
        rows = {q["id"]: q for q in staff["questions"] if q["id"] in result["question_ids"]}
        mcq = next(q for q in rows.values() if q["type"] == "mcq")
        short = next(q for q in rows.values() if q["type"] == "short")
        # The wrong options are the distractors route's, deduplicated; never the answer twice.
        assert sorted(mcq["options"]) == ["Berlin", "Madrid", "Paris", "Rome"]
        answer = mcq["correct_answer"]
        assert mcq["options"][answer["index"]] == answer["text"] == "Paris"
        assert answer["explanation"] == "Paris is where France's government sits."
        assert mcq["ai_model_used"] == QUESTIONS_MODEL
        assert mcq["distractors_model"] == DISTRACTORS_MODEL
        assert short["options"] is None
        assert short["correct_answer"] == {
            "reference": "To find our way and see where places are.",
            "rubric": "Mentions finding the way or locating places."}
        assert short["distractors_model"] is None

        learner = http.get(f"/chapters/{chapter_id}")
        assert "correct_answer" not in learner.text
        seen = [q for q in learner.json()["questions"] if q["id"] in result["question_ids"]]
        assert len(seen) == 2 and all(q["ai_generated"] for q in seen)
    # Two calls on two routes and two models: the questions, then the distractors.
    assert chat_calls(fake_llm) == [QUESTIONS_MODEL, DISTRACTORS_MODEL]
    ollama = next(r for r in fake_llm.requests if r["api"] == "ollama")
    distractor_prompt = ollama["body"]["messages"][-1]["content"]
    assert "What is the capital of France?" in distractor_prompt and "Paris" in distractor_prompt


async def test_too_few_distractors_fall_back_to_the_questions_own_options(
    api, stack, fake_llm, student
):
    base, _ = stack
    chapter_id = await api.chapter_id(grade=5, subject="Science")
    fake_llm.script("gemini", Behaviour(content={"questions": QUESTIONS_REPLY["questions"][:1]}))
    fake_llm.script("ollama", Behaviour(content={"distractors": ["PARIS"]}))  # nothing usable
    with httpx.Client(base_url=base, headers=bearer(student), timeout=10) as http:
        r = http.post("/generations", json={"kind": "questions", "chapter_id": chapter_id,
                                            "topic": unique("Capitals"), "count": 1})
        job = wait_final(http, r.json()["job_id"])
        assert job["status"] == "succeeded", job
        staff = http.get(f"/chapters/{chapter_id}", headers=bearer(api.admin_token)).json()
        mcq = next(q for q in staff["questions"] if q["id"] == job["result"]["question_ids"][0])
        assert sorted(mcq["options"]) == ["Lille", "Lyon", "Nice", "Paris"]
        assert mcq["distractors_model"] is None  # the question model wrote every option
