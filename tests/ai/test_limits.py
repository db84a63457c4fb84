"""Per-provider in-flight and rate caps hold across concurrent callers (state in Redis)."""

from __future__ import annotations

import asyncio

import pytest

from pipelines.ai.chain import run_task
from pipelines.ai.limits import ProviderLimits, SlotTimeout
from shared.ai.service import default_config
from tests.ai.helpers import EXPLAIN, chain


async def test_in_flight_cap_is_respected(make_settings, fake_llm, redis):
    ai_settings = make_settings(ai_max_in_flight={"openai": 2})
    fake_llm.set_latency(0.2)
    config = default_config(ai_settings)
    results = await asyncio.gather(*[
        run_task("explanation", EXPLAIN, redis=redis, settings=ai_settings, config=config,
                 route=chain(("openai", "capped")))
        for _ in range(6)
    ])
    assert len(results) == 6
    assert fake_llm.stats()["max_in_flight"] == 2
    # Every lease was given back.
    assert await redis.zcard("studyforge:ai:limit:openai:inflight") == 0


async def test_rate_limit_allows_a_burst_then_makes_callers_wait(redis):
    limits = ProviderLimits(redis, requests_per_minute={"gemini": 60}, max_in_flight={})
    # 60/min: one a second, with a burst of a tenth of the minute's budget (6).
    for _ in range(6):
        await limits.acquire("gemini", lease_seconds=5, max_wait=0.2)
    with pytest.raises(SlotTimeout):
        await limits.acquire("gemini", lease_seconds=5, max_wait=0.2)
    # A second process sharing Redis sees the same budget.
    other = ProviderLimits(redis, requests_per_minute={"gemini": 60}, max_in_flight={})
    with pytest.raises(SlotTimeout):
        await other.acquire("gemini", lease_seconds=5, max_wait=0.2)
    assert not limits.limited("openai")
