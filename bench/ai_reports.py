"""AI history reports (ai-cost, ai-fallbacks, job-latency) over synthetic model attempts, warm,
through our code (DuckDB over the compacted Parquet store) beside PostgreSQL with indexes on the
same rows, interleaved in one run.

    uv run python -m bench.ai_reports [--attempts 1000000] [--days 90] [--cache DIR]
        [--reuse-store] [--runs 5]

Data: jobs spread over the last ``--days`` days, 80% answered by the first model (Gemini),
15% on a second attempt (OpenAI), 5% on a third (Ollama), 3% of jobs failing every attempt;
5 tasks; short fixed prompts and replies (the reports never read them). Like the dashboards
bench, 0.5% of attempts are stored twice (replayed flushes) and compacted, and the last 2
hours plus resends of ~0.1% of the last 3 days' attempts sit in flush files not yet
compacted, so every report pays the read-time dedup. PostgreSQL holds the deduplicated rows
(``request_id`` primary key), indexed on (ts) and (job_id), clustered by ts; its SQL is the
reports' own, translated (first/last -> array_agg ORDER BY, quantile_cont -> percentile_cont).
ai-cost reads the attempts (no rollups). ai-fallbacks and job-latency read task runs, one
row per job here (each synthetic job is one run of its task), with the same 0.5% stored twice
and the same recent flush files, from per-day rollups; PostgreSQL answers them from the same
runs (``run_id`` primary key, indexed on (ts), clustered by ts) with the reports' SQL.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
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
from bench.events_dashboards import write_ours  # noqa: E402
from pipelines.events.datasets import AI_HISTORY, AI_RUNS  # noqa: E402
from pipelines.events.reports import report  # noqa: E402
from pipelines.events.store import Store  # noqa: E402

PROVIDERS = "['gemini', 'openai', 'ollama']"
MODEL_NAMES = "['flash', 'gpt-x', 'llama']"
TASKS = "['explanation', 'questions', 'grading', 'summary', 'hint']"


def synthesize(con, attempts: int, days: int, first) -> None:
    jobs = int(attempts / 1.25)  # 1 + 0.2 + 0.05 attempts per job on average
    con.execute(f"""
        CREATE TABLE jobs AS SELECT
            uuid()::VARCHAR AS job_id,
            TIMESTAMPTZ '{first} 00:00:00+00'
                + to_microseconds((random() * {days} * 86400e6)::BIGINT) AS ts,
            {TASKS}[1 + floor(random() * 5)::INT] AS task,
            random() AS r, random() < 0.03 AS fails
        FROM range({jobs})""")
    con.execute(f"""
        CREATE TABLE ai AS SELECT
            uuid()::VARCHAR AS request_id, ts + to_seconds(a * 2) AS ts, job_id, task,
            {PROVIDERS}[a + 1] AS provider, {MODEL_NAMES}[a + 1] AS model_name,
            '1' AS template_version, 'Explain fractions to a grade 4 student' AS prompt,
            'A fraction is a part of a whole.' AS raw_response,
            (200 + random() * 800)::BIGINT AS input_tokens,
            (100 + random() * 400)::BIGINT AS output_tokens,
            round(random() * 0.002, 6) AS cost, round(50 + random() * 1500, 1) AS latency_ms,
            a + 1 AS attempt,
            CASE WHEN NOT fails AND a + 1 = n THEN 'ok' ELSE 'error' END AS status,
            CASE WHEN NOT fails AND a + 1 = n THEN NULL ELSE 'timeout' END AS error
        FROM (SELECT *, unnest(range(n)) AS a
              FROM (SELECT *, 1 + (r < 0.2)::INT + (r < 0.05)::INT AS n FROM jobs))""")


    # One run per job: its attempts summed, as pipelines/ai/history.run_summary does.
    con.execute("""
        CREATE TABLE runs AS SELECT
            uuid() AS run_id, min(ts) AS ts, job_id, any_value(task) AS task,
            arg_min(provider || '/' || model_name, attempt) AS first_model,
            arg_max(provider || '/' || model_name, attempt) FILTER (status = 'ok') AS answered_by,
            count(*) AS attempts, 0::BIGINT AS skipped, round(sum(latency_ms), 1) AS latency_ms,
            round(sum(cost), 8) AS cost, bool_or(status = 'ok') AS ok
        FROM ai GROUP BY job_id""")


RAW = "(SELECT * FROM ai UNION ALL SELECT * FROM ai WHERE hash(request_id) % 200 = 0)"
RESENT = "hash(request_id) % 1000 = 1 AND ts::DATE > DATE '{last}' - 3"
RUNS_RAW = "(SELECT * FROM runs UNION ALL SELECT * FROM runs WHERE hash(run_id) % 200 = 0)"
RUNS_RESENT = "hash(run_id) % 1000 = 1 AND ts::DATE > DATE '{last}' - 3"


# The reports' SQL (pipelines/events/reports.py) in PostgreSQL's dialect, on the deduplicated
# tables (ai: attempts, runs: task runs).
PG_SQL = {
    "ai-cost": """SELECT ts::date AS day, provider, model_name, count(*) AS calls,
                         sum(input_tokens), sum(output_tokens), round(sum(cost)::numeric, 6) AS c
                  FROM ai WHERE ts >= $1 AND ts < $2
                  GROUP BY 1, 2, 3 ORDER BY day, c DESC, provider, model_name""",
    "ai-fallbacks": """SELECT ts::date AS day, task, first_model,
                              coalesce(answered_by, '(failed)') AS answered, count(*) AS runs,
                              sum(attempts)
                       FROM runs WHERE ts >= $1 AND ts < $2
                         AND answered_by IS DISTINCT FROM first_model
                       GROUP BY 1, 2, 3, 4 ORDER BY day, runs DESC, task, first_model, answered""",
    "job-latency": """SELECT ts::date AS day, task, count(*),
                             percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms),
                             percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms),
                             max(latency_ms), avg(attempts), count(*) FILTER (WHERE NOT ok)
                      FROM runs WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2 ORDER BY 1, 2""",
}


async def _load_postgres(pg, csv: Path, runs_csv: Path) -> None:
    await pg.execute("""CREATE TABLE ai (request_id text PRIMARY KEY, ts timestamptz,
        job_id text, task text, provider text, model_name text, template_version text,
        prompt text, raw_response text, input_tokens bigint, output_tokens bigint,
        cost double precision, latency_ms double precision, attempt bigint, status text,
        error text)""")
    await pg.copy_to_table("ai", source=str(csv), format="csv")
    await pg.execute("CREATE INDEX ai_ts ON ai (ts)")
    await pg.execute("CREATE INDEX ON ai (job_id)")
    await pg.execute("CLUSTER ai USING ai_ts")
    await pg.execute("VACUUM ANALYZE ai")
    await pg.execute("""CREATE TABLE runs (run_id uuid PRIMARY KEY, ts timestamptz,
        job_id text, task text, first_model text, answered_by text, attempts bigint,
        skipped bigint, latency_ms double precision, cost double precision, ok boolean)""")
    await pg.copy_to_table("runs", source=str(runs_csv), format="csv")
    await pg.execute("CREATE INDEX runs_ts ON runs (ts)")
    await pg.execute("CLUSTER runs USING runs_ts")
    await pg.execute("VACUUM ANALYZE runs")


async def postgres(con, work: Path, attempts: int, lo, hi, ours_calls: dict, *,
                   keep: str | None, runs: int):
    """Time ``ours_calls`` beside PG_SQL, interleaved; returns (ours, pg, pg row counts,
    load seconds or None)."""
    async def load(pg) -> None:
        csv, runs_csv = work / f"ai-{attempts}.csv", work / f"runs-{attempts}.csv"
        for table, path in (("ai", csv), ("runs", runs_csv)):
            if not path.exists():
                con.execute(f"COPY {table} TO '{path}' (FORMAT csv, HEADER false)")
        await _load_postgres(pg, csv, runs_csv)

    pg_calls = {label: [(PG_SQL[label], lo, hi)] for label in ours_calls}
    async with bench_database(keep, load) as (pg, load_s):
        medians = await interleaved(pg, ours_calls, pg_calls, runs)
        rows = {label: [tuple(r) for r in await pg.fetch(PG_SQL[label], lo, hi)]
                for label in ours_calls}
    ours = {label: m[0] for label, m in medians.items()}
    theirs = {label: m[1] for label, m in medians.items()}
    return ours, theirs, rows, load_s


def _same(ours: list[list], theirs: list[tuple]) -> bool:
    """Our answer equals PostgreSQL's, row by row (numbers to the reports' rounding)."""
    def norm(value):
        if isinstance(value, int | float | Decimal):
            return float(value)
        return value.isoformat() if hasattr(value, "isoformat") else value

    if len(ours) != len(theirs):
        return False
    for mine, pg in zip(ours, theirs, strict=True):
        for a, b in zip(map(norm, mine), map(norm, pg), strict=True):
            same = (math.isclose(a, b, rel_tol=1e-6, abs_tol=0.051)
                    if isinstance(a, float) and isinstance(b, float) else a == b)
            if not same:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    add_cache_options(parser)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, claimed_redis_db() as redis_url:
        work = Path(opts.cache) if opts.cache else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET arrow_lossless_conversion = true")  # run ids reach Arrow as UUIDs
        data = {t: work / f"{t}-{opts.attempts}-{opts.days}.parquet" for t in ("ai", "runs")}
        if opts.cache and all(path.exists() for path in data.values()):
            for table, path in data.items():
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{path}')")
        else:
            first = datetime.now(UTC).date() - timedelta(days=opts.days - 1)
            synthesize(con, opts.attempts, opts.days, first)
            if opts.cache:
                for table, path in data.items():
                    con.execute(f"COPY {table} TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
        last = con.execute("SELECT max(ts)::DATE FROM ai").fetchone()[0]
        total, jobs = con.execute("SELECT count(*), count(DISTINCT job_id) FROM ai").fetchone()
        print(f"{total:,} attempts of {jobs:,} jobs over {opts.days} days (last {last})")

        store_dir = work / f"ai-store-{opts.attempts}"
        write_s = None
        if not (opts.reuse_store and store_dir.exists()):
            shutil.rmtree(store_dir, ignore_errors=True)
            client = redis.Redis.from_url(redis_url)
            write_s = write_ours(con, Store.open(str(store_dir)), client, last,
                                 dataset=AI_HISTORY, table="ai", raw=RAW, resent=RESENT)
            write_s += write_ours(con, Store.open(str(store_dir)), client, last,
                                  dataset=AI_RUNS, table="runs", raw=RUNS_RAW,
                                  resent=RUNS_RESENT)
        store = Store.open(str(store_dir))
        start30 = last - timedelta(days=29)
        ours_calls = {name: lambda name=name: report(store, name, start=start30, end=last)
                      for name in PG_SQL}
        ours_rows = {name: call()["rows"] for name, call in ours_calls.items()}
        lo = datetime.combine(start30, datetime.min.time(), UTC)
        hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
        keep = f"studyforge_bench_ai_runs_{opts.attempts}_{opts.days}" if opts.cache else None
        ours, pg, pg_rows, load_s = asyncio.run(postgres(
            con, work, opts.attempts, lo, hi, ours_calls, keep=keep, runs=opts.runs))

    write = f"{write_s:.1f}s" if write_s is not None else "reused"
    load = f"{load_s:.1f}s" if load_s is not None else "reused"
    print(f"\nwrite: ours {write}; PostgreSQL load+index {load}")
    print(f"\nwarm medians of {opts.runs} (ms; interleaved per round), last 30 days "
          f"{start30}..{last}")
    print(f"{'report':<16}{'ours':>9}{'pg':>10}{'pg/ours':>9}{'rows':>8}  same answer")
    same = {key: _same(ours_rows[key], pg_rows[key]) for key in ours}
    for key, value in ours.items():
        print(f"{key:<16}{value:>9.1f}{pg[key]:>10.1f}{pg[key] / value:>8.1f}x"
              f"{len(ours_rows[key]):>8}  {'yes' if same[key] else 'NO'}")
    if not all(same.values()):
        sys.exit("our answers differ from PostgreSQL's")
    bench_results.record("ai_reports", {"attempts": opts.attempts, "ours": ours, "postgres": pg})


if __name__ == "__main__":
    main()
