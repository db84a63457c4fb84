"""MCQs are graded in the request: the grade, progress and an answer event, one transaction."""

from __future__ import annotations

import json

import pytest

from shared.streams import EVENTS_STREAM
from tests.driver import bearer
from tests.grading.conftest import MCQ, SHORT, add_questions


@pytest.fixture
async def family(api):
    parent, _ = await api.parent()
    student, profile_id = await api.child(parent, grade=4)
    return {"parent": parent, "student": student, "profile_id": profile_id}


@pytest.fixture
async def mcq(api, sessions):
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    (question_id,) = await add_questions(sessions, chapter_id, MCQ)
    return question_id, chapter_id


async def _answer_events(redis, submission_id: int) -> list[dict]:
    found = []
    for _id, fields in await redis.xrange(EVENTS_STREAM):
        for record in json.loads(fields[b"data"]):
            if record["metadata"].get("submission_id") == submission_id:
                found.append(record)
    return found


async def test_correct_and_incorrect_update_progress(client, family, mcq, redis):
    question_id, chapter_id = mcq
    auth = bearer(family["student"])
    r = await client.post(f"/questions/{question_id}/answers", json={"answer": 0}, headers=auth)
    assert r.status_code == 200, r.text
    right = r.json()
    assert right["status"] == "graded" and right["correct"] is True and right["score"] == 10
    assert right["correct_answer"] == {"index": 0, "text": "3/4",
                                       "explanation": MCQ["correct_answer"]["explanation"]}
    assert right["feedback"].startswith("Correct!")

    # By exact option text; wrong this time.
    r = await client.post(f"/questions/{question_id}/answers", json={"answer": "2/6"},
                          headers=auth)
    assert r.status_code == 200, r.text
    wrong = r.json()
    assert wrong["correct"] is False and wrong["score"] == 0
    assert "3/4" in wrong["feedback"]

    r = await client.get(f"/profiles/{family['profile_id']}/progress", headers=auth)
    assert r.status_code == 200, r.text
    (row,) = [row for row in r.json() if row["chapter_id"] == chapter_id]
    assert (row["attempted"], row["correct"], row["average_score"]) == (2, 1, 5.0)
    assert row["status"] == "in_progress" and row["completed_at"] is None
    assert 0 < row["mastery"] < 1
    # The parent sees the same.
    r = await client.get(f"/profiles/{family['profile_id']}/progress",
                         headers=bearer(family["parent"]))
    assert r.status_code == 200 and r.json() == [row] or row in r.json()

    r = await client.get(f"/submissions/{right['submission_id']}", headers=auth)
    assert r.status_code == 200, r.text
    sub = r.json()
    assert sub["answer"] == 0 and sub["status"] == "graded" and sub["score"] == 10
    assert sub["graded_by"] == "mcq/exact-match" and sub["provisional"] is False
    assert sub["flagged"] is False and sub["graded_at"]
    assert "correct_answer" not in sub

    (event,) = await _answer_events(redis, right["submission_id"])
    assert event["event_type"] == "answer" and event["profile_id"] == family["profile_id"]
    assert event["metadata"]["chapter_id"] == chapter_id
    assert event["metadata"]["correct"] is True


async def test_parent_answers_for_own_child_only(client, api, family, mcq):
    question_id, _ = mcq
    parent = bearer(family["parent"])
    r = await client.post(f"/questions/{question_id}/answers", headers=parent,
                          json={"answer": "3/4", "profile_id": family["profile_id"]})
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
    r = await client.post(f"/questions/{question_id}/answers", headers=parent,
                          json={"answer": 0})
    assert r.status_code == 422 and "profile_id" in r.json()["detail"]

    other_parent, _ = await api.parent()
    r = await client.post(f"/questions/{question_id}/answers", headers=bearer(other_parent),
                          json={"answer": 0, "profile_id": family["profile_id"]})
    assert r.status_code == 404
    r = await client.post(f"/questions/{question_id}/answers", headers=bearer(api.admin_token),
                          json={"answer": 0, "profile_id": family["profile_id"]})
    assert r.status_code == 403


async def test_bad_input_gets_a_clear_4xx(client, api, family, mcq, sessions):
    question_id, chapter_id = mcq
    auth = bearer(family["student"])
    (held,) = await add_questions(sessions, chapter_id, MCQ, status="held")
    cases = [
        (2**31 - 1, {"answer": 0}, 404, "Question not found"),
        (held, {"answer": 0}, 404, "Question not found"),
        (question_id, {"answer": 4}, 422, "choose an index from 0 to 3"),
        (question_id, {"answer": -1}, 422, "choose an index from 0 to 3"),
        (question_id, {"answer": "5/8"}, 422, "not one of the options"),
        (question_id, {"answer": "   "}, 422, "empty"),
        (question_id, {"answer": "x" * 5001}, 422, "at most 5,000 characters"),
        (question_id, {"answer": 1.5}, 422, None),
        (question_id, {"answer": None}, 422, None),
        (question_id, {}, 422, None),
        (question_id, {"answer": "a\u0000b"}, 422, "NUL"),
    ]
    for qid, body, status, text in cases:
        r = await client.post(f"/questions/{qid}/answers", json=body, headers=auth)
        assert r.status_code == status, (body if len(str(body)) < 80 else "long", r.text)
        if text:
            assert text in json.dumps(r.json()), r.text
    # Nothing was counted by any of them.
    r = await client.get(f"/profiles/{family['profile_id']}/progress", headers=auth)
    assert r.json() == []


async def test_submissions_are_seen_by_their_family_and_staff_only(client, api, family, mcq):
    question_id, _ = mcq
    r = await client.post(f"/questions/{question_id}/answers", json={"answer": 1},
                          headers=bearer(family["student"]))
    submission_id = r.json()["submission_id"]
    other_parent, _ = await api.parent()
    other_student, other_profile = await api.child(other_parent)
    for token, status in ((family["parent"], 200), (api.admin_token, 200),
                          (other_parent, 404), (other_student, 404)):
        r = await client.get(f"/submissions/{submission_id}", headers=bearer(token))
        assert r.status_code == status, (status, r.text)
    for token in (other_parent, other_student):
        r = await client.get(f"/profiles/{family['profile_id']}/progress", headers=bearer(token))
        assert r.status_code == 404
    r = await client.get("/submissions/999999999", headers=bearer(family["parent"]))
    assert r.status_code == 404


async def test_short_answer_is_accepted_for_the_worker(client, family, api, sessions):
    chapter_id = await api.chapter_id(grade=4, subject="Math")
    (question_id,) = await add_questions(sessions, chapter_id, SHORT)
    r = await client.post(f"/questions/{question_id}/answers", json={"answer": "Sunlight!"},
                          headers=bearer(family["student"]))
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "pending" and body["job_id"] and body["score"] is None
    r = await client.get(f"/jobs/{body['job_id']}", headers=bearer(family["student"]))
    assert r.status_code == 200 and r.json()["kind"] == "grading"
    r = await client.get(f"/submissions/{body['submission_id']}", headers=bearer(family["parent"]))
    assert r.json()["status"] == "pending" and r.json()["answer"] == "Sunlight!"
