"""The admin AI endpoints over HTTP (in-process ASGI) on real Postgres and Redis."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from pipelines.ai import config as ai_config
from pipelines.ai.chain import run_task
from shared.ai.models import ModelRoute, PromptTemplate
from shared.config import Settings
from tests.ai.helpers import EXPLAIN, last_template_id
from tests.driver import ApiDriver, bearer
from tests.fakes.llm_server import Behaviour

ENDPOINTS = [
    ("GET", "/admin/model-routes", None),
    ("GET", "/admin/model-routes/explanation", None),
    ("PUT", "/admin/model-routes/explanation",
     {"chain": [{"provider": "offline", "model": "template-v1"}]}),
    ("DELETE", "/admin/model-routes/explanation", None),
    ("GET", "/admin/prompt-templates/grading", None),
    ("GET", "/admin/prompt-templates/grading/versions", None),
    ("PUT", "/admin/prompt-templates/grading", {"template": "Grade {student_answer}"}),
    ("GET", "/admin/providers", None),
    ("GET", "/admin/ai-history", None),
]


@pytest.fixture(scope="module")
async def admin_app(fake_llm_server, redis_url, pg_url, tmp_path_factory):
    from api.app import create_app
    from tests.ai.conftest import FAST

    settings = Settings(
        environment="test", jwt_secret="test-secret-" + "x" * 40, database_url=pg_url,
        redis_url=redis_url, data_dir=str(tmp_path_factory.mktemp("data")),
        openai_api_key="sk-test", openai_base_url=fake_llm_server.openai_base_url,
        gemini_api_key="gm-test", gemini_base_url=fake_llm_server.gemini_base_url,
        ollama_host=fake_llm_server.ollama_host, **FAST,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t/api/v1") as client:
            driver = ApiDriver(client, settings)
            await driver.bootstrap()
            yield driver, app


@pytest.fixture
async def admin_api(admin_app, redis):
    """The app with default routes and templates again (earlier tests may have edited them)."""
    _api, app = admin_app
    async with app.state.sessions() as session:
        migrated = await last_template_id(session)
    yield admin_app
    async with app.state.sessions() as session:
        await session.execute(ModelRoute.__table__.delete())
        await session.execute(PromptTemplate.__table__.delete().where(PromptTemplate.id > migrated))
        await session.commit()
    ai_config.forget()


async def test_only_admins_may_call_them(admin_api, redis):
    api, _app = admin_api
    parent, _ = await api.parent()
    student, _ = await api.child(parent)
    for method, path, body in ENDPOINTS:
        anonymous = await api.client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)
        for token in (parent, student):
            r = await api.client.request(method, path, json=body, headers=bearer(token))
            assert r.status_code == 403, (method, path, r.text)
        r = await api.client.request(method, path, json=body, headers=bearer(api.admin_token))
        assert r.status_code == 200, (method, path, r.text)


async def test_reroute_a_task_live(admin_api, fake_llm, redis):
    api, app = admin_api
    admin = bearer(api.admin_token)
    routes = (await api.client.get("/admin/model-routes", headers=admin)).json()
    assert [r["task"] for r in routes] == ["explanation", "questions", "distractors", "grading"]
    explanation = routes[0]
    assert explanation["source"] == "default"
    assert [link["provider"] for link in explanation["chain"]] == [
        "gemini", "openai", "ollama", "offline"]

    async def explain():
        return await run_task("explanation", EXPLAIN, redis=redis, settings=app.state.settings,
                              db=app.state.sessions)

    assert (await explain()).model == "gemini/gemini-2.5-flash"
    r = await api.client.put("/admin/model-routes/explanation", headers=admin, json={
        "chain": [{"provider": "openai", "model": "gpt-4.1", "params": {"temperature": 0.3}},
                  {"provider": "offline", "model": "template-v1"}]})
    assert r.status_code == 200 and r.json()["source"] == "custom"
    assert (await explain()).model == "openai/gpt-4.1"  # the very next call, no restart

    r = await api.client.put("/admin/prompt-templates/explanation", headers=admin,
                             json={"template": "Explain {topic} simply, with {analogy}."})
    assert r.status_code == 200 and r.json()["version"] == 2
    result = await explain()
    assert result.template_version == 2
    assert fake_llm.requests[-1]["body"]["messages"][-1]["content"] == (
        "Explain Fractions simply, with pizza.")


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("GET", "/admin/model-routes/poetry", None, 404),
    ("PUT", "/admin/model-routes/poetry", {"chain": [{"provider": "offline", "model": "x"}]}, 404),
    ("PUT", "/admin/model-routes/grading", {"chain": []}, 422),
    ("PUT", "/admin/model-routes/grading", {"chain": [{"provider": "claude", "model": "x"}]}, 422),
    ("PUT", "/admin/model-routes/grading", {"chain": [{"provider": "openai", "model": ""}]}, 422),
    ("PUT", "/admin/prompt-templates/grading", {"template": "Grade {answer}"}, 422),
    ("PUT", "/admin/prompt-templates/grading", {"template": "Grade {student_answer"}, 422),
    ("PUT", "/admin/prompt-templates/grading", {"template": ""}, 422),
    ("GET", "/admin/prompt-templates/poetry", None, 404),
    ("GET", "/admin/ai-history?limit=0", None, 422),
    ("GET", "/admin/ai-history?since=yesterday", None, 422),
])
async def test_bad_input_gets_a_clear_4xx(admin_api, redis, method, path, body, status):
    api, _app = admin_api
    r = await api.client.request(method, path, json=body, headers=bearer(api.admin_token))
    assert r.status_code == status, r.text
    assert r.json()["detail"]


async def test_providers_and_history_show_every_attempt(admin_api, fake_llm, redis):
    api, app = admin_api
    admin = bearer(api.admin_token)
    started = datetime.now(UTC).isoformat()
    fake_llm.script("gemini", Behaviour(status=503), Behaviour(status=503), Behaviour(status=503))
    result = await run_task("explanation", EXPLAIN, redis=redis, settings=app.state.settings,
                            db=app.state.sessions, job_id="job-h")
    assert result.model == "openai/gpt-4.1-mini"  # after three 503s from Gemini

    stats = {(s["provider"], s["model"]): s
             for s in (await api.client.get("/admin/providers", headers=admin)).json()}
    gemini = stats[("gemini", "gemini-2.5-flash")]
    assert (gemini["calls"], gemini["errors"], gemini["error_rate"]) == (3, 3, 1.0)
    assert gemini["circuit"] == "closed" and gemini["consecutive_failures"] == 3
    openai = stats[("openai", "gpt-4.1-mini")]
    assert (openai["calls"], openai["error_rate"]) == (1, 0.0)
    assert openai["latency_p50_ms"] is not None and openai["latency_p95_ms"] is not None

    async def history_rows(**params):
        r = await api.client.get("/admin/ai-history", headers=admin,
                                 params={"since": started, **params})
        assert r.status_code == 200, r.text
        return r.json()

    # Still buffered in Redis: listed at once, newest first, failed attempts included.
    buffered = await history_rows()
    assert [(r["provider"], r["model_name"], r["status"]) for r in buffered] == [
        ("openai", "gpt-4.1-mini", "ok"), ("gemini", "gemini-2.5-flash", "error"),
        ("gemini", "gemini-2.5-flash", "error"), ("gemini", "gemini-2.5-flash", "error")]
    assert buffered[0]["input_tokens"] == 120 and buffered[0]["cost"] > 0
    only_gemini = await history_rows(model="gemini/gemini-2.5-flash", limit=2)
    assert len(only_gemini) == 2 and all(r["provider"] == "gemini" for r in only_gemini)
    assert await history_rows(since="2999-01-01T00:00:00") == []

    # After the flush the same rows come from Parquet, once each.
    r = await api.client.post("/admin/flush", headers=admin)
    assert r.status_code == 200 and r.json()["ai_history"] >= 4, r.text
    assert await redis.xlen("studyforge:stream:ai_history") == 0
    flushed = await history_rows()
    assert [row["request_id"] for row in flushed] == [row["request_id"] for row in buffered]
