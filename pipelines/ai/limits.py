"""Per-provider request rate and in-flight caps, shared by every worker through Redis.

Rate: GCRA (a leaky bucket kept as one timestamp), so requests are spread evenly instead of
bursting at each minute's start. In flight: a sorted set of leases that expire on their own,
so a worker killed mid-call cannot leak a slot. Waiting for a slot is not a failed attempt.

Background calls (batches) yield to interactive ones (students): they may use only a quarter
of the burst allowance, so while a batch keeps the bucket busy three quarters of the burst stay
free and an interactive call arriving meanwhile is let through at once (a little burst lets
a batch catch up after a hiccup instead of losing that capacity for good). They also keep one
in-flight slot free and, with a share below 1, pass a second bucket at that share of the rate.
"""

from __future__ import annotations

import asyncio
import time
import uuid

PREFIX = "studyforge:ai:limit:"
BACKGROUND_BURST_SHARE = 0.25

_ACQUIRE = """
local now = tonumber(ARGV[1])
local cap = tonumber(ARGV[4])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= cap then return {0, '0.05'} end
end
local interval = tonumber(ARGV[2])
local tat = now
if interval > 0 then
  tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tat < now then tat = now end
  local allowed_at = tat - tonumber(ARGV[3])
  if allowed_at > now then return {0, tostring(allowed_at - now)} end
end
local share_interval = tonumber(ARGV[7])
local share_tat = now
if share_interval > 0 then
  share_tat = tonumber(redis.call('GET', KEYS[3]) or '0')
  if share_tat < now then share_tat = now end
  if share_tat > now then return {0, tostring(share_tat - now)} end
end
if interval > 0 then
  redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil((tat + interval - now) * 1000) + 1000)
end
if share_interval > 0 then
  local next_at = share_tat + share_interval
  redis.call('SET', KEYS[3], tostring(next_at), 'PX', math.ceil((next_at - now) * 1000) + 1000)
end
if cap > 0 then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[5])
  redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[6]) * 1000) + 1000)
end
return {1, '0'}
"""

class SlotTimeout(Exception):
    """No slot within the wait allowed (the provider's limits are saturated)."""


class ProviderLimits:
    def __init__(self, redis, *, requests_per_minute: dict[str, int], max_in_flight: dict[str, int],
                 background_share: float = 1.0):
        self.redis = redis
        self.rpm = requests_per_minute
        self.in_flight = max_in_flight
        self.background_share = background_share
        self._acquire = redis.register_script(_ACQUIRE)

    def limited(self, provider: str) -> bool:
        return bool(self.rpm.get(provider) or self.in_flight.get(provider))

    async def acquire(self, provider: str, *, lease_seconds: float, max_wait: float,
                      background: bool = False) -> str | None:
        """Wait for a slot; returns a lease id to release (None when nothing is capped)."""
        if not self.limited(provider):
            return None
        rpm = self.rpm.get(provider) or 0
        interval = 60.0 / rpm if rpm else 0.0
        # Allow a burst of a tenth of a minute's budget, at least one request.
        burst = interval * max(0, rpm // 10 - 1) if rpm else 0.0
        cap = self.in_flight.get(provider) or 0
        share_interval = 0.0
        if background:
            burst *= BACKGROUND_BURST_SHARE
            if cap > 1:
                cap = max(1, min(cap - 1, int(cap * self.background_share)))
            if rpm and self.background_share < 1:
                share_interval = interval / self.background_share
        lease = uuid.uuid4().hex
        give_up = time.monotonic() + max_wait
        while True:
            ok, wait = await self._acquire(
                keys=[f"{PREFIX}{provider}:rate", f"{PREFIX}{provider}:inflight",
                      f"{PREFIX}{provider}:rate:background"],
                args=[time.time(), interval, burst, cap, lease, lease_seconds, share_interval],
            )
            if int(ok) == 1:
                return lease if cap else None
            wait = float(wait)
            if time.monotonic() + wait > give_up:
                raise SlotTimeout(f"no {provider} slot within {max_wait:.0f}s (rate/in-flight cap)")
            await asyncio.sleep(wait)

    async def release(self, provider: str, lease: str | None) -> None:
        if lease is not None:
            await self.redis.zrem(f"{PREFIX}{provider}:inflight", lease)
