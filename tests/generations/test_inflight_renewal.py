"""The in-flight claim's renewer always stops when the job's work ends.

On Python 3.11 redis-py sends every command through ``asyncio.wait_for``, which swallows a
cancellation that lands just as the send completes (CPython gh-86296). A renewer that stopped
only on cancellation then ran on, and its job awaited it forever (seen in bench/ai_chain.py:
12 of 1,000 jobs stuck ``running``, their claims still renewed). The client below is the real
redis-py client on the real server, made to lose the cancel every time instead of by chance.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import redis.asyncio as aioredis

from pipelines.generations.inflight import PREFIX, InFlight


class LosesCancel(aioredis.Redis):
    """Drops a cancellation that arrives while EVAL's reply is being handled, as wait_for can."""

    entered: asyncio.Event

    async def eval(self, *args):
        result = await super().eval(*args)
        self.entered.set()
        # What asyncio.wait_for does on 3.11 when the inner send has just finished:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.5)
        return result


async def test_renewer_stops_even_when_a_redis_call_loses_the_cancel(redis_url):
    client = LosesCancel.from_url(redis_url)
    client.entered = asyncio.Event()
    key, job = uuid.uuid4().hex, uuid.uuid4().hex
    claim = InFlight(client, key, job, ttl_seconds=1)  # renews every 1/3 s
    try:
        assert await claim.claim() is None

        async def work() -> None:
            async with claim.renewing():
                await client.entered.wait()  # the renewer is inside its EVAL now

        task = asyncio.create_task(work())
        done, _ = await asyncio.wait({task}, timeout=10)
        assert done, "the work never finished: it is still waiting for the renewer"
        task.result()
        await asyncio.sleep(1.5)  # no renewer left: the claim expires on its TTL
        assert await client.get(PREFIX + key) is None
    finally:
        await client.delete(PREFIX + key)
        await client.aclose()


async def test_renewer_keeps_the_claim_alive_while_the_work_runs(redis_url):
    client = aioredis.Redis.from_url(redis_url)
    key, job = uuid.uuid4().hex, uuid.uuid4().hex
    claim = InFlight(client, key, job, ttl_seconds=1)
    try:
        assert await claim.claim() is None
        async with claim.renewing():
            await asyncio.sleep(2.5)  # longer than the TTL
            assert await client.get(PREFIX + key) == job.encode()
        await claim.release()
        assert await client.get(PREFIX + key) is None
    finally:
        await client.aclose()


async def test_renewer_stops_when_the_body_ends_mid_renewal(redis_url):
    # Exit while renewals are going on, many times over: the old renewer was stopped by
    # cancellation, which a Redis command in progress could swallow, leaving the job waiting
    # for it for ever. A hang here fails by the guard below, not by a timing measure.
    redis = aioredis.Redis.from_url(redis_url)
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
    await redis.aclose()


async def test_renewer_survives_a_failed_renewal(redis_url):
    client = aioredis.Redis.from_url(redis_url)
    claim = InFlight(client, "key-broken", "job-1", ttl_seconds=1.0)
    assert await claim.claim() is None
    async with claim.renewing():
        await client.aclose()
        claim.redis = aioredis.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens
        await asyncio.sleep(0.5)
    # The body finished normally although a renewal failed; the claim simply expires.
