"""1,000 explanation jobs through one worker process against a provider that answers in 1 s.

Usage: uv run python bench/ai_chain.py [--jobs 1000] [--rounds 3] [--threads 256] [--latency 1.0]

Real processes: the fake LLM server (``tests/fakes/llm_server.py``, real HTTP, 1 s per reply),
one ``studyforge worker`` process (Dramatiq, async actor, N threads) on a fresh PostgreSQL
database and a claimed Redis index. Per round, three scenarios on the same worker:
- baseline: the route is ``offline`` with a simulated 1 s latency (no HTTP, no SDK);
- healthy:  the default route, Gemini first (google-genai over HTTP to the fake);
- failing:  Gemini answers every call 503; the chain falls back to OpenAI and the circuit
            opens, so later jobs skip Gemini without calling it.
And once per round the floor (bench/ai_floor.py): a bare Dramatiq worker making the same two SDK
calls (generation, moderation) and one PostgreSQL write per job, nothing else.
Reported: drain time (commit of 1,000 jobs -> the last one final), provider calls in flight
(peak, seen by the fake), worker RSS (peak), and each scenario's ratio to the baseline and to
the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import results as bench_results  # noqa: E402
from bench._common import claimed_redis_db  # noqa: E402
from bench.ai_floor import run_floor  # noqa: E402
from bench.common import bench_database, machine, median  # noqa: E402
from bench.processes import cpu_seconds, free_port, process, rss_mb  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
FLOOR = "floor: the required parts alone (bench/ai_floor.py)"


async def seed(settings) -> tuple:
    from shared.auth import service as auth
    from shared.auth.tokens import Principal
    from shared.curriculum import service as curriculum
    from shared.db import create_engine, session_factory, session_scope

    engine = create_engine(settings)
    sessions = session_factory(engine)
    async with session_scope(sessions, None) as session:
        user = await auth.register(session, email="bench@example.org", password="bench-password",
                                   role="admin")
        await curriculum.import_curriculum(
            session, curriculum.load_file(curriculum.SAMPLE_CURRICULUM))
    return engine, sessions, Principal(user_id=user.id, role="admin")


async def set_route(sessions, settings, redis, chain: list[dict] | None) -> None:
    from shared.ai import service
    from shared.ai.schemas import RouteIn

    async with sessions() as session:
        if chain is None:
            await service.reset_route(session, settings, task="explanation")
        else:
            await service.set_route(session, settings, task="explanation",
                                    body=RouteIn(chain=chain), user_id=None)
        await session.commit()
    await service.announce_change(redis)


async def run_scenario(n, sessions, redis, principal, worker_pid, fake, dispatcher, fake_pid) -> dict:
    from sqlalchemy import func, select

    from shared.db import session_scope
    from shared.jobs import service as jobs
    from shared.jobs.models import Job

    batch = uuid.uuid4().hex
    async with session_scope(sessions, dispatcher) as session:
        for i in range(n):
            await jobs.create(session, principal, kind="explanation", actor="generations.generate",
                              payload={"kind": "explanation", "chapter_id": 1 + i % 10,
                                       "topic": f"topic {batch} {i}", "analogy": "pizza",
                                       "grade": 4})
    started = time.monotonic()  # the commit above sent all n messages
    cpu_before, fake_cpu_before = cpu_seconds(worker_pid), cpu_seconds(fake_pid)
    peak_rss, done = 0.0, 0
    query = select(func.count()).select_from(Job).where(
        Job.status.in_(("succeeded", "failed")), Job.payload["topic"].as_string().like(
            f"topic {batch} %"))
    while done < n:
        await asyncio.sleep(0.1)
        peak_rss = max(peak_rss, rss_mb(worker_pid))
        async with sessions() as session:
            done = await session.scalar(query)
        if time.monotonic() - started > 300:
            async with sessions() as session:
                statuses = dict((await session.execute(
                    select(Job.status, func.count()).where(
                        Job.payload["topic"].as_string().like(f"topic {batch} %"))
                    .group_by(Job.status))).all())
            raise RuntimeError(f"only {done}/{n} jobs finished in 300 s: {statuses}")
    drain = time.monotonic() - started
    worker_cpu = cpu_seconds(worker_pid) - cpu_before
    fake_cpu = cpu_seconds(fake_pid) - fake_cpu_before
    async with sessions() as session:
        failed = await session.scalar(select(func.count()).select_from(Job).where(
            Job.status == "failed", Job.payload["topic"].as_string().like(f"topic {batch} %")))
        models = Counter((await session.scalars(
            select(Job.result["model"].as_string()).where(
                Job.payload["topic"].as_string().like(f"topic {batch} %")))).all())
    stats = fake.stats()
    return {"drain": drain, "failed": failed, "in_flight": stats["max_in_flight"],
            "cpu_ms_per_job": 1000 * worker_cpu / n, "fake_cpu_ms_per_job": 1000 * fake_cpu / n,
            "rss": peak_rss, "calls": stats["calls"], "models": dict(models)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=256)
    parser.add_argument("--processes", type=int, default=1,
                        help="worker processes (the goal is for one; more shows how it scales)")
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the floor (bench/ai_floor.py) each round")
    opts = parser.parse_args()
    with bench_database() as db_url:  # made outside the event loop: it runs its own
        asyncio.run(_main(opts, db_url))


async def _main(opts, db_url: str) -> None:
    import redis.asyncio as aioredis

    from shared.config import Settings
    from shared.queue import Dispatcher
    from tests.fakes.llm_server import Behaviour, FakeLLMControl

    logs = Path(tempfile.mkdtemp(prefix="bench-ai-"))
    fake_port = free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    with claimed_redis_db() as redis_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYFORGE_")}
        values = {
            "ENVIRONMENT": "production", "JWT_SECRET": SECRET, "DATABASE_URL": db_url,
            "REDIS_URL": redis_url, "GEMINI_API_KEY": "bench", "GEMINI_BASE_URL": fake_url + "/",
            "OPENAI_API_KEY": "bench", "OPENAI_BASE_URL": fake_url + "/v1",
            "OFFLINE_LATENCY_MS": str(int(opts.latency * 1000)),
        }
        env.update({f"STUDYFORGE_{k}": v for k, v in values.items()})
        settings = Settings(**{k.lower(): v for k, v in values.items()})
        engine, sessions, principal = await seed(settings)
        redis = aioredis.Redis.from_url(redis_url)
        dispatcher = Dispatcher(redis, settings.broker_namespace)
        fake_cmd = [sys.executable, "-m", "tests.fakes.llm_server", "--port", str(fake_port),
                    "--latency", str(opts.latency)]
        worker_cmd = [str(Path(sys.executable).parent / "studyforge"), "worker",
                      "--processes", str(opts.processes), "--threads", str(opts.threads)]
        with process(fake_cmd, env, "fake LLM server on", logs / "fake.log") as fake_proc, \
             process(worker_cmd, env, "ready for action", logs / "worker.log") as worker:
            fake = FakeLLMControl(fake_url)
            scenarios = {
                "baseline: offline, 1 s simulated": [{"provider": "offline",
                                                     "model": "template-v1"}],
                "healthy: Gemini primary": None,
                "failing: Gemini 503 -> OpenAI, circuit open": None,
            }
            results: dict[str, list[dict]] = {name: [] for name in scenarios}
            for round_no in range(opts.rounds):
                for name, chain in scenarios.items():
                    await set_route(sessions, settings, redis, chain)
                    for key in await redis.keys("studyforge:ai:circuit:*"):
                        await redis.delete(key)
                    fake.reset()
                    if name.startswith("failing"):
                        fake.always("gemini", Behaviour(status=503))
                    else:
                        fake.always("gemini", None)
                    result = await run_scenario(opts.jobs, sessions, redis, principal,
                                                worker.pid, fake, dispatcher, fake_proc.pid)
                    results[name].append(result)
                    print(f"round {round_no + 1} {name}: {result['drain']:.2f} s, "
                          f"worker CPU {result['cpu_ms_per_job']:.1f} ms/job, "
                          f"fake provider CPU {result['fake_cpu_ms_per_job']:.1f} ms/job, "
                          f"in flight {result['in_flight']}, RSS {result['rss']:.0f} MB, "
                          f"failed {result['failed']}, calls {result['calls']}, "
                          f"models {result['models']}", flush=True)
                if opts.floor:
                    fake.reset()
                    fake.always("gemini", None)
                    result = await run_floor(opts.jobs, db_url=db_url, redis_url=redis_url,
                                             fake_url=fake_url, threads=opts.threads, logs=logs)
                    results.setdefault(FLOOR, []).append(result)
                    print(f"round {round_no + 1} {FLOOR}: {result['drain']:.2f} s, worker CPU "
                          f"{result['cpu_ms_per_job']:.1f} ms/job, RSS {result['rss']:.0f} MB",
                          flush=True)
        await redis.aclose()
        await engine.dispose()

    print(f"\n{opts.jobs} jobs, {opts.processes} worker process(es) x {opts.threads} threads, "
          f"provider latency "
          f"{opts.latency} s, {opts.rounds} rounds; {machine()}")
    print("| scenario | drain (median) | vs baseline | vs floor | worker CPU per job (median) "
          "| fake provider CPU per job | in flight (peak) | worker RSS (peak) |")
    print("|---|---|---|---|---|---|---|---|")
    base = median([r["drain"] for r in results[next(iter(results))]])
    floor = median([r["drain"] for r in results[FLOOR]]) if FLOOR in results else None
    for name, runs in results.items():
        drain = median([r["drain"] for r in runs])
        cpu = median([r["cpu_ms_per_job"] for r in runs])
        fake_cpu = (f"{median([r['fake_cpu_ms_per_job'] for r in runs]):.1f} ms"
                    if "fake_cpu_ms_per_job" in runs[0] else "—")
        in_flight = max(r["in_flight"] for r in runs) if "in_flight" in runs[0] else "—"
        vs_floor = f"{drain / floor:.2f}" if floor else "—"
        print(f"| {name} | {drain:.2f} s | {drain / base:.2f} | {vs_floor} | {cpu:.1f} ms | "
              f"{fake_cpu} | {in_flight} | {max(r['rss'] for r in runs):.0f} MB |")
    bench_results.record("ai_chain", {"jobs": opts.jobs, "latency": opts.latency, "scenarios": {name: {
        "drain": median([r["drain"] for r in runs]),
        "cpu_ms_per_job": median([r["cpu_ms_per_job"] for r in runs]),
        "in_flight": max(r.get("in_flight", 0) for r in runs), "rss": max(r["rss"] for r in runs),
        "failed": sum(r.get("failed", 0) for r in runs)} for name, runs in results.items()}})


if __name__ == "__main__":
    main()
