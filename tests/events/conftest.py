"""Fixtures for the events pipeline: a real Redis database (from tests/conftest.py) and a
fresh Parquet store per test, plus builders for event and AI history records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from pipelines.events.erase import ERASED_PROFILES_KEY
from pipelines.events.lock import lock_key
from pipelines.events.store import Store
from shared.streams import AI_HISTORY_STREAM, AI_RUNS_STREAM, EVENTS_STREAM

KEYS = (
    EVENTS_STREAM, AI_HISTORY_STREAM, AI_RUNS_STREAM, f"{EVENTS_STREAM}:dead",
    f"{AI_HISTORY_STREAM}:dead", f"{AI_RUNS_STREAM}:dead", lock_key("events"),
    lock_key("ai_history"), lock_key("ai_runs"), ERASED_PROFILES_KEY,
)


@pytest.fixture
def rclient(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.delete(*KEYS)
    yield client
    client.delete(*KEYS)
    client.close()


@pytest.fixture
def store(tmp_path):
    return Store.open(str(tmp_path / "data"))


def now() -> datetime:
    return datetime.now(UTC)


def event(profile_id: int, event_type: str = "click", *, at: datetime | None = None,
          **metadata) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "timestamp": (at or now() - timedelta(hours=1)).isoformat(),
        "profile_id": profile_id,
        "event_type": event_type,
        "content_id": 7,
        "metadata": metadata,
    }


def attempt(job_id: str, provider: str, model: str, status: str, *, task="explanation",
            at: datetime | None = None, cost=0.001, latency_ms=100.0, attempt_no=1,
            prompt="Explain fractions", response="A fraction is...") -> dict:
    return {
        "request_id": str(uuid.uuid4()), "timestamp": (at or now()).isoformat(),
        "job_id": job_id, "task": task, "provider": provider, "model_name": model,
        "template_version": "1", "prompt": prompt,
        "raw_response": response if status == "ok" else None,
        "input_tokens": 10, "output_tokens": 20 if status == "ok" else 0,
        "cost": cost, "latency_ms": latency_ms, "attempt": attempt_no, "status": status,
        "error": None if status == "ok" else "boom",
    }


def all_rows(store: Store, dataset: str):
    """Every row in every published file of ``dataset`` (duplicates included)."""
    import pyarrow as pa

    tables = [
        store.read([path])
        for day in store.partitions(dataset)
        for path in store.files(dataset, day)
    ]
    return pa.concat_tables(tables) if tables else None
