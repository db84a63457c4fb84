"""Curriculum import is an idempotent upsert; chapters hide answers from students."""

from __future__ import annotations

from sqlalchemy import select

from shared.content.models import ContentBlock, Question
from shared.curriculum.service import SAMPLE_CURRICULUM, load_file
from shared.db import create_engine, session_factory, session_scope
from tests.driver import bearer


async def test_second_import_changes_nothing(api, client):
    body = load_file(SAMPLE_CURRICULUM).model_dump()
    r = await client.post("/curriculum/import", json=body, headers=bearer(api.admin_token))
    assert r.json() == {"created": 0, "updated": 0}


async def test_import_creates_then_updates(api, client):
    body = {"grades": [{"grade": 9, "subjects": [{"name": "Chemistry", "chapters": [
        {"name": "Atoms", "topics": ["protons"]}, {"name": "Bonds", "topics": []}]}]}]}
    r = await client.post("/curriculum/import", json=body, headers=bearer(api.admin_token))
    assert r.json() == {"created": 2, "updated": 0}
    body["grades"][0]["subjects"][0]["chapters"][0]["topics"] = ["protons", "electrons"]
    r = await client.post("/curriculum/import", json=body, headers=bearer(api.admin_token))
    assert r.json() == {"created": 0, "updated": 1}
    rows = (await client.get("/curriculum", params={"grade": 9}, headers=bearer(api.admin_token))).json()
    assert [(c["chapter_name"], c["order_index"]) for c in rows] == [("Atoms", 0), ("Bonds", 1)]


async def test_bad_import_is_422(api, client):
    for body in ({"grades": []}, {"grades": [{"grade": 14, "subjects": []}]},
                 {"grades": [{"grade": 2, "subjects": [{"name": " ", "chapters": []}]}]}, {"nope": 1}):
        r = await client.post("/curriculum/import", json=body, headers=bearer(api.admin_token))
        assert r.status_code == 422, body


async def test_listing_and_unknown_chapter(api, client):
    parent, _ = await api.parent()
    rows = (await client.get("/curriculum", params={"grade": 5, "subject": "Science"},
                             headers=bearer(parent))).json()
    assert rows and all(c["grade"] == 5 and c["subject"] == "Science" for c in rows)
    assert (await client.get("/chapters/999999", headers=bearer(parent))).status_code == 404
    assert (await client.get("/curriculum", params={"grade": 40}, headers=bearer(parent))).status_code == 422
    assert (await client.get("/curriculum")).status_code == 401


async def test_students_never_see_correct_answers_or_unapproved_content(api, client, settings):
    chapter_id = await api.chapter_id(grade=3, subject="Science")
    engine = create_engine(settings)
    async with session_scope(session_factory(engine), None) as session:
        approved = ContentBlock(chapter_id=chapter_id, type="questions", content_json={},
                                ai_model_used="offline/template-v1", status="approved")
        held = ContentBlock(chapter_id=chapter_id, type="explanation", content_json={"x": 1},
                            ai_model_used="offline/template-v1", status="held")
        session.add_all([approved, held])
        await session.flush()
        session.add(Question(content_block_id=approved.id, type="mcq", question_text="2+2?",
                             options=["3", "4"], correct_answer={"index": 1}, difficulty="easy"))
    async with session_factory(engine)() as session:
        assert (await session.scalars(select(Question))).first() is not None
    await engine.dispose()

    parent, _ = await api.parent()
    student, _ = await api.child(parent, grade=3)
    for token in (student, parent):
        detail = (await client.get(f"/chapters/{chapter_id}", headers=bearer(token))).json()
        assert [b["status"] for b in detail["content_blocks"]] == ["approved"]
        assert detail["questions"] and "correct_answer" not in detail["questions"][0]
    staff = (await client.get(f"/chapters/{chapter_id}", headers=bearer(api.admin_token))).json()
    assert {b["status"] for b in staff["content_blocks"]} == {"approved", "held"}
    assert staff["questions"][0]["correct_answer"] == {"index": 1}
