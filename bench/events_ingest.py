"""Ingest: events/s accepted by one API process (`studyforge serve`) in batches of 100.

Beside it in the same run: the bare `/healthz` endpoint of the same process (HTTP ceiling) and
a raw pipelined XADD of the same entries (Redis ceiling). Load from wrk (-t2 -c64).

    uv run python bench/events_ingest.py [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import results as bench_results  # noqa: E402
from bench._common import claimed_redis_db, median  # noqa: E402
from shared.auth.tokens import Principal, issue  # noqa: E402
from shared.config import Settings  # noqa: E402
from shared.events.schemas import EventBatch, to_records  # noqa: E402
from shared.streams import EVENTS_STREAM  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-" + "x" * 40


def batch_body(n: int = 100) -> bytes:
    events = [{"event_id": str(uuid.uuid4()), "event_type": "click", "content_id": i,
               "metadata": {"path": "/grade/4/math/fractions", "x": 120, "y": 44,
                            "chapter_id": 12, "session": "s-0042"}} for i in range(n)]
    return orjson.dumps({"events": events})


def wrk(url: str, seconds: int, script: str | None) -> float:
    args = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency"]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} failed requests:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def raw_xadd(client: redis.Redis, body: bytes, entries: int = 20_000) -> float:
    records = to_records(EventBatch.model_validate_json(body).events, profile_id=1)
    data = orjson.dumps(records)
    start = time.perf_counter()
    for _ in range(entries // 500):
        pipe = client.pipeline(transaction=False)
        for _ in range(500):
            pipe.xadd("bench:raw", {"data": data})
        pipe.execute()
    elapsed = time.perf_counter() - start
    client.delete("bench:raw")
    return entries * 100 / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    with claimed_redis_db() as redis_url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="production", jwt_secret=SECRET, redis_url=redis_url)
        token, _ = issue(settings, Principal(user_id=1, role="student", profile_id=1))
        body = batch_body()
        script = Path(tmp) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f'wrk.body = {json.dumps(body.decode())}\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYFORGE_")}
        env.update(STUDYFORGE_ENVIRONMENT="production", STUDYFORGE_JWT_SECRET=SECRET,
                   STUDYFORGE_REDIS_URL=redis_url,
                   STUDYFORGE_SQLITE_PATH=str(Path(tmp) / "unused.sqlite3"))
        port = 8791
        server = subprocess.Popen(
            [sys.executable, "-m", "studyforge", "serve", "--port", str(port)], cwd=ROOT,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            r = httpx.post(f"{base}/api/v1/events", content=body,
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"})
            assert r.status_code == 202, r.text
            client = redis.Redis.from_url(redis_url)
            hello, events, xadd = [], [], []
            for _ in range(opts.rounds):
                hello.append(wrk(f"{base}/healthz", opts.seconds, None))
                events.append(wrk(f"{base}/api/v1/events", opts.seconds, str(script)) * 100)
                xadd.append(raw_xadd(client, body))
                client.delete(EVENTS_STREAM)
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(f"rounds={opts.rounds} seconds={opts.seconds} wrk -t2 -c64, batches of 100 events")
    print(f"GET /healthz            {median(hello):>10,.0f} req/s   {hello}")
    print(f"POST /events            {median(events):>10,.0f} events/s "
          f"({median(events) / 100:,.0f} req/s, {median(events) / 100 / median(hello):.2f}x hello)")
    print(f"raw XADD, pipelined 500 {median(xadd):>10,.0f} events/s "
          f"(API = {median(events) / median(xadd):.2f}x of it)")
    bench_results.record("events_ingest", {"seconds": opts.seconds, "healthz_rps": median(hello),
                                           "events_per_s": median(events), "xadd_events_per_s": median(xadd)})


if __name__ == "__main__":
    main()
