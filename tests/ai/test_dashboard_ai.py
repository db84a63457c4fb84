"""The admin queue dashboard shows the AI chain's provider health and today's spend."""

from __future__ import annotations

from pipelines.ai.chain import run_task
from shared.ai.service import default_config
from tests.ai.helpers import EXPLAIN, GOOD_EXPLANATION, chain
from tests.driver import bearer
from tests.fakes.llm_server import Behaviour


async def test_dashboard_reports_provider_health_and_cost(api, client, fake_llm, ai_settings, redis):
    before = (await client.get("/admin/queues", headers=bearer(api.admin_token))).json()
    fake_llm.script("openai", Behaviour(content=GOOD_EXPLANATION, usage=(1000, 500)))
    await run_task("explanation", EXPLAIN, redis=redis, settings=ai_settings,
                   config=default_config(ai_settings), route=chain(("openai", "gpt-4.1-mini")),
                   job_id="dash-1")
    r = await client.get("/admin/queues", headers=bearer(api.admin_token))
    assert r.status_code == 200
    body = r.json()
    link = next(p for p in body["providers"] if p["provider"] == "openai")
    assert link["model"] == "gpt-4.1-mini" and link["calls"] >= 1 and link["circuit"] == "closed"
    # A priced model: 1,000 input and 500 output tokens cost something, and it is counted today.
    assert body["ai_cost_today_usd"] > (before["ai_cost_today_usd"] or 0)
    metrics = (await client.get("http://test/metrics")).text
    assert 'studyforge_ai_calls_window{model="gpt-4.1-mini",provider="openai"}' in metrics
    assert 'studyforge_ai_circuit_open{model="gpt-4.1-mini",provider="openai"} 0.0' in metrics
