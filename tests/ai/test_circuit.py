"""The circuit breaker opens after repeated failures, skips the link, then probes it once."""

from __future__ import annotations

import asyncio

import pytest

from pipelines.ai.chain import run_task
from pipelines.ai.circuit import read_state
from shared.ai.service import default_config
from tests.ai.helpers import EXPLAIN, chain
from tests.fakes.llm_server import Behaviour


@pytest.fixture
def circuit_settings(make_settings):
    return make_settings(ai_max_attempts=1, ai_circuit_failure_threshold=3,
                         ai_circuit_cooldown_seconds=0.6)


async def _explain(settings, redis):
    return await run_task("explanation", EXPLAIN, redis=redis, settings=settings,
                          config=default_config(settings),
                          route=chain(("gemini", "flaky"), ("openai", "steady")))


async def test_circuit_opens_skips_then_half_opens_and_closes(circuit_settings, fake_llm, redis):
    fake_llm.always("gemini", Behaviour(status=503))
    for _ in range(3):
        result = await _explain(circuit_settings, redis)
        assert result.model == "openai/steady"
    assert fake_llm.calls("gemini") == 3
    assert (await read_state(redis, "gemini/flaky")).state == "open"

    # Open: the failing provider is not called at all; the fallback answers.
    for _ in range(5):
        result = await _explain(circuit_settings, redis)
        assert result.skipped == ["gemini/flaky"]
        assert result.model == "openai/steady"
    assert fake_llm.calls("gemini") == 3

    # After the cool-down one probe goes through; it fails, so the circuit opens again.
    await asyncio.sleep(0.7)
    assert (await read_state(redis, "gemini/flaky")).state == "half_open"
    await _explain(circuit_settings, redis)
    assert fake_llm.calls("gemini") == 4
    assert (await read_state(redis, "gemini/flaky")).state == "open"

    # The provider recovers: the next probe succeeds and closes the circuit.
    fake_llm.always("gemini", None)
    await asyncio.sleep(0.7)
    result = await _explain(circuit_settings, redis)
    assert result.model == "gemini/flaky"
    state = await read_state(redis, "gemini/flaky")
    assert (state.state, state.failures) == ("closed", 0)


async def test_half_open_lets_exactly_one_probe_through(circuit_settings, fake_llm, redis):
    fake_llm.always("gemini", Behaviour(status=503))
    for _ in range(3):
        await _explain(circuit_settings, redis)
    await asyncio.sleep(0.7)
    # Recovered but slow: while the single probe is in flight, everyone else skips the link.
    fake_llm.always("gemini", Behaviour(latency=0.5))
    before = fake_llm.calls("gemini")
    results = await asyncio.gather(*[_explain(circuit_settings, redis) for _ in range(8)])
    assert fake_llm.calls("gemini") - before == 1
    assert sorted(r.model for r in results).count("gemini/flaky") == 1
    assert (await read_state(redis, "gemini/flaky")).state == "closed"


async def test_successes_reset_the_failure_count(circuit_settings, fake_llm, redis):
    # Failures that are not consecutive never open the circuit.
    for _ in range(4):
        fake_llm.script("gemini", Behaviour(status=503))
        await _explain(circuit_settings, redis)
        await _explain(circuit_settings, redis)
    state = await read_state(redis, "gemini/flaky")
    assert state.state == "closed"
