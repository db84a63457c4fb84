"""The Parquet datasets fed from Redis streams: their Arrow schemas and record converters.

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
import pyarrow.compute as pc

from pipelines.events.rollup import EVENTS_ROLLUP, HISTORY_ROLLUP, RUNS_ROLLUP, Rollup
from shared.streams import AI_HISTORY_STREAM, AI_RUNS_STREAM, EVENTS_STREAM

TS = pa.timestamp("us", tz="UTC")
# Event ids are UUIDs (the API validates them): 16 bytes with Parquet's UUID logical type,
# which DuckDB reads as its 128-bit UUID. Hashing that for dedup is several times cheaper
# than a 36-character string (docs/analytics.md, "Layout").
UUID = pa.uuid()
_UUID_TEXT = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", UUID),
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

# One row per run of a task down its chain (pipelines/ai/history.run_summary): what the
# job-level reports need without grouping every attempt by job at read time.
AI_RUNS_SCHEMA = pa.schema(
    [
        ("run_id", UUID),
        ("ts", TS),  # the run's first attempt: its partition and its report day
        ("job_id", pa.string()),
        ("task", pa.string()),
        ("first_model", pa.string()),  # provider/model of the first attempt
        ("answered_by", pa.string()),  # provider/model that answered; NULL: none did
        ("attempts", pa.int64()),
        ("skipped", pa.int64()),  # links passed over because their circuit was open
        ("latency_ms", pa.float64()),  # summed over the attempts
        ("cost", pa.float64()),  # summed; NULL when any attempt's price is unknown
        ("ok", pa.bool_()),
    ]
)


def _parse_ts(values) -> pa.Array:
    """ISO-8601 strings to UTC timestamps: Arrow's vectorised cast when every value carries
    a zone (~100x datetime.fromisoformat per row), else per value in Python (naive times read
    as UTC). A value that is not a time raises, and its entry is set aside."""
    strings = pa.array(values, pa.string())
    try:
        return pc.cast(strings, TS)
    except pa.ArrowInvalid:
        parsed = []
        for v in values:
            t = datetime.fromisoformat(v)
            parsed.append(t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC))
        return pa.array(parsed, TS)


def _parse_uuid(values) -> pa.Array:
    """Canonical UUID strings to Arrow UUIDs, vectorised: one regex check over the column,
    then one hex decode of all ids at once. Anything else raises (the entry is set aside)."""
    strings = pa.array(values, pa.string())
    if strings.null_count:
        raise ValueError("an id is missing")
    if len(strings) and not pc.all(pc.match_substring_regex(strings, _UUID_TEXT)).as_py():
        raise ValueError("an id is not a UUID")
    raw = bytes.fromhex("".join(values).replace("-", ""))
    storage = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(16), len(strings), [None, pa.py_buffer(raw)]
    )
    return pa.ExtensionArray.from_storage(UUID, storage)


def _text(values: list) -> list:
    return [v if v is None or type(v) is str else orjson.dumps(v).decode() for v in values]


# Column builders work column by column over one entry's records (list comprehensions):
# about 3x faster than building a tuple per row and transposing, the flush's hot loop.
def event_columns(recs: list[dict]) -> dict[str, list]:
    meta = [r.get("metadata") or {} for r in recs]
    chapter = [m.get("chapter_id") if type(m) is dict else None for m in meta]
    correct = [m.get("correct") if type(m) is dict else None for m in meta]
    return {
        "event_id": [r["event_id"] for r in recs],
        "ts": [r["timestamp"] for r in recs],
        "profile_id": [r["profile_id"] for r in recs],
        "event_type": [r["event_type"] for r in recs],
        "content_id": [r.get("content_id") for r in recs],
        # Promoted only when well typed; the full metadata stays in its own column.
        "chapter_id": [c if type(c) is int else None for c in chapter],
        "correct": [c if type(c) is bool else None for c in correct],
        "metadata": [orjson.dumps(m) for m in meta],
    }


def _record_columns(schema: pa.Schema, id_name: str, text: tuple[str, ...]):
    """A converter for records holding the fields of ``schema`` (``timestamp`` for ``ts``):
    the id is required, the ``text`` columns may arrive as any JSON value."""
    def columns(recs: list[dict]) -> dict[str, list]:
        cols = {name: [r.get(name) for r in recs] for name in schema.names if name != "ts"}
        cols[id_name] = [r[id_name] for r in recs]
        cols["ts"] = [r["timestamp"] for r in recs]
        for name in text:
            cols[name] = _text(cols[name])
        return cols

    return columns


ai_history_columns = _record_columns(
    AI_HISTORY_SCHEMA, "request_id",
    ("job_id", "task", "provider", "model_name", "template_version", "prompt", "raw_response",
     "status", "error"),
)
ai_run_columns = _record_columns(
    AI_RUNS_SCHEMA, "run_id", ("job_id", "task", "first_model", "answered_by")
)


@dataclass(frozen=True)
class Dataset:
    """A stream-fed Parquet dataset: where it buffers, how rows look, how they are ordered."""

    name: str
    stream: str
    schema: pa.Schema
    id_column: str
    sort_keys: tuple[str, ...]
    columns: Callable[[list[dict[str, Any]]], dict[str, list]]
    required: tuple[str, ...]
    # Rows per Parquet row group after compaction. Small enough that min/max statistics on
    # the sort key let DuckDB skip to one student; large enough to scan fast. At 10 M events
    # (~110k a day), 8,192 halved a typical student's 90-day timeline against 32,768 and left
    # the reports within noise (docs/analytics.md, "Layout").
    row_group_size: int = 8_192
    # The column naming the child a row belongs to, for erasure (None: no such column).
    profile_column: str | None = None
    # A copy of an id in a partition at most this many days from the kept copy is a
    # duplicate (compaction drops it, readers skip it). Replays land in the same partition
    # (0 days); a client resending without a timestamp across midnight lands 1 day later.
    # Each flush file is checked against the compacted files of 2 * window + 1 partitions.
    dedup_window_days: int = 2
    # What compaction writes beside each compacted file (pipelines/events/rollup.py); None:
    # no rollup, the reports read rows.
    rollup: Rollup | None = None

    def table(self, columns: dict[str, list] | None) -> pa.Table:
        """An Arrow table from column lists; raises on a value of the wrong type."""
        arrays = []
        for f in self.schema:
            values = columns[f.name] if columns else []
            if f.type == TS:
                arrays.append(_parse_ts(values))
            elif f.type == UUID:
                arrays.append(_parse_uuid(values))
            elif f.type == pa.string() and values and type(values[0]) is bytes:
                arrays.append(pa.array(values, pa.binary()).cast(pa.string()))
            else:
                arrays.append(pa.array(values, type=f.type))
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        for name in self.required:
            if table.column(name).null_count:
                raise ValueError(f"{name} is missing in some records")
        return table

    def conform(self, table: pa.Table) -> pa.Table:
        """Columns read from any file of this dataset, in the current schema's types: files
        written before ids became UUIDs hold them as text, converted when rewritten."""
        for i, name in enumerate(table.column_names):
            f = self.schema.field(name)
            if f.type == UUID and table.schema.field(i).type == pa.string():
                table = table.set_column(i, f, _parse_uuid(table.column(i).to_pylist()))
        return table.cast(pa.schema([self.schema.field(n) for n in table.column_names]))

    def columns_of_entry(self, data: bytes) -> dict[str, list]:
        """Column lists of one stream entry's ``data`` field; raises on a malformed one."""
        records = orjson.loads(data)
        if not isinstance(records, list) or not all(type(r) is dict for r in records):
            raise ValueError("entry data is not a JSON array of objects")
        return self.columns(records)


EVENTS = Dataset(
    name="events",
    stream=EVENTS_STREAM,
    schema=EVENTS_SCHEMA,
    id_column="event_id",
    sort_keys=("profile_id", "ts"),
    columns=event_columns,
    required=("event_id", "ts", "profile_id", "event_type"),
    profile_column="profile_id",
    rollup=EVENTS_ROLLUP,
)
AI_HISTORY = Dataset(
    name="ai_history",
    stream=AI_HISTORY_STREAM,
    schema=AI_HISTORY_SCHEMA,
    id_column="request_id",
    sort_keys=("task", "ts"),
    columns=ai_history_columns,
    required=("request_id", "ts"),
    rollup=HISTORY_ROLLUP,
)
AI_RUNS = Dataset(
    name="ai_runs",
    stream=AI_RUNS_STREAM,
    schema=AI_RUNS_SCHEMA,
    id_column="run_id",
    sort_keys=("task", "ts"),
    columns=ai_run_columns,
    required=("run_id", "ts", "task", "first_model", "attempts", "latency_ms", "ok"),
    rollup=RUNS_ROLLUP,
)
DATASETS = {d.name: d for d in (EVENTS, AI_HISTORY, AI_RUNS)}
