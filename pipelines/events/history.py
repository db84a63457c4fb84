"""Reading the AI history dataset: the admin listing and the fine-tuning export.

The export writes OpenAI's chat fine-tuning JSONL (one ``{"messages": [...]}`` per line) from
successful attempts whose job produced content a reviewer approved; approval lives in
Postgres, so the caller passes the approved job ids (``None`` = take every successful one).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import IO, Any

import anyio.to_thread
import orjson

from pipelines.events.query import run
from pipelines.events.store import Store

_COLUMNS = (
    "request_id, ts, task, provider, model_name, prompt, raw_response, input_tokens, "
    "output_tokens, cost, latency_ms, status"
)
# The keys of each row ``recent`` returns (``ts`` is renamed ``timestamp``).
COLUMNS_OUT = frozenset(
    "timestamp" if name.strip() == "ts" else name.strip() for name in _COLUMNS.split(",")
)


def recent(
    store: Store, *, since: datetime, model: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """AI attempts since ``since``, newest first, one row per request id."""
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    sql = f"""SELECT {_COLUMNS} FROM {{ai}}
              WHERE ts >= ? AND (? IS NULL OR model_name = ? OR provider || '/' || model_name = ?)
              ORDER BY ts DESC, request_id LIMIT ?"""
    columns, rows = run(
        store, sql, sources={"ai": "ai_history"}, start=since.date(),
        end=datetime.now(UTC).date(), params=[since, model, model, model, limit],
    )
    out = []
    for row in rows:
        item = dict(zip(columns, row, strict=True))
        item["timestamp"] = item.pop("ts").isoformat()
        out.append(item)
    return out


async def recent_async(store: Store, **kwargs) -> list[dict[str, Any]]:
    return await anyio.to_thread.run_sync(lambda: recent(store, **kwargs))


def _messages(prompt: str, response: str) -> list[dict[str, str]]:
    # A chain that sent chat messages stores them as a JSON array; keep them as they were.
    try:
        parsed = orjson.loads(prompt)
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, list) and all(
        isinstance(m, dict) and {"role", "content"} <= m.keys() for m in parsed
    ):
        messages = [{"role": m["role"], "content": m["content"]} for m in parsed]
    else:
        messages = [{"role": "user", "content": prompt}]
    return [*messages, {"role": "assistant", "content": response}]


def finetune_jsonl(
    store: Store,
    out: IO[str],
    *,
    task: str,
    since: date,
    approved_job_ids: Collection[str] | None,
) -> int:
    """Write one chat fine-tuning example per approved, successful ``task`` attempt."""
    sql = """SELECT job_id, prompt, raw_response FROM {ai}
             WHERE task = ? AND status = 'ok' AND prompt IS NOT NULL AND prompt <> ''
               AND raw_response IS NOT NULL AND raw_response <> ''
             ORDER BY ts, request_id"""
    _, rows = run(
        store, sql, sources={"ai": "ai_history"}, start=since,
        end=datetime.now(UTC).date(), params=[task],
    )
    approved = None if approved_job_ids is None else set(approved_job_ids)
    written = 0
    for job_id, prompt, response in rows:
        if approved is not None and job_id not in approved:
            continue
        out.write(orjson.dumps({"messages": _messages(prompt, response)}).decode() + "\n")
        written += 1
    return written
