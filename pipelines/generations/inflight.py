"""One generation per identical request in flight: a claim in Redis per cache key.

The first job to claim a key generates; an identical job that finds the key claimed waits for
the holder's job to finish and takes its result, so both end ``succeeded`` pointing at the
same content. The holder renews its claim while it works and releases it after its commit;
if its worker dies, the claim expires, or a waiting job takes it over as soon as the holder's
job is no longer ``running`` (the reaper put it back in the queue): waiting behind a queued job
could hold the very worker thread that job needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger("studyforge.generations")

PREFIX = "studyforge:generation:inflight:"

# Delete / extend only if we still hold it: an expired claim taken over by another job must
# not be dropped or extended by its former holder.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_TAKE_OVER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1
end
return 0
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class InFlight:
    def __init__(self, redis, cache_key: str, job_id: str, *, ttl_seconds: float) -> None:
        self.redis, self.job_id = redis, job_id
        self.key = PREFIX + cache_key
        self.ttl_ms = max(1000, int(ttl_seconds * 1000))

    async def claim(self) -> str | None:
        """None if this job now holds the key, else the id of the job that does."""
        if await self.redis.set(self.key, self.job_id, nx=True, px=self.ttl_ms):
            return None
        holder = await self.redis.get(self.key)
        if holder is None:  # released between the two calls: try once more
            return await self.claim()
        holder = holder.decode() if isinstance(holder, bytes) else holder
        return None if holder == self.job_id else holder

    async def take_over(self, holder: str) -> bool:
        """Take the key from ``holder`` (whose job is no longer running); False if it moved."""
        return bool(await self.redis.eval(_TAKE_OVER, 1, self.key, holder, self.job_id,
                                          self.ttl_ms))

    async def holder(self) -> str | None:
        value = await self.redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    async def release(self, redis=None) -> None:
        # ``redis`` lets this run as an after-commit effect (shared.queue.on_commit).
        await self.redis.eval(_RELEASE, 1, self.key, self.job_id)

    @contextlib.asynccontextmanager
    async def renewing(self):
        """Keep the claim alive while the body runs (a model call can outlast the TTL).

        The renewer stops on an event, not on cancellation alone. On Python 3.11 redis-py
        sends each command through ``asyncio.wait_for``, which swallows a cancel that lands
        just as the send completes (CPython gh-86296, fixed in 3.12): the renewer then kept
        looping, the job awaited it forever and stayed ``running`` with its claim renewed
        (12 of 1,000 jobs of bench/ai_chain.py on a loaded machine).
        """
        stop = asyncio.Event()

        async def renew() -> None:
            while True:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.ttl_ms / 3000)
                    return
                except TimeoutError:
                    pass
                try:
                    await self.redis.eval(_RENEW, 1, self.key, self.job_id, self.ttl_ms)
                except Exception as exc:  # noqa: BLE001 - the claim is an optimisation
                    # A missed renewal at worst lets a twin generate too; the job goes on.
                    log.warning("could not renew in-flight claim %s: %s", self.key, exc)

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            stop.set()
            task.cancel()  # at once if it is mid-call; if the cancel is lost, ``stop`` ends it
            with contextlib.suppress(asyncio.CancelledError):
                await task
