"""Who may see and change the queues: admin all, operator reads, parent and student nothing."""

from __future__ import annotations

from tests.driver import bearer
from tests.ops.conftest import operator_token

READS = [("GET", "/admin/queues"), ("GET", "/admin/queues/history?window=1h"),
         ("GET", "/admin/queues/default/dead")]
WRITES = [("POST", "/admin/queues/default/dead/requeue"), ("DELETE", "/admin/queues/default/dead")]


async def test_roles(api, ops):
    _, client, _ = ops
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    operator = await operator_token(api)
    for method, path in [*READS, *WRITES, ("GET", "/admin/queues/events")]:
        assert (await client.request(method, path)).status_code == 401, path
        for token in (parent, student):
            r = await client.request(method, path, headers=bearer(token))
            assert r.status_code == 403, (path, r.text)
    for method, path in READS:
        assert (await client.request(method, path, headers=bearer(operator))).status_code == 200, path
        assert (await client.request(method, path, headers=bearer(api.admin_token))).status_code == 200
    for method, path in WRITES:
        assert (await client.request(method, path, headers=bearer(operator))).status_code == 403, path
        assert (await client.request(method, path, headers=bearer(api.admin_token))).status_code == 200


async def test_bad_input_is_4xx(api, ops):
    _, client, _ = ops
    admin = bearer(api.admin_token)
    assert (await client.get("/admin/queues/history?window=2y", headers=admin)).status_code == 422
    assert (await client.get("/admin/queues/no-such-queue/dead", headers=admin)).status_code == 404
    assert (await client.get("/admin/queues/bad%20name!/dead", headers=admin)).status_code == 422
    assert (await client.get("/admin/queues/default/dead?limit=0", headers=admin)).status_code == 422
    r = await client.get(f"/admin/queues/default/dead?offset={2**70}", headers=admin)
    assert r.status_code == 422  # not a Redis "out of range" error turned 503
    r = await client.post("/admin/queues/default/dead/requeue?message_id=nope", headers=admin)
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    r = await client.delete("/admin/queues/default/dead?message_id=nope", headers=admin)
    assert r.status_code == 404


async def test_empty_system_answers(api, ops):
    settings, client, _ = ops
    r = await client.get("/admin/queues", headers=bearer(api.admin_token))
    body = r.json()
    assert body["queues"] == [{"name": "default", "ready": 0, "delayed": 0, "in_flight": 0,
                               "stranded": 0, "dead": 0, "busy": 0, "oldest_age_seconds": None}]
    assert body["workers"] == []
    # Provider health and spend are reported (other tests' AI calls may share this Redis).
    assert isinstance(body["providers"], list) and body["ai_cost_today_usd"] >= 0
    assert r.headers["x-request-id"]
    r = await client.get("/admin/queues", headers={**bearer(api.admin_token), "X-Request-ID": "trace-1"})
    assert r.headers["x-request-id"] == "trace-1"
