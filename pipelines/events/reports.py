"""The DuckDB reports behind ``GET /admin/analytics/{report}`` and a student's timeline.

Every ``{ev}``/``{ai}``/``{runs}`` placeholder already yields one row per id (event, AI
request, task run): compaction keeps compacted files unique and the query layer deduplicates
the flush files not yet compacted (pipelines/events/query.py), so a client's retry or a
replayed flush is counted once while the reports themselves count with plain ``count(*)``.
Each returns ``{"columns": [...], "rows": [[...]]}`` with JSON-ready values. Every report
reads the per-day rollups compaction writes (pipelines/events/rollup.py) for the days that
have one, and rows only for the rest and for flush files. ai-fallbacks and job-latency read
task runs (one row per run of a task down its chain, ``pipelines/ai/history.run_summary``),
not attempts: grouping 10 M attempts by job at read time took 1-1.5 s (docs/benchmarks.md).
The functions block (DuckDB, file listing): the API calls them through
``run_report``/``timeline_async``, in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import anyio.to_thread
import orjson

from pipelines.events.query import day_range, run
from pipelines.events.rollup import ANSWERED
from pipelines.events.store import Store


@dataclass(frozen=True)
class Report:
    sql: str
    sources: dict[str, str]
    description: str
    # The same answer from per-day rollups plus the rows no rollup covers (``query.run``).
    rollup_sql: str | None = None
    # A day with flush files is read raw as a whole, not as its rollup plus those rows.
    whole_days: bool = False


_FALLBACKS = """
    SELECT date AS day, task, first_model, coalesce(answered_by, '(failed)') AS answered_by,
           count(*) AS runs, sum(attempts) AS attempts
    FROM {runs} WHERE answered_by IS DISTINCT FROM first_model GROUP BY ALL
"""
_LATENCY = """
    SELECT date AS day, task, count(*) AS runs,
           round(quantile_cont(latency_ms, 0.5), 1) AS p50_ms,
           round(quantile_cont(latency_ms, 0.95), 1) AS p95_ms,
           max(latency_ms) AS max_ms, round(avg(attempts), 2) AS avg_attempts,
           count(*) FILTER (NOT ok) AS failed
    FROM {runs} GROUP BY ALL
