"""AI history: one record per model attempt, and one summary per run of a task down its chain,
appended to Redis streams for the Parquet flush.

Cost comes from ``genai-prices``. A model it does not know is recorded with cost ``None``
(unknown), never ``0``; only the offline generator, which spends nothing, records ``0``.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from functools import lru_cache

from genai_prices import Usage, calc_price

from shared.streams import AI_HISTORY_STREAM, AI_RUNS_STREAM

log = logging.getLogger("studyforge.ai")

# Enough to audit and fine-tune from; a runaway reply should not bloat the stream.
MAX_TEXT = 20_000
STREAM_MAXLEN = 1_000_000  # approximate cap in case the flush stops running


@lru_cache(maxsize=512)
def _price_per_token(price_provider: str, model: str) -> tuple[float, float] | None:
    """(input, output) USD per token, or None when the price table lacks the model."""
    try:
        per_million_in = calc_price(Usage(input_tokens=1_000_000), model, provider_id=price_provider)
        per_million_out = calc_price(
            Usage(output_tokens=1_000_000), model, provider_id=price_provider
        )
    except LookupError:
        return None
    return (
        float(per_million_in.total_price) / 1e6,
        float(per_million_out.total_price) / 1e6,
    )


def cost_usd(
    provider: str, price_provider: str | None, model: str, input_tokens, output_tokens
) -> float | None:
    """The attempt's price in USD; None = unknown (unpriced model or missing usage)."""
    if provider == "offline":
        return 0.0
    if price_provider is None:
        return None
    prices = _price_per_token(price_provider, model)
    if prices is None:
        return None
    if input_tokens is None and output_tokens is None:
        # A failed call that reported no usage: providers do not bill those.
        return 0.0
    return round((input_tokens or 0) * prices[0] + (output_tokens or 0) * prices[1], 8)


def record(
    *,
    job_id: str | None,
    task: str,
    provider: str,
    model: str,
    template_version: int | None,
    prompt: str,
    raw_response: str | None,
    input_tokens: int | None,
    output_tokens: int | None,
    cost: float | None,
    latency_ms: float,
    attempt: int,
    status: str,
    error: str | None,
) -> dict:
    """One AI history record with exactly the fields of ``shared.streams.AI_HISTORY_FIELDS``."""
    rec = {
        "request_id": str(uuid.uuid4()),
        "timestamp": datetime.now(UTC).isoformat(),
        "job_id": job_id,
        "task": task,
        "provider": provider,
        "model_name": model,  # bare, beside "provider": reports join them as provider/model
        "template_version": template_version,
        "prompt": prompt[:MAX_TEXT],
        "raw_response": raw_response[:MAX_TEXT] if raw_response is not None else None,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost": cost,
        "latency_ms": round(latency_ms, 1),
        "attempt": attempt,
        "status": status,
        "error": error,
    }
    return rec


def run_summary(records: list[dict], *, skipped: int = 0) -> dict:
    """The task run record (``shared.streams.AI_RUN_FIELDS``) of one run's attempts, oldest
    first: who was tried first, who answered, and the model time it took. Its timestamp is
    the first attempt's, so a run that crosses midnight counts on the day it began."""
    first, answered = records[0], next((r for r in reversed(records) if r["status"] == "ok"), None)
    costs = [r["cost"] for r in records]
    return {
        "run_id": str(uuid.uuid4()),
        "timestamp": first["timestamp"],
        "job_id": first["job_id"],
        "task": first["task"],
        "first_model": f"{first['provider']}/{first['model_name']}",
        "answered_by": f"{answered['provider']}/{answered['model_name']}" if answered else None,
        "attempts": len(records),
        "skipped": skipped,
        "latency_ms": round(sum(r["latency_ms"] for r in records), 1),
        "cost": None if any(c is None for c in costs) else round(sum(costs), 8),
        "ok": answered is not None,
    }


# Both entries or neither, in one command: a Lua script costs ~40 us of client CPU per run
# over a lone XADD, against ~100 us for a MULTI pipeline (measured with redis-py asyncio).
_APPEND = """
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[3])
"""


async def append(redis, records: list[dict], *, skipped: int = 0) -> None:
    """Append a run's attempts as one AI history stream entry (a JSON array under ``data``)
    and its summary as one task run entry, atomically.

    Losing history must not fail the job that already has its answer, so errors are logged.
    """
    if not records:
        return
    try:
        await redis.register_script(_APPEND)(
            keys=[AI_HISTORY_STREAM, AI_RUNS_STREAM],
            args=[
                STREAM_MAXLEN,
                json.dumps(records, ensure_ascii=False),
                json.dumps([run_summary(records, skipped=skipped)]),
            ],
        )
    except Exception:  # noqa: BLE001 - history is best effort next to the job's result
        log.exception("could not append %d AI history records", len(records))
