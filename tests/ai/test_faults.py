"""Each fault at the protocol level leads to the right retry or fallback, for every SDK."""

from __future__ import annotations

import json

import pytest

from pipelines.ai.chain import ChainFailed, run_task
from shared.ai.service import default_config
from shared.streams import AI_RUN_FIELDS
from tests.ai.helpers import EXPLAIN, chain, history, runs
from tests.fakes.llm_server import Behaviour

APIS = ["openai", "gemini", "ollama"]
BACKUP = {"openai": "gemini", "gemini": "openai", "ollama": "openai"}


async def _run(api, settings, redis, *, params=None, model="primary-model"):
    route = chain((api, model, params or {}), (BACKUP[api], "backup-model"))
    return await run_task("explanation", EXPLAIN, redis=redis, settings=settings,
                          config=default_config(settings), route=route, job_id="j")


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("fault", [Behaviour(status=500), Behaviour(status=503),
                                   Behaviour(status=408), Behaviour(body="<html>Bad gateway")])
async def test_transient_fault_is_retried_on_the_same_link(api, fault, fake_llm, ai_settings, redis):
    fake_llm.script(api, fault)
    result = await _run(api, ai_settings, redis)
    assert result.model == f"{api}/primary-model"
    assert fake_llm.calls(api, "primary-model") == 2
    assert fake_llm.calls(BACKUP[api]) == 0
    first, second = await history(redis)
    assert (first["status"], first["attempt"]) == ("error", 1)
    assert (second["status"], second["attempt"]) == ("ok", 2)
    assert first["error"].startswith("TransientError")


@pytest.mark.parametrize("api", APIS)
async def test_429_waits_for_retry_after(api, fake_llm, ai_settings, redis):
    fake_llm.script(api, Behaviour(status=429, retry_after=0.4))
    result = await _run(api, ai_settings, redis)
    assert result.model == f"{api}/primary-model"
    first, second = fake_llm.requests
    # The backoff alone is at most 0.05 s here; the second call honoured the 0.4 s asked for.
    assert second["at"] - first["at"] >= 0.4
    records = await history(redis)
    assert "429" in records[0]["error"]


@pytest.mark.parametrize("api", APIS)
async def test_retry_after_beyond_the_limit_moves_on(api, make_settings, fake_llm, redis):
    ai_settings = make_settings(ai_max_retry_after_seconds=1.0)
    fake_llm.script(api, Behaviour(status=429, retry_after=120))
    result = await _run(api, ai_settings, redis)
    assert result.model == f"{BACKUP[api]}/backup-model"
    assert fake_llm.calls(api) == 1


@pytest.mark.parametrize("api", APIS)
async def test_timeouts_are_retried_then_fall_back(api, fake_llm, ai_settings, redis):
    fake_llm.always(api, Behaviour(latency=1.5))
    result = await _run(api, ai_settings, redis, params={"timeout_seconds": 0.3})
    assert result.model == f"{BACKUP[api]}/backup-model"
    assert fake_llm.calls(api) == ai_settings.ai_max_attempts
    records = await history(redis)
    assert [r["status"] for r in records] == ["error"] * ai_settings.ai_max_attempts + ["ok"]
    assert all("timed out" in r["error"] for r in records[:-1])
    assert result.fell_back
    # One task run summarises the attempts: what the ai-fallbacks and job-latency reports read.
    [run] = await runs(redis)
    assert tuple(run) == AI_RUN_FIELDS  # exactly the fields the ai_runs dataset reads
    assert (run["job_id"], run["task"], run["ok"]) == ("j", "explanation", True)
    assert run["first_model"] == f"{api}/primary-model"
    assert run["answered_by"] == f"{BACKUP[api]}/backup-model"
    assert run["attempts"] == len(records) and run["timestamp"] == records[0]["timestamp"]
    assert run["latency_ms"] == pytest.approx(sum(r["latency_ms"] for r in records), abs=0.1)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("fault", [Behaviour(status=401), Behaviour(status=400),
                                   Behaviour(content="{not json"),
                                   Behaviour(content={"title": "missing every other field"})])
async def test_non_transient_fault_moves_to_the_next_link_at_once(
    api, fault, fake_llm, ai_settings, redis
):
    fake_llm.script(api, fault)
    result = await _run(api, ai_settings, redis)
    assert result.model == f"{BACKUP[api]}/backup-model"
    assert fake_llm.calls(api) == 1
    failed, ok = await history(redis)
    assert failed["status"] == "error" and ok["status"] == "ok"
    if fault.content is not None:
        # The invalid reply is kept in the history for auditing, never returned as data.
        assert failed["error"].startswith("SchemaError")
        sent = fault.content
        assert failed["raw_response"] == (sent if isinstance(sent, str) else json.dumps(sent))
        assert failed["input_tokens"] == 120  # tokens were spent, so they are counted


async def test_every_link_failing_fails_the_task_with_reasons(fake_llm, ai_settings, redis):
    fake_llm.always("gemini", Behaviour(status=401, message="API key not valid"))
    fake_llm.always("openai", Behaviour(status=503))
    with pytest.raises(ChainFailed) as caught:
        await run_task("explanation", EXPLAIN, redis=redis, settings=ai_settings,
                       config=default_config(ai_settings),
                       route=chain(("gemini", "g"), ("openai", "o")))
    message = caught.value.message
    assert "gemini/g: HTTP 401: API key not valid" in message
    assert "openai/o: HTTP 503" in message
    assert len(caught.value.attempts) == 1 + ai_settings.ai_max_attempts
    assert len(await history(redis)) == 1 + ai_settings.ai_max_attempts
    [run] = await runs(redis)
    assert (run["first_model"], run["answered_by"], run["ok"]) == ("gemini/g", None, False)
    assert run["attempts"] == 1 + ai_settings.ai_max_attempts


async def test_deadline_bounds_the_whole_task(make_settings, fake_llm, redis):
    ai_settings = make_settings(ai_task_deadline_seconds=0.6)
    fake_llm.always("openai", Behaviour(latency=5))
    with pytest.raises(ChainFailed):
        await run_task("explanation", EXPLAIN, redis=redis, settings=ai_settings,
                       config=default_config(ai_settings),
                       route=chain(("openai", "slow"), ("gemini", "never-reached")))
    assert fake_llm.calls("openai") == 1
    assert fake_llm.calls("gemini") == 0


async def test_unconfigured_provider_is_a_failed_link_not_a_crash(make_settings, fake_llm, redis):
    ai_settings = make_settings(gemini_api_key="")
    result = await run_task("explanation", EXPLAIN, redis=redis, settings=ai_settings,
                            config=default_config(ai_settings),
                            route=chain(("gemini", "g"), ("offline", "template-v1")))
    assert result.model == "offline/template-v1"
    failed, _ok = await history(redis)
    assert "not configured" in failed["error"]
