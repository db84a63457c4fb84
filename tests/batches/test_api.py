"""The batch API without workers: plans, bad input, roles, an empty plan."""

from __future__ import annotations

from sqlalchemy import select

from shared.content.models import ContentBlock
from shared.curriculum.models import Chapter
from shared.db import create_engine, session_factory, session_scope
from shared.ops.keys import Keys
from tests.batches.conftest import GRADE, small_grade
from tests.driver import bearer


async def test_dry_run_plans_and_enqueues_nothing(batch_api):
    api, operator, app = batch_api
    subject = await small_grade(api, chapters=7)
    redis, keys = app.state.redis, Keys(api.settings.broker_namespace)
    before = (await api.client.get("/batches", headers=bearer(operator))).json()
    queued = await redis.llen(keys.queue("batch"))
    r = await api.client.post("/batches", headers=bearer(operator), json={
        "grade": GRADE, "subjects": [subject], "kinds": ["explanation"], "dry_run": True})
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["batch_id"] is None
    assert (plan["total_jobs"], plan["skipped_existing"]) == (7, 0)
    # openai/gpt-4.1-mini leads the route here: the price table gives a real estimate.
    assert 0 < plan["estimated_cost_usd"] < 7 * 0.01
    assert await redis.llen(keys.queue("batch")) == queued
    assert (await api.client.get("/batches", headers=bearer(operator))).json() == before


async def test_bad_input_is_a_clear_4xx(batch_api):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=2)
    post = lambda body, token=operator: api.client.post(  # noqa: E731
        "/batches", headers=bearer(token), json=body)
    r = await api.client.get("/curriculum", headers=bearer(operator))
    empty = min(set(range(13)) - {c["grade"] for c in r.json()})
    r = await post({"grade": empty})
    assert r.status_code == 422 and f"Grade {empty} has no curriculum" in r.json()["detail"]
    assert f"{GRADE}" in r.json()["detail"].split(":", 1)[1]  # names the grades that exist
    r = await post({"grade": GRADE, "subjects": ["Astrology"]})
    assert r.status_code == 422 and "'Astrology'" in r.json()["detail"]
    assert subject in r.json()["detail"]  # names the subjects that exist
    r = await post({"grade": GRADE, "subjects": [subject], "budget_usd": -1})
    assert r.status_code == 422
    r = await post({"grade": GRADE, "kinds": []})
    assert r.status_code == 422
    parent, _ = await api.parent()
    assert (await post({"grade": GRADE}, parent)).status_code == 403
    assert (await api.client.get("/batches/999999", headers=bearer(operator))).status_code == 404
    r = await api.client.post("/batches/999999/cancel", headers=bearer(operator))
    assert r.status_code == 404


async def test_nothing_to_run_is_created_succeeded(batch_api):
    api, operator, app = batch_api
    subject = await small_grade(api, chapters=3)
    engine = create_engine(api.settings)
    async with session_scope(session_factory(engine), None) as session:
        for chapter in await session.scalars(select(Chapter).where(Chapter.subject == subject)):
            session.add(ContentBlock(chapter_id=chapter.id, type="explanation", content_json={},
                                     ai_model_used="test/x", status="approved"))
    await engine.dispose()
    r = await api.client.post("/batches", headers=bearer(operator), json={
        "grade": GRADE, "subjects": [subject], "kinds": ["explanation"]})
    assert r.status_code == 202, r.text
    plan = r.json()
    assert (plan["total_jobs"], plan["skipped_existing"]) == (0, 3)
    batch = (await api.client.get(f"/batches/{plan['batch_id']}", headers=bearer(operator))).json()
    assert batch["status"] == "succeeded" and batch["finished_at"]
    assert (batch["total"], batch["skipped"], batch["succeeded"]) == (0, 3, 0)
    # Listed for the operator page, newest first.
    listed = (await api.client.get("/batches", headers=bearer(operator))).json()
    assert listed[0]["id"] == plan["batch_id"]
    # Cancelling a batch that has ended is a conflict, not a silent success.
    r = await api.client.post(f"/batches/{plan['batch_id']}/cancel", headers=bearer(operator))
    assert r.status_code == 409
