"""The Redis read cache in front of PostgreSQL, with versioned keys.

A cached value is stored under ``<name>:v<version>``; a write bumps the version (after its
commit, through ``shared.queue.on_commit``), so every later read misses and refills from the
database. Unlike deleting keys, a slow reader that loaded old rows before the commit can only
write them under the *old* version, which nobody reads any more: no stale read after a write.
One Lua call reads the version and the value in a single round trip.
"""

from __future__ import annotations

from shared.queue import on_commit

PREFIX = "studyforge:cache"
TTL_SECONDS = 3600

_READ = """
local v = redis.call('GET', KEYS[1]) or '0'
return {v, redis.call('GET', ARGV[1] .. ':v' .. v)}
"""


def _version_key(name: str) -> str:
    return f"{PREFIX}:ver:{name}"


class ReadCache:
    """Versioned get/put over a Redis client (real or embedded)."""

    def __init__(self, redis, *, enabled: bool = True) -> None:
        self.redis = redis
        self.enabled = enabled
        self._script = redis.register_script(_READ)

    async def get(self, name: str, variant: str) -> tuple[str, bytes | None]:
        """(version, cached bytes or None) for ``name`` / ``variant``."""
        if not self.enabled:
            return "0", None
        version, value = await self._script(keys=[_version_key(name)],
                                            args=[f"{PREFIX}:{name}:{variant}"])
        version = version.decode() if isinstance(version, bytes) else str(version)
        return version, value

    async def put(self, name: str, variant: str, version: str, value: bytes) -> None:
        if self.enabled:
            await self.redis.set(f"{PREFIX}:{name}:{variant}:v{version}", value, ex=TTL_SECONDS)


async def bump(redis, *names: str) -> None:
    """Invalidate ``names`` now (use ``invalidate`` inside a unit of work)."""
    if names:
        pipe = redis.pipeline(transaction=False)
        for name in names:
            pipe.incr(_version_key(name))
        await pipe.execute()


def invalidate(*names: str) -> None:
    """Invalidate ``names`` once the surrounding unit of work has committed."""

    async def effect(redis) -> None:
        await bump(redis, *names)

    on_commit(effect)


CURRICULUM = "curriculum"


def chapter_key(chapter_id: int) -> str:
    return f"chapter:{chapter_id}"
