"""What the ops middleware costs a worker: drain N no-op messages with and without it.

A no-op actor is the worst case (the middleware's Redis writes are all there is); real jobs
spend seconds on a model call. Rounds alternate between the two brokers; medians reported.

    uv run python bench/ops_middleware.py --messages 3000 --threads 8 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

from bench import results as bench_results
from bench.common import machine
from shared.config import Settings
from workers.ops import OpsMiddleware

REDIS_BASE = "redis://127.0.0.1:6379"


def claim_db() -> tuple[int, str]:
    lock = redis.Redis.from_url(f"{REDIS_BASE}/0")
    token = uuid.uuid4().hex
    for index in range(15, 0, -1):
        if lock.set(f"studyforge:test-lock:{index}", token, nx=True, ex=600):
            return index, token
    raise SystemExit("no free Redis database")


def drain(url: str, *, ops: bool, messages: int, threads: int) -> float:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(url)
    broker = RedisBroker(client=client, namespace=namespace, heartbeat_timeout=15_000,
                         maintenance_chance=100_000)
    if ops:
        broker.add_middleware(OpsMiddleware(Settings(broker_namespace=namespace)))
    done = threading.Event()
    count = {"n": 0}
    lock = threading.Lock()

    @dramatiq.actor(broker=broker, actor_name="bench.noop", max_retries=0)
    def noop(job_id: str) -> None:
        with lock:
            count["n"] += 1
            if count["n"] == messages:
                done.set()

    for i in range(messages):
        noop.send(job_id=f"j{i}")
    worker = dramatiq.Worker(broker, worker_threads=threads)
    start = time.perf_counter()
    worker.start()
    done.wait(120)
    elapsed = time.perf_counter() - start
    worker.stop()
    for key in client.scan_iter(f"{namespace}:*"):
        client.delete(key)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    index, token = claim_db()
    url = f"{REDIS_BASE}/{index}"
    try:
        times = {False: [], True: []}
        for _ in range(args.rounds):
            for ops in (False, True):
                times[ops].append(drain(url, ops=ops, messages=args.messages, threads=args.threads))
    finally:
        lock = redis.Redis.from_url(f"{REDIS_BASE}/0")
        if lock.get(f"studyforge:test-lock:{index}") == token.encode():
            lock.delete(f"studyforge:test-lock:{index}")
    print(machine())
    base = statistics.median(times[False])
    print(f"{args.messages} no-op messages, {args.threads} threads, {args.rounds} rounds (medians)")
    for ops in (False, True):
        t = statistics.median(times[ops])
        print(f"  {'with ops middleware' if ops else 'plain Dramatiq      '}: {args.messages / t:8.0f} msg/s"
              f"  ({t:.2f} s)  {base / t:.2f}x")
    bench_results.record("ops_middleware", {"messages": args.messages, "threads": args.threads,
                                            "plain_msg_s": args.messages / base,
                                            "ops_msg_s": args.messages / statistics.median(times[True])})


if __name__ == "__main__":
    main()
