"""Next question: from the least-mastered chapter of the child's grade, never with its answer."""

from __future__ import annotations

from tests.driver import bearer
from tests.grading.conftest import MCQ, add_questions

# A grade of its own, so questions other tests publish cannot change which chapter is weakest.
LAB = {"grades": [{"grade": 12, "subjects": [{"name": "Practice Lab", "chapters": [
    {"name": "Lab chapter one", "topics": ["one"]},
    {"name": "Lab chapter two", "topics": ["two"]},
]}]}]}


async def test_picks_the_least_mastered_chapter(client, api, sessions):
    r = await client.post("/curriculum/import", json=LAB, headers=bearer(api.admin_token))
    assert r.status_code == 200, r.text
    r = await client.get("/curriculum", params={"grade": 12, "subject": "Practice Lab"},
                         headers=bearer(api.admin_token))
    one, two = sorted((c for c in r.json()), key=lambda c: c["chapter_name"])
    parent, _ = await api.parent()
    student, profile_id = await api.child(parent, grade=12)
    path = f"/profiles/{profile_id}/next-question"

    r = await client.get(path, headers=bearer(student))
    assert r.status_code == 404 and "grade 12" in r.json()["detail"]

    (q_one,) = await add_questions(sessions, one["id"], MCQ)
    (q_two,) = await add_questions(sessions, two["id"], MCQ)
    await add_questions(sessions, two["id"], MCQ, status="held")  # never offered

    # Nothing practised: both sit at the prior; curriculum order decides.
    r = await client.get(path, headers=bearer(student))
    assert r.status_code == 200, r.text
    first = r.json()
    assert (first["chapter_id"], first["question_id"]) == (one["id"], q_one)
    assert first["options"] == MCQ["options"] and "correct_answer" not in first

    # Wrong in chapter one: P(L) .1 -> .111, above chapter two's untouched prior .1.
    r = await client.post(f"/questions/{q_one}/answers", json={"answer": 1},
                          headers=bearer(student))
    assert r.json()["correct"] is False
    r = await client.get(path, headers=bearer(parent))
    assert r.json()["chapter_id"] == two["id"] and r.json()["question_id"] == q_two

    # Right twice in chapter two: it is now far better known, so chapter one comes back.
    for _ in range(2):
        r = await client.post(f"/questions/{q_two}/answers", json={"answer": 0},
                              headers=bearer(student))
        assert r.json()["correct"] is True
    r = await client.get(path, headers=bearer(student))
    assert r.json()["chapter_id"] == one["id"]
    assert r.json()["mastery"] < 0.2

    other_parent, _ = await api.parent()
    r = await client.get(path, headers=bearer(other_parent))
    assert r.status_code == 404
