"""A 200-item batch against a provider limited to 600 requests/min, beside students' jobs.

Usage: uv run python bench/batch_pacing.py [--items 200] [--rpm 600] [--latency 0.5]
                                           [--student-rate 1.0] [--rounds 1]

Real processes: the fake LLM server (``tests/fakes/llm_server.py``, OpenAI protocol, 0.5 s per
reply) and one ``studyforge worker`` (1 process, 64 threads) on a fresh PostgreSQL database and
a claimed Redis index, with ``STUDYFORGE_AI_REQUESTS_PER_MINUTE={"openai": 600}``. The batch is
one explanation per chapter of a 200-chapter grade. Per round, three scenarios:
- students alone: explanation jobs (force, so never cached) at ``--student-rate`` per second
  for as long as the batch takes, as a student's app would send them;
- batch alone: the batch's wall time (created -> finished) against the rate-limit floor
  (items / rpm minutes: 20 s);
- batch + students: both at once: students' latency beside the batch, and the batch's time
  against its floor with the students' share of the rate taken out.
Student latency is job created -> finished (what a student waits for), p50 and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import results as bench_results  # noqa: E402
from bench._common import claimed_redis_db  # noqa: E402
from bench.common import bench_database, machine  # noqa: E402
from bench.processes import free_port, process  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
GRADE = 12


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def seed(settings, items: int):
    from shared.auth import service as auth
    from shared.auth.tokens import Principal
    from shared.curriculum import service as curriculum
    from shared.curriculum.schemas import CurriculumImport
    from shared.db import create_engine, session_factory, session_scope

    engine = create_engine(settings)
    sessions = session_factory(engine)
    subjects = 5
    grade = {"grade": GRADE, "subjects": [
        {"name": f"Subject {s + 1}", "chapters": [
            {"name": f"Chapter {s + 1}.{c + 1}", "topics": [f"topic {c + 1}"]}
            for c in range(items // subjects)]}
        for s in range(subjects)]}
    async with session_scope(sessions, None) as session:
        user = await auth.register(session, email="bench@example.org", password="bench-password",
                                   role="admin")
        await curriculum.import_curriculum(session, CurriculumImport.model_validate({"grades": [grade]}))
        await curriculum.import_curriculum(
            session, curriculum.load_file(curriculum.SAMPLE_CURRICULUM))
    return engine, sessions, Principal(user_id=user.id, role="admin")


async def students(sessions, redis, dispatcher, settings, principal, *, rate: float,
                   stop: asyncio.Event) -> list[str]:
    """Send student explanation jobs at ``rate`` per second until ``stop``; their ids."""
    from shared.curriculum import repository as curriculum
    from shared.db import session_scope
    from shared.generations import service as generations
    from shared.generations.schemas import GenerationIn

    async with sessions() as session:
        chapters = [c.id for c in await curriculum.list_chapters(session, grade=4)]
    ids, i = [], 0
    next_at = time.monotonic()
    while not stop.is_set():
        async with session_scope(sessions, dispatcher) as session:
            [job] = await generations.request_many(session, redis, settings, [generations.Ask(
                principal, GenerationIn(kind="explanation", chapter_id=chapters[i % len(chapters)],
                                        force=True, analogy=f"student {i}"))])
            if isinstance(job, Exception):
                raise job
            ids.append(job.id)
        i += 1
        next_at += 1 / rate
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.monotonic()))
    return ids


async def latencies(sessions, ids: list[str]) -> list[float]:
    from sqlalchemy import select

    from shared.jobs.models import Job

    deadline = time.monotonic() + 60
    while True:
        async with sessions() as session:
            rows = (await session.execute(select(Job.status, Job.created_at, Job.finished_at)
                                          .where(Job.id.in_(ids)))).all()
        if all(r.finished_at for r in rows) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    failed = sum(r.status != "succeeded" for r in rows)
    assert not failed, f"{failed} student jobs did not succeed"
    return [(r.finished_at - r.created_at).total_seconds() for r in rows]


async def run_batch(sessions, dispatcher, settings) -> dict:
    from shared.batches import service as batches
    from shared.batches.schemas import BatchIn
    from shared.db import session_scope

    async with session_scope(sessions, dispatcher) as session:
        plan = await batches.start(session, settings, None, BatchIn(
            grade=GRADE, kinds=["explanation"], force=True))
    while True:
        await asyncio.sleep(0.2)
        async with sessions() as session:
            out = await batches.get(session, plan.batch_id)
        if out.status != "running" and out.finished_at:
            break
    assert out.status == "succeeded", out
    from sqlalchemy import select

    from shared.batches.models import BatchItem
    from shared.jobs.models import Job

    async with sessions() as session:
        jobs = (await session.execute(select(Job.created_at, Job.started_at, Job.finished_at).join(
            BatchItem, BatchItem.job_id == Job.id).where(BatchItem.batch_id == plan.batch_id))).all()
    first = min(j.created_at for j in jobs)
    last = max(j.finished_at for j in jobs)
    return {"wall": (out.finished_at - out.created_at).total_seconds(), "items": out.total,
            "first_job_after": (first - out.created_at).total_seconds(),
            "jobs_span": (last - first).total_seconds(),
            "ended_after_last_job": (out.finished_at - last).total_seconds(),
            "job_run_p50": statistics.median((j.finished_at - j.started_at).total_seconds()
                                             for j in jobs),
            "job_wait_p50": statistics.median((j.started_at - j.created_at).total_seconds()
                                              for j in jobs)}


async def scenario(name, ctx, opts, *, batch: bool, student_seconds: float | None) -> dict:
    sessions, redis, dispatcher, settings, principal = ctx
    stop = asyncio.Event()
    student_task = asyncio.create_task(students(sessions, redis, dispatcher, settings, principal,
                                                rate=opts.student_rate, stop=stop)) \
        if student_seconds != 0 else None
    result = {}
    if batch:
        result.update(await run_batch(sessions, dispatcher, settings))
    else:
        await asyncio.sleep(student_seconds)
    stop.set()
    if student_task is not None:
        lat = await latencies(sessions, await student_task)
        result.update(students=len(lat), p50=statistics.median(lat), p95=pct(lat, 0.95))
    print(f"  {name}: {json.dumps({k: round(v, 3) for k, v in result.items()})}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--student-rate", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=1)
    opts = parser.parse_args()
    with bench_database() as db_url, claimed_redis_db() as redis_url:
        asyncio.run(_main(opts, db_url, redis_url))


async def _main(opts, db_url: str, redis_url: str) -> None:
    import os

    from shared.config import Settings
    from shared.queue import Dispatcher
    from shared.redis import async_client

    logs = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    fake_port = free_port()
    base = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "JWT_SECRET": SECRET,
            "ENVIRONMENT": "test", "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{fake_port}/v1",
            "AI_REQUESTS_PER_MINUTE": json.dumps({"openai": opts.rpm})}
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYFORGE_")}
    env.update({f"STUDYFORGE_{k}": v for k, v in base.items()})
    settings = Settings(**{k.lower(): (json.loads(v) if k == "AI_REQUESTS_PER_MINUTE" else v)
                           for k, v in base.items()})
    engine, sessions, principal = await seed(settings, opts.items)
    redis = async_client(settings)
    ctx = (sessions, redis, Dispatcher(redis, settings.broker_namespace), settings, principal)
    fake = [sys.executable, "-m", "tests.fakes.llm_server", "--port", str(fake_port),
            "--latency", str(opts.latency)]
    worker = [sys.executable, "-m", "studyforge", "worker", "--processes", "1", "--threads", "64"]
    floor = opts.items / opts.rpm * 60
    print(f"{machine()}; {opts.items} items, {opts.rpm} rpm (floor {floor:.1f} s), "
          f"{opts.latency}s latency, students {opts.student_rate}/s", flush=True)
    rounds = []
    with process(fake, env, "fake LLM server", logs / "fake.log"), \
         process(worker, env, "ready for action", logs / "worker.log"):
        for r in range(opts.rounds):
            print(f"round {r + 1}", flush=True)
            alone = await scenario("batch alone", ctx, opts, batch=True, student_seconds=0)
            quiet = await scenario("students alone", ctx, opts, batch=False,
                                   student_seconds=alone["wall"])
            both = await scenario("batch + students", ctx, opts, batch=True, student_seconds=None)
            rounds.append((alone, quiet, both))
    await redis.aclose()
    await engine.dispose()
    med = lambda i, key: statistics.median(r[i][key] for r in rounds)  # noqa: E731
    student_floor = opts.items / (opts.rpm - 60 * opts.student_rate) * 60
    print(f"\nmedians of {opts.rounds} round(s):")
    print(f"| batch alone | {med(0, 'wall'):.1f} s | floor {floor:.1f} s | "
          f"{med(0, 'wall') / floor:.2f}x |")
    print(f"| batch + students | {med(2, 'wall'):.1f} s | floor {student_floor:.1f} s | "
          f"{med(2, 'wall') / student_floor:.2f}x |")
    print(f"| students alone | p50 {med(1, 'p50') * 1000:.0f} ms | p95 {med(1, 'p95') * 1000:.0f} ms |")
    print(f"| students + batch | p50 {med(2, 'p50') * 1000:.0f} ms | p95 {med(2, 'p95') * 1000:.0f} ms"
          f" | p95 ratio {med(2, 'p95') / med(1, 'p95'):.2f}x |")
    print(f"logs: {logs}")
    bench_results.record("batch_pacing", {
        "items": opts.items, "rpm": opts.rpm, "floor": floor, "student_floor": student_floor,
        "batch_alone_wall": med(0, "wall"), "batch_students_wall": med(2, "wall"),
        "students_alone_p95": med(1, "p95"), "students_batch_p95": med(2, "p95")})


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
