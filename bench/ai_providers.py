"""The AI chain alone, in one event loop: CPU per call for each provider SDK vs offline.

Usage: uv run python bench/ai_providers.py [--calls 1000] [--concurrency 256] [--rounds 3]

The fake LLM server (real HTTP, 1 s per reply) runs in its own process; this process runs
``run_task`` ``--calls`` times with at most ``--concurrency`` in flight, per provider, with a
one-link route. Reported: wall time and this process's CPU per call (median of rounds). The
offline link (simulated 1 s, no HTTP) is the baseline: the difference is what an SDK call
costs on top of the chain's own work (schema validation, circuit and history in Redis).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import results as bench_results  # noqa: E402
from bench._common import claimed_redis_db  # noqa: E402
from bench.common import machine, median  # noqa: E402
from bench.processes import free_port, process  # noqa: E402

PROVIDERS = ("offline", "openai", "gemini", "ollama")


async def measure(settings, provider: str, calls: int, concurrency: int) -> tuple[float, float]:
    from pipelines.ai.chain import run_task
    from pipelines.ai.providers import close_providers
    from shared.ai.schemas import RouteLink
    from shared.ai.service import default_config
    from shared.redis import async_client

    redis = async_client(settings)
    config = default_config(settings)
    route = [RouteLink(provider=provider, model="gpt-4.1-mini" if provider == "openai" else "m")]
    variables = {"topic": "Fractions", "chapter": "Fractions", "subject": "Math", "grade": 4,
                 "analogy": "pizza"}
    await run_task("explanation", variables, redis=redis, settings=settings, config=config,
                   route=route)  # warm up: imports, clients, scripts
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await run_task("explanation", variables, redis=redis, settings=settings,
                           config=config, route=route)

    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.gather(*[one() for _ in range(calls)])
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    await redis.flushdb()
    await close_providers()
    await redis.aclose()
    return wall, 1000 * cpu / calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()

    from shared.config import Settings

    with claimed_redis_db() as redis_url:
        results = _run_all(opts, redis_url, Settings)
    _report(opts, results)


def _run_all(opts, redis_url: str, Settings) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        redis_url=redis_url, openai_api_key="bench", openai_base_url=url + "/v1",
        gemini_api_key="bench", gemini_base_url=url + "/", ollama_host=url,
        offline_latency_ms=1000, ai_max_in_flight={},
    )
    log = Path(f"/tmp/bench-fake-{port}.log")
    results: dict[str, list[tuple[float, float]]] = {p: [] for p in PROVIDERS}
    with process([sys.executable, "-m", "tests.fakes.llm_server", "--port", str(port),
                  "--latency", "1.0"], dict(os.environ), "fake LLM server on", log):
        for _ in range(opts.rounds):
            for provider in PROVIDERS:
                wall, cpu = asyncio.run(measure(settings, provider, opts.calls,
                                                opts.concurrency))
                results[provider].append((wall, cpu))
                print(f"{provider}: wall {wall:.2f} s, CPU {cpu:.2f} ms/call", flush=True)
    return results


def _report(opts, results: dict) -> None:
    print(f"\n{opts.calls} calls, {opts.concurrency} in flight, provider latency 1 s, "
          f"{opts.rounds} rounds; {machine()}")
    print("| link | wall (median) | CPU per call (median) | CPU vs offline |")
    print("|---|---|---|---|")
    base = median([cpu for _, cpu in results["offline"]])
    for provider, runs in results.items():
        wall, cpu = median([w for w, _ in runs]), median([c for _, c in runs])
        print(f"| {provider} | {wall:.2f} s | {cpu:.2f} ms | +{cpu - base:.2f} ms |")
    bench_results.record("ai_providers", {"calls": opts.calls, "concurrency": opts.concurrency, "links": {
        p: {"wall": median([w for w, _ in runs]), "cpu_ms": median([c for _, c in runs])}
        for p, runs in results.items()}})


if __name__ == "__main__":
    main()
