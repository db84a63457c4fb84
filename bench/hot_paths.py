"""The hot paths beside a bare FastAPI endpoint, in one run: cached reads and the enqueue.

Usage: uv run python bench/hot_paths.py [--rounds 3] [--seconds 10] [--connections 64]

Three servers, each one uvicorn process (uvloop + httptools): a bare FastAPI app, StudyForge
with its Redis read cache, and StudyForge with the cache off. wrk (Debian's package) drives
each endpoint in turn, alternating, and the medians are reported with their ratio to the bare
endpoint of the same method (GETs to the bare GET, POSTs to the bare POST). No worker runs,
so POST /generations is the API's cost alone: validate, read chapter and profile, insert the
job, commit, push the Dramatiq message to Redis (concurrent requests share one transaction).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import results as bench_results  # noqa: E402
from bench.common import bench_database, machine, median, server, wrk  # noqa: E402

# The tests claim a Redis database 1..15 with a lock key (tests/conftest.py); the benchmark
# claims one the same way, so that neither flushes the other's keys.
REDIS_LOCK = "studyforge:test-lock:{}"


async def seed(url: str) -> tuple[str, int]:
    """An account, a child and the sample curriculum; returns (student token, chapter id)."""
    from shared.auth import service as auth
    from shared.auth.tokens import Principal, issue
    from shared.config import Settings
    from shared.curriculum import service as curriculum
    from shared.db import create_engine, session_factory, session_scope
    from shared.profiles import repository as profiles

    settings = Settings(database_url=url, environment="development")
    engine = create_engine(settings)
    async with session_scope(session_factory(engine), None) as session:
        user = await auth.register(session, email="bench@example.org", password="bench-password")
        child = await profiles.add(session, parent_id=user.id, display_name="B", current_grade=4)
        await curriculum.import_curriculum(session, curriculum.load_file(curriculum.SAMPLE_CURRICULUM))
        principal = Principal(user_id=user.id, role="student", profile_id=child.id)
    await engine.dispose()
    token, _ = issue(settings, principal)
    return token, 15


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    opts = parser.parse_args()

    import redis

    locks = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    index = next((i for i in range(15, 0, -1)
                  if locks.set(REDIS_LOCK.format(i), "bench", nx=True, ex=3600)), None)
    if index is None:
        sys.exit("every Redis database 1..15 is claimed by a test run; try again later")
    try:
        run(opts, f"redis://127.0.0.1:6379/{index}")
    finally:
        locks.delete(REDIS_LOCK.format(index))


def run(opts, redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with bench_database() as db_url:
        token, chapter_id = asyncio.run(seed(db_url))
        env = {**os.environ, "STUDYFORGE_DATABASE_URL": db_url, "STUDYFORGE_REDIS_URL": redis_url,
               "STUDYFORGE_ENVIRONMENT": "development"}
        uvicorn = [sys.executable, "-m", "uvicorn", "--no-access-log", "--log-level", "warning",
                   "--loop", "uvloop", "--http", "httptools"]
        body = json.dumps({"kind": "explanation", "chapter_id": chapter_id, "analogy": "pizza",
                           "force": True})
        chapter = f"/api/v1/chapters/{chapter_id}"
        results = {"bare GET /hello": [], "bare POST /hello (JSON body)": [],
                   f"GET {chapter} (read cache on)": [], f"GET {chapter} (read cache off)": [],
                   "POST /api/v1/generations": []}
        no_cache = {**env, "STUDYFORGE_READ_CACHE": "false"}
        studyforge = [sys.executable, "-m", "studyforge", "serve", "--port"]
        with server([*uvicorn, "--port", "8101", "bench.bare_app:app"], env, 8101) as bare, \
             server([*studyforge, "8102"], env, 8102) as cached, \
             server([*studyforge, "8103"], no_cache, 8103) as uncached:
            headers = {"Authorization": f"Bearer {token}"}
            r = httpx.post("http://127.0.0.1:8102/api/v1/generations", content=body,
                           headers={**headers, "content-type": "application/json"})
            assert r.status_code == 202, r.text
            for port in (8102, 8103):
                r = httpx.get(f"http://127.0.0.1:{port}{chapter}", headers=headers)
                assert r.status_code == 200, r.text
            runs = [("bare GET /hello", bare, "http://127.0.0.1:8101/hello", {}),
                    ("bare POST /hello (JSON body)", bare, "http://127.0.0.1:8101/hello", {"body": body}),
                    (f"GET {chapter} (read cache on)", cached, f"http://127.0.0.1:8102{chapter}", {}),
                    (f"GET {chapter} (read cache off)", uncached, f"http://127.0.0.1:8103{chapter}", {}),
                    ("POST /api/v1/generations", cached, "http://127.0.0.1:8102/api/v1/generations",
                     {"body": body})]
            for _ in range(opts.rounds):
                for name, proc, url, extra in runs:
                    hdrs = {} if name.startswith("bare") else headers
                    # The server's own CPU time per request: on a shared machine it moves far
                    # less with other load than req/s does.
                    before = cpu_seconds(proc.pid)
                    result = wrk(url, seconds=opts.seconds, connections=opts.connections,
                                 headers=hdrs, **extra)
                    result["cpu_us"] = (cpu_seconds(proc.pid) - before) / result["requests"] * 1e6
                    results[name].append(result)
        queued = redis.Redis.from_url(redis_url).llen("dramatiq:default")
    redis.Redis.from_url(redis_url).flushdb()

    bare = {method: median([r["rps"] for r in results[name]])
            for method, name in (("GET", "bare GET /hello"), ("POST", "bare POST /hello (JSON body)"))}
    print(f"machine: {machine()}")
    print(f"wrk -t2 -c{opts.connections} -d{opts.seconds}s, {opts.rounds} alternating rounds, medians\n")
    print("| endpoint | req/s | p50 ms | p99 ms | vs bare (same method) | server CPU µs/req | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        rps = median([r["rps"] for r in runs])
        base = bare["POST" if "POST" in name else "GET"]
        print(f"| {name} | {rps:,.0f} | {median([r['p50'] for r in runs]):.1f} | "
              f"{median([r['p99'] for r in runs]):.1f} | {rps / base:.2f} | "
              f"{median([r['cpu_us'] for r in runs]):.0f} | "
              f"{sum(r['non2xx'] for r in runs)} |")
    accepted = 1 + sum(r["requests"] for r in results["POST /api/v1/generations"])
    print(f"\nmessages in dramatiq:default: {queued:,}; requests wrk completed (+1 warm-up): {accepted:,}")
    bench_results.record("hot_paths", {"connections": opts.connections, "seconds": opts.seconds,
                                       "endpoints": {name: {k: median([r[k] for r in runs])
                                                            for k in ("rps", "p50", "p99")}
                                                     for name, runs in results.items()}})


if __name__ == "__main__":
    main()
