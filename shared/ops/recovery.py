"""Put a dead worker's unacknowledged messages back, and tell whether a job has a message.

Dramatiq does the first itself, but only on a random 1-in-N broker call ("maintenance"); we
measured 5-21 minutes with its defaults (docs/BASELINES.md). The reaper runs this every few
seconds instead, with the same semantics as dispatch.lua's maintenance, atomically per worker
so the two never push one message twice.
"""

from __future__ import annotations

from shared.ops import registry
from shared.ops.keys import Keys, parse_job_message

# KEYS[1] namespace. ARGV[1] heartbeat cutoff (ms): older heartbeats are dead workers.
# ARGV[2..] queue names (with their .DQ twins). A worker is forgotten once its acks are empty:
# every queue it could fetch from is in the list, since each worker registers its queues
# before it starts consuming.
REQUEUE_DEAD_WORKERS = """
local ns = KEYS[1]
local heartbeats = ns .. ":__heartbeats__"
local dead = redis.call("zrangebyscore", heartbeats, 0, ARGV[1])
local moved = 0
for _, worker in ipairs(dead) do
  for i = 2, #ARGV do
    local queue = ARGV[i]
    local acks = ns .. ":__acks__." .. worker .. "." .. queue
    local ids = redis.call("smembers", acks)
    for _, id in ipairs(ids) do
      if redis.call("hexists", ns .. ":" .. queue .. ".msgs", id) == 1 then
        redis.call("rpush", ns .. ":" .. queue, id)
        moved = moved + 1
      end
    end
    redis.call("del", acks)
  end
  redis.call("zrem", heartbeats, worker)
end
return {dead, moved}
"""


async def requeue_dead_workers(redis, keys: Keys, queues: list[str], *, now_ms: int,
                               heartbeat_timeout_ms: int) -> tuple[int, int]:
    """(dead workers cleared, messages put back in their queues)."""
    names = [n for q in queues for n in (q, f"{q}.DQ")]
    script = redis.register_script(REQUEUE_DEAD_WORKERS)
    workers, moved = await script(keys=[keys.ns], args=[now_ms - heartbeat_timeout_ms, *names])
    if workers:
        # Their registry entries would otherwise linger on the dashboard until their TTL.
        pipe = redis.pipeline(transaction=False)
        for worker_id in workers:
            registry.withdraw(pipe, keys, worker_id.decode() if isinstance(worker_id, bytes) else worker_id)
        await pipe.execute()
    return len(workers), int(moved)


async def has_message(redis, keys: Keys, job_ids: list[str]) -> dict[str, bool]:
    """Whether each job's newest message still exists (ready, delayed or fetched).

    Two pipelined round trips whatever the queue length: the job -> message index written at
    enqueue, then HEXISTS on that queue's message hash. A job with no index entry counts as
    having no message.
    """
    if not job_ids:
        return {}
    located = [parse_job_message(v) for v in await redis.mget([keys.job_message(j) for j in job_ids])]
    pipe = redis.pipeline(transaction=False)
    for where in located:
        if where is not None:
            pipe.hexists(keys.msgs(where[0]), where[1])
    found = iter(await pipe.execute()) if any(located) else iter(())
    return {job: bool(next(found)) if where else False
            for job, where in zip(job_ids, located, strict=True)}
