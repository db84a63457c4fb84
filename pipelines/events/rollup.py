"""Per-day rollups of the events dataset: what three reports need, a few KB per day.

Compaction (and erasure, which rewrites compacted files) publishes beside each compacted file
``compact-<created>-<random>.parquet`` a ``rollup-<created>-<random>.parquet`` computed from
exactly the rows of that file. Readers use a day's rollup only when it carries the name of the
day's newest compacted file (``Store.listing``); any other day, or a rollup left behind by a
crash or by a newer compacted file, means the day is read raw. Flush files not yet compacted
are never in a rollup: the reports add their deduplicated rows to the rollups' figures.

Layout: one small Parquet file per compacted file, one row per group, in the long form of
``ROLLUP_SCHEMA``; the group's key column is set and the other two are NULL:

- ``event_type`` set: ``events`` = events of that type (events-by-type);
- ``chapter_id`` set: ``events`` = answers, ``correct`` = correct ones (chapter-accuracy,
  same filter as the report: ``ANSWERED``);
- ``profile_id`` set: ``events`` = that student's events that day. The ids are stored, not a
  count, because daily-active must union them with the students of the day's flush rows.

Why this shape: one file per compacted file keeps the rollup's life tied to the file it
describes (written, superseded and deleted with it, under the same lock), so no index of
rollups has to be kept consistent; one file rather than three keeps that to one name to match;
and a column per key keeps each key's type (text type, integer ids) without casts.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipelines.events.datasets import Dataset
from pipelines.events.store import PendingFile, Store, rollup_path

# The chapter-accuracy report's filter; rollups count answers with the same one.
ANSWERED = "event_type = 'answer' AND chapter_id IS NOT NULL AND correct IS NOT NULL"

ROLLUP_SCHEMA = pa.schema(
    [
        ("event_type", pa.string()),
        ("chapter_id", pa.int64()),
        ("profile_id", pa.int64()),
        ("events", pa.int64()),
        ("correct", pa.int64()),
    ]
)

_SUMMARY = f"""
    SELECT event_type, NULL::BIGINT, NULL::BIGINT, count(*), NULL::BIGINT
    FROM t GROUP BY event_type
    UNION ALL
    SELECT NULL, chapter_id, NULL, count(*), count(*) FILTER (correct)
    FROM t WHERE {ANSWERED} GROUP BY chapter_id
    UNION ALL
    SELECT NULL, NULL, profile_id, count(*), NULL FROM t GROUP BY profile_id
"""


def summarize(table: pa.Table) -> pa.Table:
    """The rollup rows of a compacted file's rows (each id once, as compaction leaves them)."""
    con = duckdb.connect()
    try:
        con.register("t", table.select(["event_type", "chapter_id", "correct", "profile_id"]))
        result = con.sql(_SUMMARY).to_arrow_table()
    finally:
        con.close()
    return pa.Table.from_arrays(result.columns, schema=ROLLUP_SCHEMA)


def pending_rollup(store: Store, dataset: Dataset, compact_path: str, table) -> PendingFile | None:
    """The rollup of the compacted file ``compact_path`` holding ``table``, written but not
    published (None for a dataset without rollups)."""
    if not dataset.has_rollups:
        return None
    pending = store.pending(rollup_path(compact_path), ROLLUP_SCHEMA)
    try:
        pending.write(summarize(table))
    except BaseException:
        pending.abort()
        raise
    return pending
