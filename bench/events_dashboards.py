"""Dashboards: each report and a one-student timeline over synthetic events, warm, through
our code (DuckDB over the compacted Parquet store) beside PostgreSQL with indexes on the same
rows, in one run; plus the layout comparison behind docs/analytics.md (`date=` sorted by
profile_id vs `date=/bucket=K`).

    uv run python bench/events_dashboards.py [--events 1000000] [--students 10000] [--days 90]

The issue's target is 10 M events; `--events 10000000` runs it (needs ~15 GB free disk for
PostgreSQL and several minutes to load on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import duckdb
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import results as bench_results  # noqa: E402
from bench._common import PG_ADMIN_DSN, claimed_redis_db  # noqa: E402
from pipelines.events.compact import compact_dataset  # noqa: E402
from pipelines.events.datasets import EVENTS  # noqa: E402
from pipelines.events.reports import report, timeline  # noqa: E402
from pipelines.events.store import Store  # noqa: E402

TYPES = "['click', 'view', 'answer', 'hint', 'submit']"


def synthesize(con, n: int, students: int, days: int, first: date) -> None:
    # Skewed activity: profile = students * u^3, so a few students make most events.
    con.execute(f"""
        CREATE TABLE ev AS SELECT
            uuid()::VARCHAR AS event_id,
            (TIMESTAMPTZ '{first} 00:00:00+00'
                + to_microseconds((random() * {days} * 86400e6)::BIGINT)) AS ts,
            (1 + floor({students} * pow(random(), 3)))::BIGINT AS profile_id,
            {TYPES}[1 + (random() * 4.999)::INT] AS event_type,
            (random() * 5000)::BIGINT AS content_id,
            (1 + random() * 299)::BIGINT AS chapter_id,
            random() < 0.6 AS correct,
            '{{"path": "/grade/4/math", "ms": 420}}' AS metadata
        FROM range({n})""")
    con.execute("UPDATE ev SET chapter_id = NULL, correct = NULL WHERE event_type <> 'answer'")


def write_ours(con, store: Store, client: redis.Redis) -> float:
    """One flush-style file per day through our Store, then our compaction (sorted, dedup)."""
    start = time.perf_counter()
    days = [r[0] for r in con.execute("SELECT DISTINCT ts::DATE FROM ev ORDER BY 1").fetchall()]
    for day in days:
        table = con.sql(
            f"SELECT {', '.join(EVENTS.schema.names)} FROM ev WHERE ts::DATE = DATE '{day}'"
        ).to_arrow_table().cast(EVENTS.schema)
        pending = store.pending(store.new_path("events", day, "flush"), EVENTS.schema)
        pending.write(table)
        pending.finish()
    compact_dataset(client, store, EVENTS, lock_ttl=600)
    return time.perf_counter() - start


def write_buckets(con, root: Path, buckets: int) -> float:
    start = time.perf_counter()
    con.execute(f"""COPY (SELECT *, ts::DATE AS date, profile_id % {buckets} AS bucket FROM ev
                          ORDER BY date, bucket, profile_id, ts)
                    TO '{root}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date, bucket),
                                 ROW_GROUP_SIZE 32768)""")
    return time.perf_counter() - start


def timed(fn, runs: int = 5) -> float:
    fn()  # warm
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


PG_SQL = {
    "daily-active": "SELECT ts::date, count(DISTINCT profile_id) FROM ev "
                    "WHERE ts >= $1 AND ts < $2 GROUP BY 1 ORDER BY 1",
    "events-by-type": "SELECT event_type, count(DISTINCT event_id) FROM ev "
                      "WHERE ts >= $1 AND ts < $2 GROUP BY 1 ORDER BY 2 DESC",
    "chapter-accuracy": "SELECT chapter_id, count(*), count(*) FILTER (WHERE correct) FROM "
                        "(SELECT DISTINCT ON (event_id) chapter_id, correct FROM ev "
                        "WHERE ts >= $1 AND ts < $2 AND event_type = 'answer' "
                        "AND chapter_id IS NOT NULL) a GROUP BY 1 ORDER BY 1",
}
PG_TIMELINE = ("SELECT * FROM (SELECT DISTINCT ON (event_id) event_id, ts, event_type, "
               "content_id, metadata FROM ev WHERE profile_id = $1 AND ts >= $2 AND ts < $3 "
               "ORDER BY event_id, ts) t ORDER BY ts DESC LIMIT 1000")


async def postgres(con, csv: Path, start: date, end: date, students: tuple[int, int]):
    name = f"studyforge_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    results = {}
    try:
        pg = await asyncpg.connect(PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}")
        await pg.execute("""CREATE TABLE ev (event_id uuid, ts timestamptz, profile_id bigint,
            event_type text, content_id bigint, chapter_id bigint, correct boolean,
            metadata jsonb)""")
        t = time.perf_counter()
        await pg.copy_to_table("ev", source=str(csv), format="csv")
        await pg.execute("CREATE INDEX ON ev (profile_id, ts)")
        await pg.execute("CREATE INDEX ON ev (ts)")
        await pg.execute("ANALYZE ev")
        results["load_s"] = time.perf_counter() - t
        lo = datetime.combine(start, datetime.min.time(), UTC)
        hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
        loop = asyncio.get_running_loop()
        for rep, sql in PG_SQL.items():
            async def q(sql=sql):
                return await pg.fetch(sql, lo, hi)
            results[rep] = await _atimed(q)
        for label, pid in zip(("timeline median", "timeline most active"), students, strict=True):
            async def q(pid=pid):
                return await pg.fetch(PG_TIMELINE, pid, lo - timedelta(days=365), hi)
            results[label] = await _atimed(q)
        del loop
        await pg.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return results


async def _atimed(fn, runs: int = 5) -> float:
    await fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--buckets", type=int, default=32)
    opts = parser.parse_args()
    today = datetime.now(UTC).date()
    first = today - timedelta(days=opts.days - 1)
    with tempfile.TemporaryDirectory() as tmp, claimed_redis_db() as redis_url:
        con = duckdb.connect()
        t = time.perf_counter()
        synthesize(con, opts.events, opts.students, opts.days, first)
        print(f"synthesized {opts.events:,} events in {time.perf_counter() - t:.1f}s")
        counts = con.execute("SELECT profile_id, count(*) c FROM ev GROUP BY 1 ORDER BY c").fetchall()
        median_student, busiest = counts[len(counts) // 2], counts[-1]
        print(f"students active: {len(counts):,}; median student {median_student[1]} events, "
              f"most active {busiest[1]}")

        store = Store.open(f"{tmp}/store")
        write_s = write_ours(con, store, redis.Redis.from_url(redis_url))
        files = sum(len(store.files("events", d)) for d in store.partitions("events"))
        bucket_root = Path(tmp) / "buckets"
        bucket_s = write_buckets(con, bucket_root, opts.buckets)
        bucket_files = len(list(bucket_root.rglob("*.parquet")))
        csv = Path(tmp) / "ev.csv"
        con.execute(f"COPY ev TO '{csv}' (FORMAT csv, HEADER false)")

        start30 = today - timedelta(days=29)
        ours = {name: timed(lambda name=name: report(store, name))
                for name in ("daily-active", "events-by-type", "chapter-accuracy")}
        for label, (pid, _) in (("timeline median", median_student),
                                ("timeline most active", busiest)):
            ours[label] = timed(lambda pid=pid: timeline(store, pid, start=first, limit=1000))

        glob = f"read_parquet('{bucket_root}/*/*/*.parquet', hive_partitioning = true)"
        bq = duckdb.connect()
        bq.execute("SET TimeZone = 'UTC'")
        bucket_sql = {
            "daily-active": f"SELECT date, count(DISTINCT profile_id) FROM {glob} "
                            f"WHERE date BETWEEN '{start30}' AND '{today}' GROUP BY 1",
            "events-by-type": f"SELECT event_type, count(DISTINCT event_id) FROM {glob} "
                              f"WHERE date BETWEEN '{start30}' AND '{today}' GROUP BY 1",
            "timeline most active": f"SELECT DISTINCT ON (event_id) * FROM {glob} "
                                    f"WHERE bucket = {busiest[0] % opts.buckets} "
                                    f"AND profile_id = {busiest[0]}",
        }
        buckets = {k: timed(lambda s=s: bq.execute(s).fetchall()) for k, s in bucket_sql.items()}
        pg = asyncio.run(postgres(con, csv, start30, today,
                                  (median_student[0], busiest[0])))

    print(f"\nwrite: ours (date=, sorted, compacted) {files} files in {write_s:.1f}s; "
          f"date=/bucket={opts.buckets}: {bucket_files} files in {bucket_s:.1f}s; "
          f"PostgreSQL load+index {pg['load_s']:.1f}s")
    print("\nwarm medians of 5 (ms), reports over the default last 30 days")
    print(f"{'query':<22}{'ours':>9}{'buckets':>9}{'postgres':>10}{'pg/ours':>9}")
    for key, value in ours.items():
        b = buckets.get(key)
        print(f"{key:<22}{value:>9.1f}{(f'{b:.1f}' if b else '-'):>9}{pg[key]:>10.1f}"
              f"{pg[key] / value:>8.1f}x")
    bench_results.record("events_dashboards", {"events": opts.events, "ours": ours, "buckets": buckets,
                                               "postgres": {k: pg[k] for k in ours}})


if __name__ == "__main__":
    main()
