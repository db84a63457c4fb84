"""Fixtures for the AI chain: the fake LLM server, settings pointing at it, real Redis."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from pipelines.ai import config as ai_config
from shared.config import Settings
from tests.fakes.fixtures import fake_llm, fake_llm_server  # noqa: F401

FAST = {
    # Small waits keep fault tests quick; the logic is the same as with production values.
    "ai_backoff_initial_seconds": 0.01,
    "ai_backoff_max_seconds": 0.05,
    "ai_max_attempts": 3,
    "ai_circuit_failure_threshold": 50,
    "ai_circuit_cooldown_seconds": 0.5,
    "ai_task_deadline_seconds": 20.0,
    "ai_max_in_flight": {},
}


@pytest.fixture
def make_settings(fake_llm, redis_url):  # noqa: F811
    def make(**overrides) -> Settings:
        values = {
            "environment": "test",
            "jwt_secret": "test-secret-" + "x" * 40,
            "redis_url": redis_url,
            "openai_api_key": "sk-test",
            "openai_base_url": fake_llm.openai_base_url,
            "gemini_api_key": "gm-test",
            "gemini_base_url": fake_llm.gemini_base_url,
            "ollama_host": fake_llm.ollama_host,
            **FAST,
            **overrides,
        }
        return Settings(**values)

    return make


@pytest.fixture
def ai_settings(make_settings) -> Settings:
    return make_settings()


@pytest.fixture
async def redis(redis_url):
    client = aioredis.Redis.from_url(redis_url)
    # Circuit, limit and stats state from an earlier test must not leak into this one.
    keys = [key async for key in client.scan_iter("studyforge:ai:*")]
    keys += [key async for key in client.scan_iter("studyforge:stream:*")]
    if keys:
        await client.delete(*keys)
    ai_config.forget()
    yield client
    await client.aclose()
