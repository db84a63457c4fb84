"""The events endpoints through the real app on PostgreSQL + Redis, and the erasure actor in
a real worker process."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pyarrow.compute as pc

from api.app import create_app
from pipelines.events.store import Store
from tests.driver import bearer
from tests.processes import free_port, settings_env, studyforge, wait_log

from .conftest import all_rows

DAY = "2026-02-03"


def ev(event_type="click", *, event_id=None, day=DAY, **metadata):
    return {"event_id": event_id or str(uuid.uuid4()), "timestamp": f"{day}T09:30:00Z",
            "event_type": event_type, "content_id": 1, "metadata": metadata}


async def flush(client, api) -> dict:
    r = await client.post("/admin/flush", headers=bearer(api.admin_token))
    assert r.status_code == 200, r.text
    return r.json()


async def test_events_are_accepted_flushed_and_counted_once(api, client):
    parent, _ = await api.parent()
    student, profile_id = await api.child(parent)
    batch = [ev("answer", chapter_id=3, correct=True), ev("view"), ev("view")]
    r = await client.post("/events", headers=bearer(student), json={"events": batch})
    assert r.status_code == 202 and r.json() == {"accepted": 3}
    # The app retries the same call (same event ids), and sends one event without id/time.
    assert (await client.post("/events", headers=bearer(student),
                              json={"events": batch})).status_code == 202
    assert (await client.post("/events", headers=bearer(student),
                              json={"events": [{"event_type": "hint"}]})).status_code == 202

    counts = await flush(client, api)
    assert counts["events"] >= 7 and counts["files"] >= 1
    r = await client.get("/admin/analytics/events-by-type", headers=bearer(api.admin_token),
                         params={"start": DAY, "end": DAY})
    assert r.status_code == 200
    assert r.json() == {"columns": ["event_type", "events"], "rows": [["view", 2], ["answer", 1]]}

    timeline = await client.get(f"/profiles/{profile_id}/activity", headers=bearer(parent),
                                params={"start": DAY})
    assert timeline.status_code == 200
    items = timeline.json()
    assert len(items) == 4 and items[0]["event_type"] == "hint"  # newest first, each once
    assert sorted(i["event_id"] for i in items[1:]) == sorted(e["event_id"] for e in batch)
    own = await client.get(f"/profiles/{profile_id}/activity", headers=bearer(student))
    assert own.status_code == 200


async def test_every_report_answers(api, client):
    for name in ("daily-active", "events-by-type", "chapter-accuracy", "ai-cost",
                 "ai-fallbacks", "job-latency"):
        r = await client.get(f"/admin/analytics/{name}", headers=bearer(api.admin_token))
        assert r.status_code == 200, (name, r.text)
        assert set(r.json()) == {"columns", "rows"}
    r = await client.get("/admin/analytics/nope", headers=bearer(api.admin_token))
    assert r.status_code == 404 and "daily-active" in r.json()["detail"]
    r = await client.get("/admin/analytics/daily-active", headers=bearer(api.admin_token),
                         params={"start": "2026-02-05", "end": "2026-02-01"})
    assert r.status_code == 422
    r = await client.get("/admin/analytics/daily-active", headers=bearer(api.admin_token),
                         params={"start": "yesterday"})
    assert r.status_code == 422
    r = await client.get("/admin/ai-history", headers=bearer(api.admin_token))
    assert r.status_code == 200 and isinstance(r.json(), list)


async def test_bad_batches_and_wrong_callers(api, client):
    parent, _ = await api.parent()
    student, profile_id = await api.child(parent)
    stranger, _ = await api.parent()
    r = await client.post("/events", headers=bearer(student),
                          json={"events": [ev() for _ in range(501)]})
    assert r.status_code == 413 and "at most 500" in r.json()["detail"]
    r = await client.post("/events", headers=bearer(student),
                          json={"events": [ev(blob="x" * 5000)]})
    assert r.status_code == 422 and "4096" in r.text
    for body in ({"events": []}, {"events": [{"event_type": "scroll"}]}, {"nope": 1},
                 {"events": [{"event_type": "click", "timestamp": "not a time"}]}):
        r = await client.post("/events", headers=bearer(student), json=body)
        assert r.status_code == 422, body
    assert (await client.post("/events", json={"events": [ev()]})).status_code == 401
    r = await client.post("/events", headers=bearer(parent), json={"events": [ev()]})
    assert r.status_code == 403
    assert (await client.post("/admin/flush", headers=bearer(student))).status_code == 403
    r = await client.get("/admin/analytics/daily-active", headers=bearer(parent))
    assert r.status_code == 403
    r = await client.get(f"/profiles/{profile_id}/activity", headers=bearer(stranger))
    assert r.status_code == 404


async def test_redis_down_is_503_and_nothing_is_claimed(api, settings):
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    app = create_app(settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t/api/v1") as c:
            r = await c.post("/events", headers=bearer(student), json={"events": [ev()]})
    assert r.status_code == 503
    assert "Redis" in r.json()["detail"]


async def test_deleting_a_child_erases_its_events_from_parquet(api, client, settings, tmp_path):
    parent, _ = await api.parent()
    doomed_token, doomed = await api.child(parent, name="Doomed")
    kept_token, kept = await api.child(parent, name="Kept")
    for token in (doomed_token, kept_token):
        r = await client.post("/events", headers=bearer(token),
                              json={"events": [ev(day="2026-02-07") for _ in range(5)]})
        assert r.status_code == 202
    await flush(client, api)
    store = Store.from_settings(settings)

    def rows(profile_id: int) -> int:
        table = all_rows(store, "events")
        return pc.sum(pc.equal(table["profile_id"], profile_id)).as_py() or 0

    assert rows(doomed) == 5 and rows(kept) == 5
    # Still buffered when the parent deletes the child: must never reach Parquet either.
    await client.post("/events", headers=bearer(doomed_token), json={"events": [ev()]})

    env = settings_env(settings)
    log = tmp_path / "worker.log"
    with studyforge(["worker", "--processes", "1", "--threads", "2"], env, log):
        wait_log(log, "ready for action", timeout=60)
        r = await client.delete(f"/profiles/{doomed}", headers=bearer(parent))
        assert r.status_code == 204
        for _ in range(300):  # the worker erases within 60 s
            if not rows(doomed):
                break
            await asyncio.sleep(0.2)
    await flush(client, api)
    assert rows(doomed) == 0 and rows(kept) == 5
    r = await client.get(f"/profiles/{kept}/activity", headers=bearer(parent),
                         params={"start": "2026-02-07", "end": "2026-02-07"})
    assert len(r.json()) == 5
