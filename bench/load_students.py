"""A bounded load test of the student path on loopback: N students for D seconds.

Usage: uv run python bench/load_students.py [--students 200] [--seconds 120] [--workers 1]

Starts `studyforge serve`, `studyforge worker` and `studyforge scheduler` on a throwaway
PostgreSQL database and a Redis index of its own (the machine's servers), creates the
students, and runs each one as a loop: browse the grade, open a chapter, ask for an
explanation (a few analogies, so some requests are cache hits) and follow the job to its end,
answer a question when the chapter has one and answering exists, post a batch of interaction
events, think 1-3 s. Then it flushes the events and checks the dashboard counts exactly what
was accepted. Prints errors and p50/p95/p99 per endpoint. Every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import results as bench_results  # noqa: E402
from bench._common import claimed_redis_db  # noqa: E402
from bench.common import bench_database, machine, server  # noqa: E402

ANALOGIES = ["pizza slices", "a football match", "building with LEGO", "a birthday party"]


async def make_students(db_url: str, n: int) -> tuple[list[tuple[str, int]], str]:
    """n child profiles under n/5 parents, the sample curriculum, an operator token."""
    from shared.auth import service as auth
    from shared.auth.tokens import Principal, issue
    from shared.config import Settings
    from shared.curriculum import service as curriculum
    from shared.db import create_engine, session_factory, session_scope
    from shared.profiles import repository as profiles

    settings = Settings(database_url=db_url, environment="development")
    engine = create_engine(settings)
    students = []
    async with session_scope(session_factory(engine), None) as session:
        await curriculum.import_curriculum(session, curriculum.load_file(curriculum.SAMPLE_CURRICULUM))
        operator = await auth.register(session, email="op@load.test", password="x" * 12, role="operator")
        for p in range((n + 4) // 5):
            parent = await auth.register(session, email=f"p{p}@load.test", password="x" * 12)
            for c in range(min(5, n - p * 5)):
                child = await profiles.add(session, parent_id=parent.id, display_name=f"s{p}-{c}",
                                           current_grade=3 + (p + c) % 3)
                students.append((parent.id, child.id))
    await engine.dispose()
    tokens = [(issue(settings, Principal(u, "student", pid))[0], pid) for u, pid in students]
    return tokens, issue(settings, Principal(operator.id, "operator"))[0]


class Stats:
    def __init__(self) -> None:
        self.latency = defaultdict(list)
        # Per endpoint: HTTP status code (int) or transport error class name (str) -> count, so
        # a 429 (a limit doing its job), a 503 (a store down) and a timeout are told apart.
        self.errors: dict[str, Counter] = defaultdict(Counter)
        self.jobs = defaultdict(int)
        self.events_accepted = 0

    async def call(self, http: httpx.AsyncClient, name: str, method: str, url: str, **kw):
        start = time.perf_counter()
        try:
            r = await http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.errors[name][type(exc).__name__] += 1
            return None
        self.latency[name].append((time.perf_counter() - start) * 1000)
        if r.status_code >= 400:
            self.errors[name][r.status_code] += 1
        return r

    def error_kinds(self, name: str) -> str:
        """'429 x3, ReadTimeout x1' (HTTP statuses first, then transport errors), or '-'."""
        kinds = sorted(self.errors[name].items(), key=lambda kv: (isinstance(kv[0], str), str(kv[0])))
        return ", ".join(f"{k} x{n}" for k, n in kinds) or "-"


async def student(http, stats: Stats, token: str, deadline: float, can_answer: bool) -> None:
    h = {"Authorization": f"Bearer {token}"}
    me = None
    while me is None and time.monotonic() < deadline:  # a failed /me is counted, then retried
        r = await stats.call(http, "GET /me", "GET", "/me", headers=h)
        if r is not None and r.status_code == 200:
            me = r.json()
        else:
            await asyncio.sleep(1)
    if me is None:
        return
    while time.monotonic() < deadline:
        r = await stats.call(http, "GET /curriculum", "GET", "/curriculum",
                             params={"grade": me["current_grade"]}, headers=h)
        chapters = r.json() if r is not None and r.status_code == 200 else []
        if not chapters:
            await asyncio.sleep(1)
            continue
        chapter = random.choice(chapters)
        r = await stats.call(http, "GET /chapters/{id}", "GET", f"/chapters/{chapter['id']}", headers=h)
        detail = r.json() if r is not None and r.status_code == 200 else {}
        r = await stats.call(http, "POST /generations", "POST", "/generations", headers=h,
                             json={"kind": "explanation", "chapter_id": chapter["id"],
                                   "analogy": random.choice(ANALOGIES)})
        if r is not None and r.status_code == 202:
            job = r.json()
            status = job["status"]
            while status not in ("succeeded", "failed", "cancelled") and time.monotonic() < deadline + 30:
                await asyncio.sleep(0.5)
                r = await stats.call(http, "GET /jobs/{id}", "GET", f"/jobs/{job['job_id']}", headers=h)
                status = r.json()["status"] if r is not None and r.status_code == 200 else status
            stats.jobs[status] += 1
        questions = detail.get("questions") or []
        if can_answer and questions:
            q = random.choice(questions)
            answer = 0 if q["type"] == "mcq" else "I think it is about sharing things equally."
            await stats.call(http, "POST /questions/{id}/answers", "POST", f"/questions/{q['id']}/answers",
                             headers=h, json={"answer": answer})
        events = [{"event_id": str(uuid.uuid4()), "event_type": random.choice(["view", "click", "hint"]),
                   "content_id": chapter["id"], "metadata": {"chapter_id": chapter["id"]}}
                  for _ in range(10)]
        r = await stats.call(http, "POST /events", "POST", "/events", headers=h, json={"events": events})
        if r is not None and r.status_code == 202:
            stats.events_accepted += r.json()["accepted"]
        await asyncio.sleep(random.uniform(1, 3))


def pct(values, q):
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values or [0])[0]


async def run(base: str, tokens, operator: str, seconds: int) -> Stats:
    stats = Stats()
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        paths = (await http.get("/openapi.json".join(base.rsplit("/api/v1", 1)))).json()["paths"]
        can_answer = "/api/v1/questions/{question_id}/answers" in paths
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(student(http, stats, t, deadline, can_answer) for t, _ in tokens))
        op = {"Authorization": f"Bearer {operator}"}
        await http.post("/admin/flush", headers=op)
        r = await http.get("/admin/analytics/events-by-type", headers=op)
        stats.counted = sum(row[1] for row in r.json()["rows"]) if r.status_code == 200 else None
    return stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    opts = parser.parse_args()

    # A claimed index (the test suite's lock keys), so a test run on the same server is never flushed.
    with claimed_redis_db() as redis_url, bench_database() as db_url:
        tokens, operator = asyncio.run(make_students(db_url, opts.students))
        data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"sf-load-{uuid.uuid4().hex[:6]}"
        env = {**os.environ, "STUDYFORGE_DATABASE_URL": db_url, "STUDYFORGE_REDIS_URL": redis_url,
               "STUDYFORGE_DATA_DIR": str(data_dir), "STUDYFORGE_ENVIRONMENT": "development",
               "STUDYFORGE_OFFLINE_LATENCY_MS": "500"}
        cmd = [sys.executable, "-m", "studyforge"]
        with server([*cmd, "serve", "--port", "8111"], env, 8111), \
             server([*cmd, "worker", "--processes", str(opts.workers), "--threads", "32"], env, 8111), \
             server([*cmd, "scheduler"], env, 8111):
            started = time.monotonic()
            stats = asyncio.run(run("http://127.0.0.1:8111/api/v1", tokens, operator, opts.seconds))
            elapsed = time.monotonic() - started

    print(f"machine: {machine()}; {opts.students} students for {opts.seconds}s "
          f"(ran {elapsed:.0f}s incl. drain); offline generator at 500 ms per job\n")
    print("| endpoint | requests | errors | by HTTP status / transport error | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    endpoints = {}
    for name in sorted(set(stats.latency) | set(stats.errors)):
        v = stats.latency[name]
        errors = sum(stats.errors[name].values())
        # Requests that got no answer (transport errors) have no latency but count as sent.
        sent = len(v) + sum(n for k, n in stats.errors[name].items() if isinstance(k, str))
        endpoints[name] = {"requests": sent, "errors": errors,
                           "error_kinds": {str(k): n for k, n in stats.errors[name].items()},
                           "p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99)}
        print(f"| {name} | {sent:,} | {errors} ({errors / max(1, sent):.2%}) | {stats.error_kinds(name)} | "
              f"{pct(v, 50):.0f} | {pct(v, 95):.0f} | {pct(v, 99):.0f} |")
    print(f"\njobs: {dict(stats.jobs)}")
    print(f"events accepted (202): {stats.events_accepted:,}; counted by the dashboard after flush: "
          f"{stats.counted if stats.counted is None else f'{stats.counted:,}'}"
          f" -> {'exact' if stats.counted == stats.events_accepted else 'MISMATCH'}")
    bench_results.record("load_students", {"students": opts.students, "seconds": opts.seconds,
                                           "endpoints": endpoints, "jobs": dict(stats.jobs),
                                           "events_accepted": stats.events_accepted,
                                           "events_counted": stats.counted})


if __name__ == "__main__":
    main()
