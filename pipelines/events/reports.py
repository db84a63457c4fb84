"""The DuckDB reports behind ``GET /admin/analytics/{report}`` and a student's timeline.

Every ``{ev}``/``{ai}`` placeholder already yields one row per event id (or AI request id):
compaction keeps compacted files unique and the query layer deduplicates the flush files not
yet compacted (pipelines/events/query.py), so a client's retry or a replayed flush is counted
once while the reports themselves count with plain ``count(*)``. Each returns
``{"columns": [...], "rows": [[...]]}`` with JSON-ready values. The functions block (DuckDB,
file listing): the API calls them through ``run_report``/``timeline_async``, in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import anyio.to_thread
import orjson

from pipelines.events.query import day_range, run
from pipelines.events.store import Store


@dataclass(frozen=True)
class Report:
    sql: str
    sources: dict[str, str]
    description: str


# Attempts of one job can share a timestamp (a fast failure); the attempt number breaks ties.
_JOBS = """
    SELECT job_id, min(date) AS day, first(task ORDER BY ts, attempt, request_id) AS task,
           first(provider || '/' || model_name ORDER BY ts, attempt, request_id) AS first_model,
           last(provider || '/' || model_name ORDER BY ts, attempt, request_id)
               FILTER (status = 'ok') AS answered_by,
           count(*) AS attempts, sum(latency_ms) AS latency_ms, bool_or(status = 'ok') AS ok
    FROM {ai} WHERE job_id IS NOT NULL GROUP BY job_id
"""

REPORTS: dict[str, Report] = {
    "daily-active": Report(
        "SELECT date AS day, count(DISTINCT profile_id) AS active_students "
        "FROM {ev} GROUP BY date ORDER BY date",
        {"ev": "events"},
        "Students with at least one event, per day.",
    ),
    "events-by-type": Report(
        "SELECT event_type, count(*) AS events "
        "FROM {ev} GROUP BY event_type ORDER BY events DESC, event_type",
        {"ev": "events"},
        "Events per type in the range.",
    ),
    "chapter-accuracy": Report(
        """SELECT chapter_id, count(*) AS answers, count(*) FILTER (correct) AS correct,
                  round(avg(correct::INTEGER), 4) AS accuracy
           FROM {ev} WHERE event_type = 'answer' AND chapter_id IS NOT NULL
             AND correct IS NOT NULL
           GROUP BY chapter_id ORDER BY chapter_id""",
        {"ev": "events"},
        "Answer events carrying metadata chapter_id and correct, per chapter.",
    ),
    "ai-cost": Report(
        """SELECT date AS day, provider, model_name, count(*) AS calls,
                   sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                   round(sum(cost), 6) AS cost_usd
            FROM {ai} GROUP BY ALL ORDER BY day, cost_usd DESC, provider, model_name""",
        {"ai": "ai_history"},
        "Model calls (every attempt), tokens and cost per model per day.",
    ),
    "ai-fallbacks": Report(
        f"""SELECT day, task, first_model, coalesce(answered_by, '(failed)') AS answered_by,
                   count(*) AS jobs, sum(attempts) AS attempts
            FROM ({_JOBS}) WHERE answered_by IS DISTINCT FROM first_model
            GROUP BY ALL ORDER BY day, jobs DESC, task""",
        {"ai": "ai_history"},
        "Jobs not answered by the first model tried: where they went, or failed.",
    ),
    "job-latency": Report(
        f"""SELECT day, task, count(*) AS jobs,
                   round(quantile_cont(latency_ms, 0.5), 1) AS p50_ms,
                   round(quantile_cont(latency_ms, 0.95), 1) AS p95_ms,
                   max(latency_ms) AS max_ms, round(avg(attempts), 2) AS avg_attempts,
                   count(*) FILTER (NOT ok) AS failed
            FROM ({_JOBS}) GROUP BY ALL ORDER BY day, task""",
        {"ai": "ai_history"},
        "Model time per job (all attempts, retries and fallbacks summed), per day and task.",
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
    store: Store, name: str, *, start: date | None = None, end: date | None = None
) -> dict[str, list]:
    """Run one named report over [start, end] (inclusive, default the last 30 days)."""
    if name not in REPORTS:
        raise UnknownReport(name)
    spec = REPORTS[name]
    start, end = day_range(start, end)
    columns, rows = run(store, spec.sql, sources=spec.sources, start=start, end=end)
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
