"""The hot paths beside a bare FastAPI endpoint, in one run: cached reads and the enqueue.

Usage: uv run python bench/hot_paths.py [--rounds 3] [--seconds 10] [--connections 64]

Three servers, each one uvicorn process (uvloop + httptools): a bare FastAPI app, StudyForge
with its Redis read cache, and StudyForge with the cache off. wrk (Debian's package) drives
each endpoint in turn, alternating, and the medians are reported with their ratio to the bare
POST. No worker runs, so POST /generations is the API's cost alone: validate, read chapter and
profile, insert the job, commit, push the Dramatiq message to Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

import httpx

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from bench import results as bench_results  # noqa: E402
from bench.common import bench_database, machine, median, server, wrk  # noqa: E402

REDIS_DB = 14


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    opts = parser.parse_args()

    import redis

    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
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
        with server([*uvicorn, "--port", "8101", "bench.bare_app:app"], env, 8101), \
             server([*studyforge, "8102"], env, 8102), server([*studyforge, "8103"], no_cache, 8103):
            headers = {"Authorization": f"Bearer {token}"}
            r = httpx.post("http://127.0.0.1:8102/api/v1/generations", content=body,
                           headers={**headers, "content-type": "application/json"})
            assert r.status_code == 202, r.text
            for port in (8102, 8103):
                r = httpx.get(f"http://127.0.0.1:{port}{chapter}", headers=headers)
                assert r.status_code == 200, r.text
            for _ in range(opts.rounds):
                kw = {"seconds": opts.seconds, "connections": opts.connections}
                results["bare GET /hello"].append(wrk("http://127.0.0.1:8101/hello", **kw))
                results["bare POST /hello (JSON body)"].append(
                    wrk("http://127.0.0.1:8101/hello", body=body, **kw))
                results[f"GET {chapter} (read cache on)"].append(
                    wrk(f"http://127.0.0.1:8102{chapter}", headers=headers, **kw))
                results[f"GET {chapter} (read cache off)"].append(
                    wrk(f"http://127.0.0.1:8103{chapter}", headers=headers, **kw))
                results["POST /api/v1/generations"].append(
                    wrk("http://127.0.0.1:8102/api/v1/generations", body=body, headers=headers, **kw))
        queued = redis.Redis.from_url(redis_url).llen("dramatiq:default")
    redis.Redis.from_url(redis_url).flushdb()

    base = median([r["rps"] for r in results["bare POST /hello (JSON body)"]])
    print(f"machine: {machine()}")
    print(f"wrk -t2 -c{opts.connections} -d{opts.seconds}s, {opts.rounds} alternating rounds, medians\n")
    print("| endpoint | req/s | p50 ms | p99 ms | vs bare POST | non-2xx |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        rps = median([r["rps"] for r in runs])
        print(f"| {name} | {rps:,.0f} | {median([r['p50'] for r in runs]):.1f} | "
              f"{median([r['p99'] for r in runs]):.1f} | {rps / base:.2f} | "
              f"{sum(r['non2xx'] for r in runs)} |")
    accepted = 1 + sum(r["requests"] for r in results["POST /api/v1/generations"])
    print(f"\nmessages in dramatiq:default: {queued:,}; requests wrk completed (+1 warm-up): {accepted:,}")
    bench_results.record("hot_paths", {"connections": opts.connections, "seconds": opts.seconds,
                                       "endpoints": {name: {k: median([r[k] for r in runs])
                                                            for k in ("rps", "p50", "p99")}
                                                     for name, runs in results.items()}})


if __name__ == "__main__":
    main()
