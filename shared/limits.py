"""Per-child daily generation caps and per-account request rates, counted in Redis."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from shared.errors import TooManyRequests
from shared.redis_batch import ScriptBatcher

PREFIX = "studyforge:limit"


def _seconds_to_utc_midnight(now: datetime) -> int:
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


def effective_daily_limit(default: int, per_child: int | None) -> int | None:
    """The tighter of the site default (0 = none) and the parent's cap; None = unlimited.

    A parent's cap can only lower the default; a cap of 0 stops generation for that child.
    """
    if per_child is None:
        return default if default > 0 else None
    return per_child if default <= 0 else min(default, per_child)


async def take_daily_generations(
    redis, asks: list[tuple[int, int | None]]
) -> list[TooManyRequests | None]:
    """Count one generation request per (profile id, daily limit), in one round trip; for
    each, the 429 to answer once the child's cap is reached, else None."""
    counted = [(profile_id, limit) for profile_id, limit in asks if limit is not None]
    if not counted:
        return [None] * len(asks)
    now = datetime.now(UTC)
    pipe = redis.pipeline(transaction=False)
    for profile_id, _ in counted:
        key = f"{PREFIX}:generations:{profile_id}:{now:%Y%m%d}"
        pipe.incr(key)
        pipe.expire(key, 2 * 86400, nx=True)
    counts = iter((await pipe.execute())[::2])
    return [None if limit is None else _over_daily(next(counts), limit, now)
            for _, limit in asks]


def _over_daily(count: int, limit: int, now: datetime) -> TooManyRequests | None:
    if count <= limit:
        return None
    return TooManyRequests(
        f"You have asked for {limit} explanations or question sets today, which is today's "
        "limit. New ones can be asked for tomorrow.",
        retry_after=_seconds_to_utc_midnight(now),
    )


def request_counter(account_id: int, window_seconds: int, now: float) -> str:
    """The Redis key counting the account's requests in the fixed window holding ``now``."""
    return f"{PREFIX}:requests:{account_id}:{window_seconds}:{int(now // window_seconds)}"


def check_request_count(count: int, limit: int, window_seconds: int, now: float) -> None:
    """429 once ``count`` (this request included) passes ``limit`` in the window of ``now``."""
    if count > limit:
        window = int(now // window_seconds)
        raise TooManyRequests(
            "Too many requests: slow down a little and try again in a moment.",
            retry_after=int((window + 1) * window_seconds - now) + 1,
        )


# KEYS: the account's counter for this window; ARGV: its TTL. Returns the count, this request
# included. (The read cache counts GET /chapters hits in its own script: shared.cache._READ.)
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RequestLimiter:
    """The per-account request rate (fixed windows), counted in Redis.

    Requests that arrive together share one pipeline (shared.redis_batch): a lone INCR and
    EXPIRE per request cost the API more CPU than the rest of a generation request's Redis work.
    """

    def __init__(self, redis, limit: int, window_seconds: int = 60) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._count = ScriptBatcher(redis, _COUNT)

    async def take(self, account_id: int) -> None:
        """Count one request for the account in this window; 429 beyond the limit."""
        if self.limit <= 0:
            return
        now = time.time()
        key = request_counter(account_id, self.window_seconds, now)
        count = await self._count([key], [2 * self.window_seconds])
        check_request_count(count, self.limit, self.window_seconds, now)
