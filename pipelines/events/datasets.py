"""The two Parquet datasets fed from Redis streams: their Arrow schemas and record converters.

A converter turns the records of one stream entry into column lists; any record that does not
fit (a writer's bug) fails the whole entry, which the flush then sets aside in a dead-letter
stream instead of blocking every later flush on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

from shared.streams import AI_HISTORY_STREAM, EVENTS_STREAM

TS = pa.timestamp("us", tz="UTC")

EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("ts", TS),
        ("profile_id", pa.int64()),
        ("event_type", pa.string()),
        ("content_id", pa.int64()),
        # Promoted from metadata at flush time so chapter-accuracy needs no JSON parsing.
        ("chapter_id", pa.int64()),
        ("correct", pa.bool_()),
        ("metadata", pa.string()),
    ]
)

AI_HISTORY_SCHEMA = pa.schema(
    [
        ("request_id", pa.string()),
        ("ts", TS),
        ("job_id", pa.string()),
        ("task", pa.string()),
        ("provider", pa.string()),
        ("model_name", pa.string()),
        ("template_version", pa.string()),
        ("prompt", pa.string()),
        ("raw_response", pa.string()),
        ("input_tokens", pa.int64()),
        ("output_tokens", pa.int64()),
        ("cost", pa.float64()),
        ("latency_ms", pa.float64()),
        ("attempt", pa.int64()),
        ("status", pa.string()),
        ("error", pa.string()),
    ]
)


def _ts(value: Any) -> datetime:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(parsed, datetime):
        raise ValueError(f"timestamp {value!r} is not ISO-8601")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _opt_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    return int(value)


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def event_row(r: dict[str, Any]) -> tuple:
    metadata = r.get("metadata") or {}
    chapter = metadata.get("chapter_id") if isinstance(metadata, dict) else None
    correct = metadata.get("correct") if isinstance(metadata, dict) else None
    return (
        str(r["event_id"]),
        _ts(r["timestamp"]),
        int(r["profile_id"]),
        str(r["event_type"]),
        _opt_int(r.get("content_id")),
        chapter if isinstance(chapter, int) and not isinstance(chapter, bool) else None,
        correct if isinstance(correct, bool) else None,
        orjson.dumps(metadata).decode(),
    )


def ai_history_row(r: dict[str, Any]) -> tuple:
    cost = r.get("cost")
    latency = r.get("latency_ms")
    return (
        str(r["request_id"]),
        _ts(r["timestamp"]),
        _opt_str(r.get("job_id")),
        _opt_str(r.get("task")),
        _opt_str(r.get("provider")),
        _opt_str(r.get("model_name")),
        _opt_str(r.get("template_version")),
        _opt_str(r.get("prompt")),
        _opt_str(r.get("raw_response")),
        _opt_int(r.get("input_tokens")),
        _opt_int(r.get("output_tokens")),
        None if cost is None else float(cost),
        None if latency is None else float(latency),
        _opt_int(r.get("attempt")),
        _opt_str(r.get("status")),
        _opt_str(r.get("error")),
    )


@dataclass(frozen=True)
class Dataset:
    """A stream-fed Parquet dataset: where it buffers, how rows look, how they are ordered."""

    name: str
    stream: str
    schema: pa.Schema
    id_column: str
    sort_keys: tuple[str, ...]
    row: Callable[[dict[str, Any]], tuple]
    # Rows per Parquet row group after compaction. Small enough that min/max statistics on
    # the sort key let DuckDB skip to one student; large enough to scan fast.
    row_group_size: int = 32_768
    # The column naming the child a row belongs to, for erasure (None: no such column).
    profile_column: str | None = None

    def table(self, rows: list[tuple]) -> pa.Table:
        """An Arrow table from row tuples (columns in schema order)."""
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in self.schema]
        return pa.Table.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)],
            schema=self.schema,
        )

    def rows_of_entry(self, data: bytes) -> list[tuple]:
        """Rows of one stream entry's ``data`` field; raises on anything malformed."""
        records = orjson.loads(data)
        if not isinstance(records, list):
            raise ValueError("entry data is not a JSON array")
        return [self.row(r) for r in records]


EVENTS = Dataset(
    name="events",
    stream=EVENTS_STREAM,
    schema=EVENTS_SCHEMA,
    id_column="event_id",
    sort_keys=("profile_id", "ts"),
    row=event_row,
    profile_column="profile_id",
)
AI_HISTORY = Dataset(
    name="ai_history",
    stream=AI_HISTORY_STREAM,
    schema=AI_HISTORY_SCHEMA,
    id_column="request_id",
    sort_keys=("task", "ts"),
    row=ai_history_row,
)
DATASETS = {d.name: d for d in (EVENTS, AI_HISTORY)}
