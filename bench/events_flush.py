"""Flush: Redis stream -> Parquet events/s end to end, and peak memory, beside the baseline.

ours:     entries of 100 events (one per API call), our flush (`flush_dataset`): XAUTOCLAIM +
          XREADGROUP 500 entries -> Arrow -> zstd ParquetWriter per date -> publish -> XACK+XDEL.
baseline: docs/BASELINES.md's approach: one stream entry per event, XREADGROUP 10k per read,
          Arrow table per read streamed into a ParquetWriter, XACK.
Each flush runs in a fresh child process so its peak RSS is its own.

    uv run python bench/events_flush.py [--events 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import results as bench_results  # noqa: E402
from bench._common import claimed_redis_db, median, peak_rss_mb, rss_mb  # noqa: E402

BASE_STREAM = "bench:baseline"


def records(n: int, rng: random.Random):
    start = datetime.now(UTC) - timedelta(days=1)
    for i in range(n):
        yield {
            "event_id": str(uuid.uuid4()),
            "timestamp": (start + timedelta(seconds=i % 86_000)).isoformat(),
            "profile_id": rng.randint(1, 10_000),
            "event_type": rng.choice(("click", "view", "answer", "hint", "submit")),
            "content_id": rng.randint(1, 5_000),
            "metadata": {"chapter_id": rng.randint(1, 300), "correct": rng.random() < 0.6,
                         "path": "/grade/4/math", "ms": rng.randint(50, 5000)},
        }


def fill(client: redis.Redis, variant: str, n: int) -> None:
    from shared.streams import EVENTS_STREAM

    rng = random.Random(7)
    pipe = client.pipeline(transaction=False)
    batch: list[dict] = []
    for i, record in enumerate(records(n, rng), 1):
        if variant == "ours":
            batch.append(record)
            if len(batch) == 100:
                pipe.xadd(EVENTS_STREAM, {"data": orjson.dumps(batch)})
                batch = []
        else:
            pipe.xadd(BASE_STREAM, {**record, "metadata": orjson.dumps(record["metadata"])})
        if i % 50_000 == 0:
            pipe.execute()
    pipe.execute()


def run_ours(redis_url: str, out: str) -> int:
    from pipelines.events.datasets import EVENTS
    from pipelines.events.flush import flush_dataset
    from pipelines.events.store import Store

    return flush_dataset(redis.Redis.from_url(redis_url), Store.open(out), EVENTS).rows


def run_baseline(redis_url: str, out: str) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.events.datasets import EVENTS_SCHEMA

    client = redis.Redis.from_url(redis_url)
    client.xgroup_create(BASE_STREAM, "g", id="0", mkstream=True)
    writer, rows = None, 0
    while True:
        reply = client.xreadgroup("g", "c", {BASE_STREAM: ">"}, count=10_000)
        if not reply or not reply[0][1]:
            break
        entries = reply[0][1]
        cols = {name: [] for name in ("event_id", "ts", "profile_id", "event_type",
                                      "content_id", "metadata")}
        for _, f in entries:
            cols["event_id"].append(f[b"event_id"].decode())
            cols["ts"].append(datetime.fromisoformat(f[b"timestamp"].decode()))
            cols["profile_id"].append(int(f[b"profile_id"]))
            cols["event_type"].append(f[b"event_type"].decode())
            cols["content_id"].append(int(f[b"content_id"]))
            cols["metadata"].append(f[b"metadata"].decode())
        schema = EVENTS_SCHEMA.remove(EVENTS_SCHEMA.get_field_index("chapter_id"))
        schema = schema.remove(schema.get_field_index("correct"))
        # BASELINES.md stored ids as text; ours are 16-byte UUIDs since the 10 M dashboards.
        schema = schema.set(schema.get_field_index("event_id"), pa.field("event_id", pa.string()))
        table = pa.table({k: pa.array(v, type=schema.field(k).type) for k, v in cols.items()},
                         schema=schema)
        if writer is None:
            writer = pq.ParquetWriter(f"{out}/baseline.parquet", schema, compression="zstd")
        writer.write_table(table)
        client.xack(BASE_STREAM, "g", *[e[0] for e in entries])
        rows += len(entries)
    writer.close()
    return rows


def child(variant: str, redis_url: str, out: str) -> None:
    import pyarrow.parquet  # noqa: F401

    import pipelines.events.flush  # noqa: F401  (imports outside the measured peak)

    before = rss_mb()  # peak minus the resident size at start: the flush's own growth
    start = time.perf_counter()
    rows = (run_ours if variant == "ours" else run_baseline)(redis_url, out)
    elapsed = time.perf_counter() - start
    print(json.dumps({"rows": rows, "seconds": elapsed, "peak_mb": peak_rss_mb() - before}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=3)
    opts = parser.parse_args()
    if opts.child:
        child(*opts.child)
        return
    results: dict[str, list[dict]] = {"ours": [], "baseline": []}
    with claimed_redis_db() as redis_url:
        client = redis.Redis.from_url(redis_url)
        for _ in range(opts.rounds):
            for variant in ("ours", "baseline"):
                client.flushdb()
                fill(client, variant, opts.events)
                with tempfile.TemporaryDirectory() as out:
                    proc = subprocess.run(
                        [sys.executable, __file__, "--child", variant, redis_url, out],
                        capture_output=True, text=True, check=True,
                    )
                    result = json.loads(proc.stdout.strip().splitlines()[-1])
                    assert result["rows"] == opts.events, result
                    results[variant].append(result)
    print(f"events={opts.events:,} rounds={opts.rounds}")
    for variant, runs in results.items():
        rate = median([r["rows"] / r["seconds"] for r in runs])
        peak = median([r["peak_mb"] for r in runs])
        print(f"{variant:<9} {rate:>10,.0f} events/s   peak +{peak:,.0f} MB   "
              f"{[round(r['rows'] / r['seconds']) for r in runs]}")
    ours = median([r["rows"] / r["seconds"] for r in results["ours"]])
    base = median([r["rows"] / r["seconds"] for r in results["baseline"]])
    print(f"ours / baseline: {ours / base:.2f}x")
    bench_results.record("events_flush", {"events": opts.events, **{
        variant: {"events_per_s": median([r["rows"] / r["seconds"] for r in runs]),
                  "peak_mb": median([r["peak_mb"] for r in runs])} for variant, runs in results.items()}})


if __name__ == "__main__":
    main()
