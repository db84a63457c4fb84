"""Circuit breaker per provider/model, its state in Redis so every worker shares it.

closed -> (``threshold`` consecutive failed attempts) -> open: the link is skipped at once
-> (after ``cooldown``) -> half_open: exactly one caller probes it (others still skip)
-> success closes it, failure opens it for another cool-down.
Each attempt also leaves ``ts,latency_ms,ok`` in a short list that ``GET /admin/providers``
turns into calls, error rate and latency percentiles. Both updates are one Lua call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

PREFIX = "studyforge:ai:circuit:"
STATS_PREFIX = "studyforge:ai:stats:"
INDEX_KEY = "studyforge:ai:stats:index"
STATS_KEEP = 2000  # recent attempts kept per provider/model for the admin's percentiles

_ALLOW = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'closed' then return 'closed' end
local now = tonumber(ARGV[1])
if state == 'open' then
  local reopen = tonumber(redis.call('HGET', KEYS[1], 'open_until') or '0')
  if now < reopen then return 'open' end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe_until', now + tonumber(ARGV[2]))
  return 'probe'
end
local probe_until = tonumber(redis.call('HGET', KEYS[1], 'probe_until') or '0')
if now < probe_until then return 'half_open' end
redis.call('HSET', KEYS[1], 'probe_until', now + tonumber(ARGV[2]))
return 'probe'
"""

_RECORD = """
redis.call('LPUSH', KEYS[2], ARGV[5])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[6]) - 1)
redis.call('SADD', KEYS[3], ARGV[7])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if ARGV[2] == '1' then
  if state ~= 'closed' or (redis.call('HGET', KEYS[1], 'failures') or '0') ~= '0' then
    redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', 0)
  end
  return 'closed'
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if state == 'half_open' or (state == 'closed' and failures >= tonumber(ARGV[3])) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'open_until', tonumber(ARGV[1]) + tonumber(ARGV[4]))
  return 'open'
end
return state
"""


@dataclass(frozen=True)
class CircuitState:
    state: str  # closed | open | half_open
    failures: int
    open_until: float | None


class CircuitBreaker:
    """Shared breaker for ``provider/model`` links; cheap enough to consult on every attempt."""

    def __init__(self, redis, *, threshold: int, cooldown: float) -> None:
        self.redis = redis
        self.threshold = threshold
        self.cooldown = cooldown
        self._allow = redis.register_script(_ALLOW)
        self._record = redis.register_script(_RECORD)

    async def allow(self, link: str, *, probe_seconds: float) -> str:
        """'closed' or 'probe' to go ahead; 'open' or 'half_open' (probe taken) to skip."""
        result = await self._allow(keys=[PREFIX + link], args=[time.time(), probe_seconds])
        return result.decode() if isinstance(result, bytes) else result

    async def record(self, link: str, *, ok: bool, latency_ms: float) -> str:
        """Count an attempt's outcome; returns the state after it."""
        now = time.time()
        result = await self._record(
            keys=[PREFIX + link, STATS_PREFIX + link, INDEX_KEY],
            args=[
                now, "1" if ok else "0", self.threshold, self.cooldown,
                f"{now:.3f},{latency_ms:.1f},{1 if ok else 0}", STATS_KEEP, link,
            ],
        )
        return result.decode() if isinstance(result, bytes) else result


async def read_state(redis, link: str) -> CircuitState:
    raw = await redis.hgetall(PREFIX + link)
    data = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in raw.items()
    }
    state = data.get("state", "closed")
    open_until = float(data["open_until"]) if state != "closed" and "open_until" in data else None
    if state == "open" and open_until is not None and time.time() >= open_until:
        state = "half_open"  # the next caller will probe it
    return CircuitState(state=state, failures=int(data.get("failures", 0)), open_until=open_until)
