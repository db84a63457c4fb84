"""Shared helpers for benchmarks: a throwaway database, servers as subprocesses, wrk runs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown cpu")
    return f"{os.cpu_count()} cores ({cpu}), Python {sys.version.split()[0]}"


@contextlib.contextmanager
def bench_database():
    """A fresh migrated PostgreSQL database; dropped afterwards."""
    import asyncio

    import asyncpg

    from shared.config import Settings
    from shared.migrate import upgrade

    name = f"studyforge_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    try:
        upgrade(Settings(database_url=url))
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def server(args: list[str], env: dict[str, str], port: int):
    """Run a server command until its /healthz-or-given path answers."""
    log = Path(tempfile.mkdtemp(prefix="bench-")) / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"server {args} did not start; log: {log}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=15)


WRK_POST = """
wrk.method = "POST"
wrk.body   = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
{headers}
"""


def wrk(url: str, *, seconds: int = 10, connections: int = 64, body: str | None = None,
        headers: dict[str, str] | None = None) -> dict:
    """Run wrk and return req/s and latency percentiles (ms)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian's package)")
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    script = None
    if body is not None:
        hdrs = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items())
        script = Path(tempfile.mkdtemp(prefix="wrk-")) / "post.lua"
        script.write_text(WRK_POST.format(body=body, headers=hdrs))
        args[1:1] = ["-s", str(script)]
    elif headers:
        for k, v in headers.items():
            args[1:1] = ["-H", f"{k}: {v}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {}
    for label, value, unit in re.findall(r"\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\b", out):
        pct[label] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": pct.get("50"), "p99": pct.get("99"), "requests": total,
            "non2xx": int(non2xx.group(1)) if non2xx else 0}


def median(values):
    return statistics.median(values)
