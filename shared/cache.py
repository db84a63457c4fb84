"""The Redis read cache in front of PostgreSQL, with versioned keys.

A cached value is stored under ``<name>:v<version>``; a write bumps the version (after its
commit, through ``shared.queue.on_commit``), so every later read misses and refills from the
database. Unlike deleting keys, a slow reader that loaded old rows before the commit can only
write them under the *old* version, which nobody reads any more: no stale read after a write.

One Lua call reads the version and the value in a single round trip, and can count the
caller's request for the rate limit in the same call. Each process also keeps the bytes it
last saw per key, tagged with their version: the script is told that version and sends the
value only when Redis holds a newer one, so a hit moves a few bytes, not the whole body. The
version is still read from Redis on every request, so a local copy is never served after a
write has committed.
"""

from __future__ import annotations

from shared.queue import on_commit
from shared.redis_batch import ScriptBatcher

PREFIX = "studyforge:cache"
TTL_SECONDS = 3600
# Local copies kept per process (a chapter has two views; a few thousand chapters fit easily).
LOCAL_ENTRIES = 4096

# A missing version key (never written, flushed or evicted) starts at the server's clock in
# microseconds, not at 0: a version number is then never handed out twice, so a copy saved
# under an old version (here or in another process) cannot become current again.
_FRESH = """
local function fresh(key)
  local t = redis.call('TIME')
  local v = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', key, v)
  return v
end
"""

# KEYS: version key [, rate-limit counter]; ARGV: value prefix, version held locally, counter TTL.
# Returns {version, value or nil if the local copy is current, counter value or 0}.
_READ = _FRESH + """
local v = redis.call('GET', KEYS[1]) or fresh(KEYS[1])
local count = 0
if #KEYS > 1 then
  count = redis.call('INCR', KEYS[2])
  if count == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
end
if v == ARGV[2] then return {v, false, count} end
return {v, redis.call('GET', ARGV[1] .. ':v' .. v), count}
"""


# KEYS: version keys; ARGV: the value prefix of each, in the same order.
# Returns {version 1, value 1 or nil, version 2, value 2 or nil, ...}.
_READ_MANY = _FRESH + """
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key) or fresh(key)
  out[2 * i - 1] = v
  out[2 * i] = redis.call('GET', ARGV[i] .. ':v' .. v)
end
return out
"""


def _version_key(name: str) -> str:
    return f"{PREFIX}:ver:{name}"


class ReadCache:
    """Versioned get/put over a Redis client (real or embedded), with per-process copies."""

    def __init__(self, redis, *, enabled: bool = True) -> None:
        self.redis = redis
        self.enabled = enabled
        self._read = ScriptBatcher(redis, _READ)
        # Called once per group-commit batch, which waits for it: sent at once rather than
        # on the loop's next turn, as a ScriptBatcher would (measured: 6 ms a call that way
        # under load, behind the previous batch's answers, against ~1 ms sent at once).
        self._read_many = redis.register_script(_READ_MANY)
        self._local: dict[tuple[str, str], tuple[str, bytes]] = {}

    async def get(self, name: str, variant: str) -> tuple[str, bytes | None]:
        """(version, cached bytes or None) for ``name`` / ``variant``."""
        version, value, _ = await self.lookup(name, variant)
        return version, value

    async def lookup(
        self, name: str, variant: str, *, counter: str | None = None, counter_ttl: int = 0
    ) -> tuple[str, bytes | None, int]:
        """Like ``get``, and also increments ``counter`` (a rate-limit key) in the same call;
        returns (version, bytes or None, counter value or 0)."""
        if not self.enabled:
            return "0", None, 0
        slot = (name, variant)
        held = self._local.get(slot)
        keys = [_version_key(name)] if counter is None else [_version_key(name), counter]
        version, value, count = await self._read(
            keys, [f"{PREFIX}:{name}:{variant}", held[0] if held else "", counter_ttl])
        version = _text(version)
        if value is None:
            if held is not None and held[0] == version:
                return version, held[1], int(count)
        else:
            self._remember(slot, version, value)
        return version, value, int(count)

    async def get_many(self, names: list[str], variant: str) -> dict[str, tuple[str, bytes | None]]:
        """(version, cached bytes or None) of each of ``names`` / ``variant``, in one call.

        Not copied locally: for small values the copy would save nothing.
        """
        if not self.enabled or not names:
            return {name: ("0", None) for name in names}
        reply = await self._read_many(keys=[_version_key(name) for name in names],
                                      args=[f"{PREFIX}:{name}:{variant}" for name in names])
        return {name: (_text(reply[2 * i]), reply[2 * i + 1]) for i, name in enumerate(names)}

    async def put_many(self, variant: str, entries: dict[str, tuple[str, bytes]]) -> None:
        """Store each name's value under the version ``get_many`` gave before it was loaded."""
        if self.enabled and entries:
            pipe = self.redis.pipeline(transaction=False)
            for name, (version, value) in entries.items():
                pipe.set(f"{PREFIX}:{name}:{variant}:v{version}", value, ex=TTL_SECONDS)
            await pipe.execute()

    async def put(self, name: str, variant: str, version: str, value: bytes) -> None:
        if self.enabled:
            await self.redis.set(f"{PREFIX}:{name}:{variant}:v{version}", value, ex=TTL_SECONDS)
            # Safe for the same reason as the Redis copy: it is only used while ``version``
            # is still the current one.
            self._remember((name, variant), version, value)

    def _remember(self, slot: tuple[str, str], version: str, value: bytes) -> None:
        if slot not in self._local and len(self._local) >= LOCAL_ENTRIES:
            del self._local[next(iter(self._local))]  # the oldest entry
        self._local[slot] = (version, value)


def _text(version) -> str:
    return version.decode() if isinstance(version, bytes) else str(version)


_BUMP = _FRESH + """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then fresh(key) end
  redis.call('INCR', key)
end
"""


async def bump(redis, *names: str) -> None:
    """Invalidate ``names`` now (use ``invalidate`` inside a unit of work)."""
    if names:
        await redis.eval(_BUMP, len(names), *(_version_key(name) for name in names))


def invalidate(*names: str) -> None:
    """Invalidate ``names`` once the surrounding unit of work has committed."""

    async def effect(redis) -> None:
        await bump(redis, *names)

    on_commit(effect)


CURRICULUM = "curriculum"


def chapter_key(chapter_id: int) -> str:
    return f"chapter:{chapter_id}"


def profile_key(profile_id: int) -> str:
    """A child profile's facts (grade, daily cap): bumped on every update and delete."""
    return f"profile:{profile_id}"