"""

REPORTS: dict[str, Report] = {
    "daily-active": Report(
        "SELECT date AS day, count(DISTINCT profile_id) AS active_students "
        "FROM {ev} GROUP BY date ORDER BY date",
        {"ev": "events"},
        "Students with at least one event, per day.",
        """SELECT date AS day, count(DISTINCT profile_id) AS active_students
           FROM (SELECT date, profile_id FROM {ev_rollup} WHERE profile_id IS NOT NULL
                 UNION ALL SELECT date, profile_id FROM {ev})
           GROUP BY date ORDER BY date""",
    ),
    "events-by-type": Report(
        "SELECT event_type, count(*) AS events "
        "FROM {ev} GROUP BY event_type ORDER BY events DESC, event_type",
        {"ev": "events"},
        "Events per type in the range.",
        """SELECT event_type, sum(n)::BIGINT AS events
           FROM (SELECT event_type, events AS n FROM {ev_rollup} WHERE event_type IS NOT NULL
                 UNION ALL SELECT event_type, count(*) FROM {ev} GROUP BY event_type)
           GROUP BY event_type ORDER BY events DESC, event_type""",
    ),
    "chapter-accuracy": Report(
        f"""SELECT chapter_id, count(*) AS answers, count(*) FILTER (correct) AS correct,
                   round(avg(correct::INTEGER), 4) AS accuracy
            FROM {{ev}} WHERE {ANSWERED}
            GROUP BY chapter_id ORDER BY chapter_id""",
        {"ev": "events"},
        "Answer events carrying metadata chapter_id and correct, per chapter.",
        # avg(correct::INTEGER) is sum / count in double precision: the same division here.
        f"""SELECT chapter_id, sum(a)::BIGINT AS answers, sum(c)::BIGINT AS correct,
                   round(sum(c) / sum(a), 4) AS accuracy
            FROM (SELECT chapter_id, events AS a, correct AS c FROM {{ev_rollup}}
                  WHERE chapter_id IS NOT NULL
                  UNION ALL SELECT chapter_id, count(*), count(*) FILTER (correct)
                  FROM {{ev}} WHERE {ANSWERED} GROUP BY chapter_id)
            GROUP BY chapter_id ORDER BY chapter_id""",
    ),
    "ai-cost": Report(
        """SELECT date AS day, provider, model_name, count(*) AS calls,
                   sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                   round(sum(cost), 6) AS cost_usd
            FROM {ai} GROUP BY ALL ORDER BY day, cost_usd DESC, provider, model_name""",
        {"ai": "ai_history"},
        "Model calls (every attempt), tokens and cost per model per day.",
        """SELECT day, provider, model_name, sum(calls)::BIGINT AS calls,
                   sum(i)::BIGINT AS input_tokens, sum(o)::BIGINT AS output_tokens,
                   round(sum(c), 6) AS cost_usd
            FROM (SELECT date AS day, provider, model_name, calls, input_tokens AS i,
                         output_tokens AS o, cost AS c
                  FROM {ai_rollup}
                  UNION ALL SELECT date, provider, model_name, count(*), sum(input_tokens),
                                   sum(output_tokens), sum(cost)
                  FROM {ai} GROUP BY ALL)
            GROUP BY ALL ORDER BY day, cost_usd DESC, provider, model_name""",
    ),
    "ai-fallbacks": Report(
        f"{_FALLBACKS} ORDER BY day, runs DESC, task, first_model, answered_by",
        {"runs": "ai_runs"},
        "Task runs not answered by the first model tried: where they went, or failed.",
        f"""SELECT day, task, first_model, answered_by, sum(runs)::BIGINT AS runs,
                   sum(attempts)::BIGINT AS attempts
            FROM (SELECT date AS day, task, first_model,
                         coalesce(answered_by, '(failed)') AS answered_by, runs, attempts
                  FROM {{runs_rollup}}
                  WHERE kind = 'fallback' AND answered_by IS DISTINCT FROM first_model
                  UNION ALL {_FALLBACKS})
            GROUP BY ALL ORDER BY day, runs DESC, task, first_model, answered_by""",
    ),
    "job-latency": Report(
        f"{_LATENCY} ORDER BY day, task",
        {"runs": "ai_runs"},
        "Model time per task run (its attempts' latency summed: retries and fallbacks), "
        "per day and task.",
        # Quantiles do not add up: each day comes whole from its rollup or whole from rows.
        f"""SELECT * FROM (
                SELECT date AS day, task, runs, round(p50_ms, 1) AS p50_ms,
                       round(p95_ms, 1) AS p95_ms, max_ms,
                       round(attempts / runs, 2) AS avg_attempts, failed
                FROM {{runs_rollup}} WHERE kind = 'latency'
                UNION ALL {_LATENCY})
            ORDER BY day, task""",
        whole_days=True,
    ),
}


class UnknownReport(KeyError):
    pass


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def report(
    store: Store, name: str, *, start: date | None = None, end: date | None = None,
    rollups: bool = True,
) -> dict[str, list]:
    """Run one named report over [start, end] (inclusive, default the last 30 days), from
    the per-day rollups where the report has them (``rollups=False``: every row read raw;
    the answer is the same)."""
    if name not in REPORTS:
        raise UnknownReport(name)
    spec = REPORTS[name]
    start, end = day_range(start, end)
    use = rollups and spec.rollup_sql is not None
    columns, rows = run(
        store, spec.rollup_sql if use else spec.sql, sources=spec.sources, start=start,
        end=end, rollups=use, whole_days=spec.whole_days,
    )
    return {"columns": columns, "rows": [[_json_value(v) for v in row] for row in rows]}


def timeline(
    store: Store,
    profile_id: int,
    *,
    start: date | None = None,
    end: date | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """One student's events, newest first, each event once."""
    start, end = day_range(start, end)
    sql = """SELECT event_id::VARCHAR, ts, event_type, content_id, metadata
             FROM {ev} WHERE profile_id = ? ORDER BY ts DESC, event_id LIMIT ?"""
    _, rows = run(
        store, sql, sources={"ev": "events"}, start=start, end=end, params=[profile_id, limit]
    )
    return [
        {
            "event_id": event_id,
            "timestamp": ts.isoformat(),
            "event_type": event_type,
            "content_id": content_id,
            "metadata": orjson.loads(metadata) if metadata else {},
        }
        for event_id, ts, event_type, content_id, metadata in rows
    ]


async def run_report(store: Store, name: str, **kwargs) -> dict[str, list]:
    """``report`` off the event loop."""
    return await anyio.to_thread.run_sync(lambda: report(store, name, **kwargs))


async def timeline_async(store: Store, profile_id: int, **kwargs) -> list[dict[str, Any]]:
    """``timeline`` off the event loop."""
    return await anyio.to_thread.run_sync(lambda: timeline(store, profile_id, **kwargs))
