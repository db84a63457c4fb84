"""Dashboards: each report and a one-student timeline over synthetic events, warm, through
our code (DuckDB over the compacted Parquet store) beside PostgreSQL with indexes on the same
rows, in one run; plus the layout comparison behind docs/analytics.md (`date=` sorted by
profile_id vs `date=/bucket=K`).

    uv run python bench/events_dashboards.py [--events 1000000] [--students 10000] [--days 90]
        [--cache DIR] [--reuse-store] [--runs 5]

The issue's target is 10 M events; `--events 10000000` runs it (needs ~15 GB free disk for
PostgreSQL and tens of minutes on 2 cores). `--cache DIR` keeps the synthetic events
(Parquet), the PostgreSQL database and our store between runs, so a second round measures
without rebuilding; `--reuse-store` also skips rewriting our store. Without it everything is
built in a temporary directory and dropped.

The data is a raw event log with the duplicates a real one has: 0.5% of events stored twice
(replayed flushes), written as flush files and compacted; then the state between two
compactions: the last 2 hours of the last day and resends of ~0.1% of the last 3 days' events
sit in flush files not yet compacted, so every report of ours goes through the query-time
dedup of flush files. PostgreSQL holds the same raw rows (count(DISTINCT)/DISTINCT ON), and,
as the stronger baseline, a deduplicated copy with event_id as primary key (plain count(*));
both indexed on (profile_id, ts) and (ts), and clustered by ts as an appended log would be.

daily-active, events-by-type and chapter-accuracy read the per-day rollups compaction writes
(pipelines/events/rollup.py) plus the pending flush rows; the run checks their answers equal
the raw path's (`rollups=False`) and times that path too ("ours, rows only", not interleaved).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import results as bench_results  # noqa: E402
from bench._common import (  # noqa: E402
    add_cache_options,
    bench_database,
    claimed_redis_db,
    interleaved,
)
from pipelines.events.compact import compact_dataset  # noqa: E402
from pipelines.events.datasets import EVENTS  # noqa: E402
from pipelines.events.reports import report, timeline  # noqa: E402
from pipelines.events.store import Store  # noqa: E402

TYPES = "['click', 'view', 'answer', 'hint', 'submit']"


def synthesize(con, n: int, students: int, days: int, first: date) -> None:
    # Skewed activity: profile = students * u^3, so a few students make most events.
    con.execute(f"""
        CREATE TABLE ev AS SELECT
            uuid() AS event_id,
            (TIMESTAMPTZ '{first} 00:00:00+00'
                + to_microseconds((random() * {days} * 86400e6)::BIGINT)) AS ts,
            (1 + floor({students} * pow(random(), 3)))::BIGINT AS profile_id,
            {TYPES}[1 + floor(random() * 5)::INT] AS event_type,
            (random() * 5000)::BIGINT AS content_id,
            (1 + random() * 299)::BIGINT AS chapter_id,
            random() < 0.6 AS correct,
            '{{"path": "/grade/4/math", "ms": 420}}' AS metadata
        FROM range({n})""")
    con.execute("UPDATE ev SET chapter_id = NULL, correct = NULL WHERE event_type <> 'answer'")


# Raw log = every event, plus a second copy of 0.5% of them (a replayed flush: same row).
RAW = "(SELECT * FROM ev UNION ALL SELECT * FROM ev WHERE hash(event_id) % 200 = 0)"
# Resends of ~0.1% of the events of the last 3 days, arriving after those days were compacted.
RESENT = "hash(event_id) % 1000 = 1 AND ts::DATE > DATE '{last}' - 3"
TAIL_HOURS = 2


def _write_flush(con, store: Store, dataset, raw: str, day, where: str) -> None:
    table = con.sql(
        f"SELECT {', '.join(dataset.schema.names)} FROM {raw} WHERE ts::DATE = DATE '{day}' "
        f"AND {where}"
    ).to_arrow_table().cast(dataset.schema)
    if table.num_rows:
        pending = store.pending(store.new_path(dataset.name, day, "flush"), dataset.schema)
        pending.write(table)
        pending.finish()


def write_ours(con, store: Store, client: redis.Redis, last: date, *, dataset=EVENTS,
               table: str = "ev", raw: str = RAW, resent: str = RESENT) -> float:
    """Flush-style files per day of ``raw`` through our Store, our compaction (dedup + sort,
    rollups), then the flush files a store holds between two compactions (the last
    ``TAIL_HOURS`` and the ``resent`` rows of the last 3 days)."""
    start = time.perf_counter()
    tail = f"ts >= TIMESTAMPTZ '{last} 00:00:00+00' + INTERVAL {24 - TAIL_HOURS} HOUR"
    days = [r[0] for r in con.execute(f"SELECT DISTINCT ts::DATE FROM {table} ORDER BY 1").fetchall()]
    for day in days:
        _write_flush(con, store, dataset, raw, day, f"NOT ({tail})")
    compact_dataset(client, store, dataset, lock_ttl=600)
    _write_flush(con, store, dataset, raw, last, tail)
    for day in days[-3:]:
        _write_flush(con, store, dataset, raw, day, f"({resent.format(last=last)}) AND NOT ({tail})")
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
               "ORDER BY event_id, ts) t ORDER BY ts DESC LIMIT $4")
# The same questions on a deduplicated copy (event_id primary key): no DISTINCT needed.
PG_UNIQUE_SQL = {
    "daily-active": PG_SQL["daily-active"].replace("FROM ev", "FROM evu"),
    "events-by-type": "SELECT event_type, count(*) FROM evu "
                      "WHERE ts >= $1 AND ts < $2 GROUP BY 1 ORDER BY 2 DESC",
    "chapter-accuracy": "SELECT chapter_id, count(*), count(*) FILTER (WHERE correct) FROM evu "
                        "WHERE ts >= $1 AND ts < $2 AND event_type = 'answer' "
                        "AND chapter_id IS NOT NULL GROUP BY 1 ORDER BY 1",
}
PG_UNIQUE_TIMELINE = ("SELECT event_id, ts, event_type, content_id, metadata FROM evu "
                      "WHERE profile_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts DESC LIMIT $4")
# (label, which student, days back, limit): 90 days / 1,000 rows, and the API's default.
TIMELINES = (("timeline median", 0, 90, 1000), ("timeline most active", 1, 90, 1000),
             ("timeline median, 30 d/200", 0, 30, 200))


async def _load_postgres(pg, csv: Path) -> None:
    await pg.execute("""CREATE TABLE ev (event_id uuid, ts timestamptz, profile_id bigint,
        event_type text, content_id bigint, chapter_id bigint, correct boolean,
        metadata jsonb)""")
    await pg.copy_to_table("ev", source=str(csv), format="csv")
    await pg.execute("CREATE INDEX ON ev (profile_id, ts)")
    await pg.execute("CREATE INDEX ev_ts ON ev (ts)")
    await pg.execute("""CREATE TABLE evu AS SELECT DISTINCT ON (event_id) * FROM ev
                        ORDER BY event_id, ts""")
    await pg.execute("ALTER TABLE evu ADD PRIMARY KEY (event_id)")
    await pg.execute("CREATE INDEX ON evu (profile_id, ts)")
    await pg.execute("CREATE INDEX evu_ts ON evu (ts)")
    # An event log is appended in time order, so its heap is in ts order: a date range reads
    # neighbouring pages. Without this PostgreSQL would pay for our random synthetic order.
    await pg.execute("CLUSTER ev USING ev_ts")
    await pg.execute("CLUSTER evu USING evu_ts")
    await pg.execute("VACUUM ANALYZE ev")
    await pg.execute("VACUUM ANALYZE evu")


async def postgres(con, csv: Path, start: date, end: date, students: tuple[int, int],
                   ours_calls: dict, *, keep: str | None, runs: int, csv_ready: bool):
    """Time ``ours_calls`` beside PG_SQL (raw log) and PG_UNIQUE_SQL (deduplicated copy);
    ``keep`` names a database kept (and reused when already loaded) instead of a throwaway."""
    async def load(pg) -> None:
        if not csv_ready:
            con.execute(f"COPY {RAW} TO '{csv}' (FORMAT csv, HEADER false)")
        await _load_postgres(pg, csv)

    lo = datetime.combine(start, datetime.min.time(), UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    pg_calls = {}
    for rep in PG_SQL:
        pg_calls[rep] = [(sql, lo, hi) for sql in (PG_SQL[rep], PG_UNIQUE_SQL[rep])]
    for label, which, days, limit in TIMELINES:
        args = (students[which], hi - timedelta(days=days), hi, limit)
        pg_calls[label] = [(PG_TIMELINE, *args), (PG_UNIQUE_TIMELINE, *args)]
    async with bench_database(keep, load) as (pg, load_s):
        medians = await interleaved(pg, ours_calls, pg_calls, runs)
    ours = {label: m[0] for label, m in medians.items()}
    results = {label: m[1] for label, m in medians.items()}
    unique = {label: m[2] for label, m in medians.items()}
    if load_s is not None:
        results["load_s"] = load_s
    return ours, results, unique


def _events(con, opts, cache: Path | None) -> None:
    """Table ``ev``: synthesized, or read back from the cache of an earlier run."""
    path = cache / f"ev-{opts.events}-{opts.students}-{opts.days}.parquet" if cache else None
    if path and path.exists():
        con.execute(f"CREATE TABLE ev AS SELECT * FROM read_parquet('{path}')")
        print(f"read {opts.events:,} events from {path}")
        return
    t = time.perf_counter()
    first = datetime.now(UTC).date() - timedelta(days=opts.days - 1)
    synthesize(con, opts.events, opts.students, opts.days, first)
    print(f"synthesized {opts.events:,} events in {time.perf_counter() - t:.1f}s")
    if path:
        con.execute(f"COPY ev TO '{path}' (FORMAT parquet, COMPRESSION zstd)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--buckets", type=int, default=32)
    add_cache_options(parser)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, claimed_redis_db() as redis_url:
        work = Path(opts.cache) if opts.cache else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET arrow_lossless_conversion = true")  # UUIDs reach Arrow as UUIDs
        _events(con, opts, Path(opts.cache) if opts.cache else None)
        first, last = con.execute("SELECT min(ts)::DATE, max(ts)::DATE FROM ev").fetchone()
        raw = con.execute(f"SELECT count(*) FROM {RAW}").fetchone()[0]
        counts = con.execute("SELECT profile_id, count(*) c FROM ev GROUP BY 1 ORDER BY c").fetchall()
        median_student, busiest = counts[len(counts) // 2], counts[-1]
        print(f"{raw:,} raw rows ({raw - opts.events:,} duplicates), days {first}..{last}; "
              f"students active: {len(counts):,}; median student {median_student[1]} events, "
              f"most active {busiest[1]}")

        store_dir = work / f"store-{opts.events}"
        write_s = None
        if not (opts.reuse_store and store_dir.exists()):
            shutil.rmtree(store_dir, ignore_errors=True)
            write_s = write_ours(con, Store.open(str(store_dir)), redis.Redis.from_url(redis_url),
                                 last)
        store = Store.open(str(store_dir))
        listings = [store.listing("events", d) for d in store.partitions("events")]
        files = sum(len(part.files) for part in listings)
        rolled = sum(1 for part in listings if part.rollup)
        pending = sum(len(part.flushes) for part in listings)
        bucket_root = Path(tmp) / "buckets"
        bucket_s = write_buckets(con, bucket_root, opts.buckets)
        bucket_files = len(list(bucket_root.rglob("*.parquet")))

        start30 = last - timedelta(days=29)
        ours_calls = {name: lambda name=name: report(store, name, start=start30, end=last)
                      for name in PG_SQL}
        for label, which, days, limit in TIMELINES:
            pid = (median_student, busiest)[which][0]
            ours_calls[label] = lambda pid=pid, days=days, limit=limit: timeline(
                store, pid, start=last - timedelta(days=days - 1), end=last, limit=limit)

        for name in PG_SQL:  # the rollups must not change an answer
            rows_only = report(store, name, start=start30, end=last, rollups=False)
            assert ours_calls[name]() == rows_only, name
        print(f"{rolled} of {len(listings)} days have a rollup, {pending} flush files pending; "
              "reports from rollups equal the raw path's")
        without = {name: timed(lambda name=name: report(store, name, start=start30, end=last,
                                                         rollups=False), opts.runs)
                   for name in PG_SQL}

        glob = f"read_parquet('{bucket_root}/*/*/*.parquet', hive_partitioning = true)"
        bq = duckdb.connect()
        bq.execute("SET TimeZone = 'UTC'")
        # Bucket files hold each event once (as our compacted files do): plain counts.
        bucket_sql = {
            "daily-active": f"SELECT date, count(DISTINCT profile_id) FROM {glob} "
                            f"WHERE date BETWEEN '{start30}' AND '{last}' GROUP BY 1",
            "events-by-type": f"SELECT event_type, count(*) FROM {glob} "
                              f"WHERE date BETWEEN '{start30}' AND '{last}' GROUP BY 1",
            "timeline most active": f"SELECT * FROM {glob} "
                                    f"WHERE bucket = {busiest[0] % opts.buckets} "
                                    f"AND profile_id = {busiest[0]} ORDER BY ts DESC LIMIT 1000",
        }
        buckets = {k: timed(lambda s=s: bq.execute(s).fetchall(), opts.runs)
                   for k, s in bucket_sql.items()}
        keep = f"studyforge_bench_dash_{opts.events}_{opts.students}_{opts.days}"
        csv = work / f"ev-{opts.events}.csv"
        ours, pg, pgu = asyncio.run(postgres(
            con, csv, start30, last, (median_student[0], busiest[0]), ours_calls,
            keep=keep if opts.cache else None, runs=opts.runs, csv_ready=csv.exists()))

    write = f"{write_s:.1f}s" if write_s is not None else "reused"
    load = f"{pg['load_s']:.1f}s" if "load_s" in pg else "reused"
    print(f"\nwrite: ours (date=, sorted, compacted) {files} files in {write}; "
          f"date=/bucket={opts.buckets}: {bucket_files} files in {bucket_s:.1f}s; "
          f"PostgreSQL load+index (raw and deduplicated tables) {load}")
    print(f"\nwarm medians of {opts.runs} (ms; ours and PostgreSQL interleaved per round), "
          f"reports over the last 30 days {start30}..{last}")
    print(f"{'query':<27}{'ours':>9}{'rows only':>10}{'buckets':>9}{'pg raw':>9}{'pg dedup':>10}"
          f"{'raw/ours':>10}{'dedup/ours':>11}")
    for key, value in ours.items():
        b, w = buckets.get(key), without.get(key)
        print(f"{key:<27}{value:>9.1f}{(f'{w:.1f}' if w else '-'):>10}"
              f"{(f'{b:.1f}' if b else '-'):>9}{pg[key]:>9.1f}"
              f"{pgu[key]:>10.1f}{pg[key] / value:>9.1f}x{pgu[key] / value:>10.1f}x")
    bench_results.record("events_dashboards", {"events": opts.events, "ours": ours, "buckets": buckets,
                                               "ours_without_rollups": without,
                                               "postgres": {k: pg[k] for k in ours},
                                               "postgres_dedup": {k: pgu[k] for k in ours}})


if __name__ == "__main__":
    main()
