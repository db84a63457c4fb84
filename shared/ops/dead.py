"""Dead letters: list them with their error, put them back, or throw them away.

Moves are Lua scripts so each message changes place atomically: a requeue racing a delete (or
a second requeue) finds it gone and does nothing, never duplicating it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from shared.errors import NotFound
from shared.ops.keys import Keys
from shared.ops.schemas import DeadError, DeadList, DeadMessage

BULK_LIMIT = 10_000

# KEYS: dead zset, dead msgs, errors, queue list, queue msgs, job index key (or "")
# ARGV: message id, new message data, job index value (or "")
REQUEUE = """
if redis.call("zrem", KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call("hdel", KEYS[2], ARGV[1])
redis.call("hdel", KEYS[3], ARGV[1])
redis.call("hset", KEYS[5], ARGV[1], ARGV[2])
redis.call("rpush", KEYS[4], ARGV[1])
if ARGV[3] ~= "" then redis.call("set", KEYS[6], ARGV[3], "EX", 604800) end
return 1
"""

# KEYS: dead zset, dead msgs, errors; ARGV: message ids
DELETE = """
local n = 0
for i = 1, #ARGV do
  if redis.call("zrem", KEYS[1], ARGV[i]) == 1 then n = n + 1 end
  redis.call("hdel", KEYS[2], ARGV[i])
  redis.call("hdel", KEYS[3], ARGV[i])
end
return n
"""


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _at(ms) -> datetime | None:
    return datetime.fromtimestamp(float(ms) / 1000, UTC) if ms else None


def _describe(message_id: str, queue: str, encoded, error_raw, dead_ms: float) -> DeadMessage:
    data = json.loads(encoded) if encoded else {}
    options = data.get("options", {})
    kwargs = data.get("kwargs") or {}
    error = None
    if error_raw:
        error = DeadError(**json.loads(error_raw))
    elif options.get("traceback"):
        # Dramatiq's Retries keeps the previous attempt's traceback; its last line names it.
        tb = options["traceback"].strip()
        error = DeadError(message=tb.splitlines()[-1], traceback=tb)
    return DeadMessage(
        message_id=message_id, actor=data.get("actor_name", "?"), queue=queue,
        args=list(data.get("args") or []), kwargs=kwargs, job_id=kwargs.get("job_id"),
        request_id=options.get("request_id"), enqueued_at=_at(data.get("message_timestamp")),
        dead_at=_at(dead_ms), attempts=int(options.get("retries", 0)) + 1, error=error,
    )


async def listing(redis, keys: Keys, queue: str, *, offset: int, limit: int) -> DeadList:
    """Dead letters of ``queue``, newest first."""
    pipe = redis.pipeline(transaction=False)
    pipe.zcard(keys.dead(queue))
    pipe.zrevrange(keys.dead(queue), offset, offset + limit - 1, withscores=True)
    total, rows = await pipe.execute()
    ids = [_text(member) for member, _ in rows]
    messages = []
    if ids:
        pipe = redis.pipeline(transaction=False)
        pipe.hmget(keys.dead_msgs(queue), ids)
        pipe.hmget(keys.dead_errors(queue), ids)
        bodies, errors = await pipe.execute()
        messages = [_describe(i, queue, b, e, score)
                    for i, (_, score), b, e in zip(ids, rows, bodies, errors, strict=True)]
    return DeadList(queue=queue, total=total, offset=offset, limit=limit, messages=messages)


def _revived(encoded, queue: str) -> tuple[str, str | None]:
    """The message as a fresh delivery: its own queue, no eta, retries and age reset."""
    data = json.loads(encoded)
    options = {k: v for k, v in data.get("options", {}).items()
               if k not in ("eta", "retries", "traceback", "requeue_timestamp")}
    options["requeued_from_dead"] = True
    data.update(queue_name=queue, options=options, message_timestamp=int(time.time() * 1000))
    return json.dumps(data, separators=(",", ":")), (data.get("kwargs") or {}).get("job_id")


async def requeue(redis, keys: Keys, queue: str, *, message_id: str | None) -> tuple[int, int]:
    """Move one dead letter (or up to BULK_LIMIT) back to the queue; (moved, remaining)."""
    if message_id is not None:
        ids = [message_id]
    else:
        ids = [_text(m) for m in await redis.zrange(keys.dead(queue), 0, BULK_LIMIT - 1)]
    moved = 0
    script = redis.register_script(REQUEUE)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        bodies = await redis.hmget(keys.dead_msgs(queue), chunk)
        for mid, body in zip(chunk, bodies, strict=True):
            if body is None:
                continue
            data, job_id = _revived(body, queue)
            index_key = keys.job_message(job_id) if job_id else keys.job_message("-")
            moved += await script(
                keys=[keys.dead(queue), keys.dead_msgs(queue), keys.dead_errors(queue),
                      keys.queue(queue), keys.msgs(queue), index_key],
                args=[mid, data, f"{queue}|{mid}" if job_id else ""])
    if message_id is not None and not moved:
        raise NotFound(f"No dead letter {message_id!r} in queue {queue!r}.")
    return moved, await redis.zcard(keys.dead(queue))


async def delete(redis, keys: Keys, queue: str, *, message_id: str | None) -> int:
    """Delete one dead letter, or all of them."""
    script = redis.register_script(DELETE)
    dead_keys = [keys.dead(queue), keys.dead_msgs(queue), keys.dead_errors(queue)]
    if message_id is not None:
        if not await script(keys=dead_keys, args=[message_id]):
            raise NotFound(f"No dead letter {message_id!r} in queue {queue!r}.")
        return 1
    # All at once in one transaction: nothing dead-lettered meanwhile is half-deleted.
    pipe = redis.pipeline(transaction=True)
    pipe.zcard(keys.dead(queue))
    pipe.delete(*dead_keys)
    count, _ = await pipe.execute()
    return int(count)
