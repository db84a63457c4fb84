"""Read-only reports for the admin API: provider health and recent AI history, from Redis."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from pipelines.ai.circuit import INDEX_KEY, PREFIX, STATS_PREFIX
from shared.ai.schemas import AIHistoryRow, ProviderStats
from shared.streams import AI_HISTORY_STREAM


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _percentile(sorted_values: list[float], share: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return round(sorted_values[index], 1)


async def provider_stats(redis, *, window_seconds: int) -> list[ProviderStats]:
    """Per provider/model: circuit state, calls, error rate and latency over the window."""
    links = sorted(_text(link) for link in await redis.smembers(INDEX_KEY))
    if not links:
        return []
    pipe = redis.pipeline(transaction=False)
    for link in links:
        pipe.lrange(STATS_PREFIX + link, 0, -1)
        pipe.hgetall(PREFIX + link)
    replies = await pipe.execute()
    now = time.time()
    since = now - window_seconds
    out = []
    for i, link in enumerate(links):
        samples, circuit = replies[2 * i], replies[2 * i + 1]
        latencies, errors = [], 0
        for raw in samples:
            at, latency, ok = _text(raw).split(",")
            if float(at) < since:
                break  # newest first: the rest is older still
            latencies.append(float(latency))
            errors += ok == "0"
        circuit = {_text(k): _text(v) for k, v in circuit.items()}
        state = circuit.get("state", "closed")
        open_until = float(circuit["open_until"]) if "open_until" in circuit else None
        if state == "open" and open_until is not None and now >= open_until:
            state = "half_open"  # cooled down: the next call probes it
        latencies.sort()
        provider, model = link.split("/", 1)
        out.append(ProviderStats(
            provider=provider, model=model, circuit=state, calls=len(latencies), errors=errors,
            error_rate=round(errors / len(latencies), 4) if latencies else None,
            latency_p50_ms=_percentile(latencies, 0.50),
            latency_p95_ms=_percentile(latencies, 0.95),
            window_seconds=window_seconds,
            consecutive_failures=int(circuit.get("failures", 0)),
            open_until=datetime.fromtimestamp(open_until, UTC) if state != "closed"
            and open_until else None,
        ))
    return out


def _matches(record: dict, model: str | None, job_id: str | None) -> bool:
    if job_id is not None and record.get("job_id") != job_id:
        return False
    if model is None:
        return True
    name = record.get("model_name") or ""
    provider = record.get("provider") or ""
    return model in (name, f"{provider}/{name}", provider)


async def recent_history(
    redis, *, since: datetime | None = None, model: str | None = None,
    job_id: str | None = None, limit: int = 100,
) -> list[AIHistoryRow]:
    """AI history records still in the Redis stream, newest first.

    ``model`` matches ``provider/model``, the bare model name or the provider. The flush
    deletes what it has written to Parquet, so this is exactly what Parquet does not hold yet
    (give or take entries written but not yet deleted: callers dedupe by ``request_id``).
    """
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # a date without an offset is read as UTC
    # Stream ids are milliseconds since 1970; anything earlier means "from the start".
    low = f"{max(0, int(since.timestamp() * 1000))}-0" if since else "-"
    high = "+"
    rows: list[AIHistoryRow] = []
    while len(rows) < limit:
        entries = await redis.xrevrange(AI_HISTORY_STREAM, max=high, min=low, count=200)
        if not entries:
            break
        for _entry_id, fields in entries:
            records = json.loads(fields.get(b"data") or fields.get("data") or "[]")
            for record in reversed(records):
                if since and datetime.fromisoformat(record["timestamp"]) < since:
                    continue
                if _matches(record, model, job_id):
                    rows.append(AIHistoryRow.model_validate(record))
                    if len(rows) >= limit:
                        return rows
        high = f"({_text(entries[-1][0])}"  # exclusive: continue below the oldest seen
    return rows
