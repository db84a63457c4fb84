"""Per-day rollups of a dataset: what its reports need, a few KB per day.

Compaction (and erasure, which rewrites compacted files) publishes beside each compacted file
``compact-<created>-<random>.parquet`` a ``rollup-<created>-<random>.parquet`` computed from
exactly the rows of that file. Readers use a day's rollup only when it carries the name of the
day's newest compacted file (``Store.listing``); any other day, or a rollup left behind by a
crash or by a newer compacted file, means the day is read raw. Flush files not yet compacted
are never in a rollup: the reports add their deduplicated rows to the rollups' figures, or,
for figures that do not add up (quantiles), read a day that has flush files raw as a whole.

Layout: one small Parquet file per compacted file, in the long form of the dataset's
``Rollup.schema``: each row is one group of one kind, its key columns set and the others NULL.

Events (``EVENTS_ROLLUP``):

- ``event_type`` set: ``events`` = events of that type (events-by-type);
- ``chapter_id`` set: ``events`` = answers, ``correct`` = correct ones (chapter-accuracy,
  same filter as the report: ``ANSWERED``);
- ``profile_id`` set: ``events`` = that student's events that day. The ids are stored, not a
  count, because daily-active must union them with the students of the day's flush rows.

AI history (``HISTORY_ROLLUP``): per (provider, model_name), the attempts (``calls``) and
their summed tokens and cost (ai-cost).

AI task runs (``RUNS_ROLLUP``), ``kind`` says which:

- ``fallback``: per (task, first_model, answered_by): ``runs`` and their ``attempts``
  (ai-fallbacks; ``answered_by`` NULL = no link answered);
- ``latency``: per task: ``runs``, ``attempts``, ``failed``, ``max_ms`` and the day's exact
  ``p50_ms``/``p95_ms`` of a run's summed latency (job-latency).

Why this shape: one file per compacted file keeps the rollup's life tied to the file it
describes (written, superseded and deleted with it, under the same lock), so no index of
rollups has to be kept consistent; one file rather than one per report keeps that to one name
to match; and a column per key keeps each key's type without casts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from pipelines.events.store import PendingFile, Store, rollup_path

if TYPE_CHECKING:
    from pipelines.events.datasets import Dataset


@dataclass(frozen=True)
class Rollup:
    """What a dataset's rollup holds: its schema and the DuckDB SQL computing it from ``t``,
    the rows of one compacted file (each id once, as compaction leaves them)."""

    schema: pa.Schema
    sql: str
    inputs: tuple[str, ...]  # the columns of ``t`` the SQL reads


# The chapter-accuracy report's filter; rollups count answers with the same one.
ANSWERED = "event_type = 'answer' AND chapter_id IS NOT NULL AND correct IS NOT NULL"

EVENTS_ROLLUP = Rollup(
    schema=pa.schema(
        [
            ("event_type", pa.string()),
            ("chapter_id", pa.int64()),
            ("profile_id", pa.int64()),
            ("events", pa.int64()),
            ("correct", pa.int64()),
        ]
    ),
    sql=f"""
        SELECT event_type, NULL::BIGINT, NULL::BIGINT, count(*), NULL::BIGINT
        FROM t GROUP BY event_type
        UNION ALL
        SELECT NULL, chapter_id, NULL, count(*), count(*) FILTER (correct)
        FROM t WHERE {ANSWERED} GROUP BY chapter_id
        UNION ALL
        SELECT NULL, NULL, profile_id, count(*), NULL FROM t GROUP BY profile_id
    """,
    inputs=("event_type", "chapter_id", "correct", "profile_id"),
)

HISTORY_ROLLUP = Rollup(
    schema=pa.schema(
        [
            ("provider", pa.string()),
            ("model_name", pa.string()),
            ("calls", pa.int64()),
            ("input_tokens", pa.int64()),
            ("output_tokens", pa.int64()),
            ("cost", pa.float64()),
        ]
    ),
    sql="""
        SELECT provider, model_name, count(*), sum(input_tokens), sum(output_tokens), sum(cost)
        FROM t GROUP BY provider, model_name
    """,
    inputs=("provider", "model_name", "input_tokens", "output_tokens", "cost"),
)

RUNS_ROLLUP = Rollup(
    schema=pa.schema(
        [
            ("kind", pa.string()),
            ("task", pa.string()),
            ("first_model", pa.string()),
            ("answered_by", pa.string()),
            ("runs", pa.int64()),
            ("attempts", pa.int64()),
            ("failed", pa.int64()),
            ("max_ms", pa.float64()),
            ("p50_ms", pa.float64()),
            ("p95_ms", pa.float64()),
        ]
    ),
    # The same aggregates as the reports' raw SQL (pipelines/events/reports.py), so a day
    # read from its rollup and the same day read raw give identical numbers.
    sql="""
        SELECT 'fallback', task, first_model, answered_by, count(*), sum(attempts),
               NULL::BIGINT, NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE
        FROM t GROUP BY task, first_model, answered_by
        UNION ALL
        SELECT 'latency', task, NULL, NULL, count(*), sum(attempts), count(*) FILTER (NOT ok),
               max(latency_ms), quantile_cont(latency_ms, 0.5), quantile_cont(latency_ms, 0.95)
        FROM t GROUP BY task
    """,
    inputs=("task", "first_model", "answered_by", "attempts", "ok", "latency_ms"),
)


def summarize(table: pa.Table, rollup: Rollup) -> pa.Table:
    """The rollup rows of a compacted file's rows."""
    con = duckdb.connect()
    try:
        con.register("t", table.select(list(rollup.inputs)))
        result = con.sql(rollup.sql).to_arrow_table()
    finally:
        con.close()
    return pa.Table.from_arrays(result.columns, schema=rollup.schema)


def pending_rollup(
    store: Store, dataset: Dataset, compact_path: str, table
) -> PendingFile | None:
    """The rollup of the compacted file ``compact_path`` holding ``table``, written but not
    published (None for a dataset without rollups)."""
    if dataset.rollup is None:
        return None
    pending = store.pending(rollup_path(compact_path), dataset.rollup.schema)
    try:
        pending.write(summarize(table, dataset.rollup))
    except BaseException:
        pending.abort()
        raise
    return pending
