"""The in-flight claim's renewer under many concurrent exits and a failing Redis (see also
test_inflight_renewal.py for the lost-cancel case)."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from pipelines.generations.inflight import InFlight


@pytest.fixture
async def redis(redis_url):
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_renewer_stops_when_the_body_ends_mid_renewal(redis):
    # Exit while renewals are going on, many times over: the old renewer was stopped by
    # cancellation, which a Redis command in progress could swallow, leaving the job waiting
    # for it for ever. A hang here fails by the guard below, not by a timing measure.
    claims = [InFlight(redis, f"key-{i}", f"job-{i}", ttl_seconds=1.0) for i in range(50)]

    async def hold(claim: InFlight, seconds: float) -> None:
        assert await claim.claim() is None
        async with claim.renewing():
            await asyncio.sleep(seconds)

    await asyncio.wait_for(
        asyncio.gather(*(hold(c, 0.3 + (i % 10) * 0.01) for i, c in enumerate(claims))),
        timeout=30,
    )
    for claim in claims:  # nothing renews a key its holder is done with
        await claim.release()
        assert await claim.holder() is None


async def test_renewer_survives_a_failed_renewal(redis_url):
    client = aioredis.Redis.from_url(redis_url)
    claim = InFlight(client, "key-broken", "job-1", ttl_seconds=1.0)
    assert await claim.claim() is None
    async with claim.renewing():
        await client.aclose()
        claim.redis = aioredis.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens
        await asyncio.sleep(0.5)
    # The body finished normally although a renewal failed; the claim simply expires.
