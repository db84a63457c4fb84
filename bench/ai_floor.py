"""The floor under bench/ai_chain.py: 1,000 jobs made of the required parts alone.

Usage: uv run python bench/ai_floor.py [--jobs 1000] [--rounds 3] [--threads 256] [--latency 1.0]
(bench/ai_chain.py also runs it once per round, beside its own scenarios.)

One Dramatiq worker process (``bench/ai_floor_worker.py``: async actor, N threads) against the
same fake LLM server at the same latency. Each job makes a Gemini call (google-genai, JSON
schema) and an OpenAI moderation call through the SDK clients our providers build, and writes
its row to PostgreSQL in one statement. Whatever our worker spends beyond this is ours.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import claimed_redis_db  # noqa: E402
from bench.common import bench_database, machine, median  # noqa: E402
from bench.processes import cpu_seconds, free_port, process, rss_mb  # noqa: E402

ACTOR, QUEUE = "floor_job", "floor"  # as bench/ai_floor_worker.py declares them


async def run_floor(n: int, *, db_url: str, redis_url: str, fake_url: str, threads: int,
                    logs: Path, moderation: bool = True) -> dict:
    """Start the floor worker, drain ``n`` jobs through it, stop it; drain time and CPU."""
    import asyncpg
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    dsn = db_url.replace("postgresql+asyncpg://", "postgresql://")
    db = await asyncpg.connect(dsn)
    await db.execute("DROP TABLE IF EXISTS floor_jobs; CREATE TABLE floor_jobs "
                     "(id int PRIMARY KEY, status text NOT NULL, result jsonb)")
    await db.executemany("INSERT INTO floor_jobs VALUES ($1, 'queued', NULL)",
                         [(i,) for i in range(n)])
    env = {**os.environ, "FLOOR_REDIS_URL": redis_url, "FLOOR_DSN": dsn,
           "STUDYFORGE_GEMINI_API_KEY": "bench", "STUDYFORGE_GEMINI_BASE_URL": fake_url + "/",
           "STUDYFORGE_OPENAI_API_KEY": "bench", "STUDYFORGE_OPENAI_BASE_URL": fake_url + "/v1",
           "FLOOR_MODERATION": "1" if moderation else "0"}
    cmd = [str(Path(sys.executable).parent / "dramatiq"), "bench.ai_floor_worker",
           "--processes", "1", "--threads", str(threads)]
    broker = RedisBroker(url=redis_url)
    try:
        with process(cmd, env, "Worker process is ready for action", logs / "floor.log") as worker:
            messages = [dramatiq.Message(queue_name=QUEUE, actor_name=ACTOR, args=(i,),
                                         kwargs={}, options={}) for i in range(n)]
            # Like our bench's commit, all messages go out before the clock starts.
            for message in messages:
                broker.enqueue(message)
            started = time.monotonic()
            cpu_before = cpu_seconds(worker.pid)
            peak_rss, done = 0.0, 0
            while done < n:
                await asyncio.sleep(0.1)
                peak_rss = max(peak_rss, rss_mb(worker.pid))
                done = await db.fetchval("SELECT count(*) FROM floor_jobs WHERE status <> 'queued'")
                if time.monotonic() - started > 120:
                    raise RuntimeError(f"floor: only {done}/{n} jobs finished in 120 s")
            drain = time.monotonic() - started
            cpu = cpu_seconds(worker.pid) - cpu_before
            failed = await db.fetchval("SELECT count(*) FROM floor_jobs WHERE status = 'failed'")
            if failed:
                raise RuntimeError(f"floor: {failed}/{n} jobs failed; see {logs / 'floor.log'}")
    finally:
        broker.close()
        await db.execute("DROP TABLE IF EXISTS floor_jobs")
        await db.close()
    return {"drain": drain, "cpu_ms_per_job": 1000 * cpu / n, "rss": peak_rss}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=256)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--no-moderation", action="store_true",
                        help="the Gemini call alone (content moderation is a later requirement)")
    opts = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    port = free_port()
    fake_cmd = [sys.executable, "-m", "tests.fakes.llm_server", "--port", str(port),
                "--latency", str(opts.latency)]
    runs = []
    with bench_database() as db_url, claimed_redis_db() as redis_url, \
         process(fake_cmd, dict(os.environ), "fake LLM server on", logs / "fake.log"):
        for round_no in range(opts.rounds):
            result = asyncio.run(run_floor(
                opts.jobs, db_url=db_url, redis_url=redis_url, fake_url=f"http://127.0.0.1:{port}",
                threads=opts.threads, logs=logs, moderation=not opts.no_moderation))
            runs.append(result)
            print(f"round {round_no + 1} floor: {result['drain']:.2f} s, worker CPU "
                  f"{result['cpu_ms_per_job']:.1f} ms/job, RSS {result['rss']:.0f} MB", flush=True)
    print(f"\nfloor, {opts.jobs} jobs x {opts.threads} threads, latency {opts.latency} s, "
          f"{opts.rounds} rounds; {machine()}: drain {median([r['drain'] for r in runs]):.2f} s, "
          f"worker CPU {median([r['cpu_ms_per_job'] for r in runs]):.1f} ms/job")


if __name__ == "__main__":
    main()
