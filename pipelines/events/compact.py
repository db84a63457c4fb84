"""Compaction: each partition's small flush files become one sorted file with one row per id.

Sequence per partition, oldest partition first: read the files listed now -> keep the earliest
row per id -> drop ids that the compacted file of a partition within the dataset's dedup
window (``dedup_window_days``) already holds -> sort (events by profile_id, ts so DuckDB's
row-group statistics skip to one student) -> write under an in-progress name, with the day's
rollup of those rows (pipelines/events/rollup.py) -> publish by rename, rollup first -> delete
exactly the files that were read and the rollups listed with them. A file a flush publishes
meanwhile is not in the list and is left alone.

The result: an id is in at most one compacted file within any window of partitions, so readers
count compacted files with a plain ``count(*)`` and deduplicate only the few flush files not yet
compacted (pipelines/events/query.py). A replayed flush batch always lands in its original
partition (the partition is the event's own timestamp); only a client resending an event
without a timestamp across midnight puts a copy in another partition, and the window covers
that. Between the rename and the deletes a reader may see the old and new files together:
readers take the newest compacted file of a partition only (``Listing.compact``) and drop
flush rows whose id it holds, so that overlap changes no answer. A reader whose file list
names a file deleted under it retries with a fresh list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pyarrow as pa
import redis

from pipelines.events.datasets import Dataset
from pipelines.events.lock import dataset_lock, renew
from pipelines.events.rollup import pending_rollup
from pipelines.events.store import Store

STALE_TEMP_SECONDS = 3600


@dataclass
class CompactResult:
    partitions: int = 0
    files_in: int = 0
    rows: int = 0
    rollups: int = 0  # rollups published, with compacted files or for one that had none


def dedup_sorted(table: pa.Table, dataset: Dataset, known: pa.Table | None = None) -> pa.Table:
    """One row per id (the earliest), none whose id is in ``known``, in sort-key order."""
    con = duckdb.connect()
    try:
        con.execute("SET arrow_lossless_conversion = true")  # UUIDs stay UUIDs
        con.register("t", table)
        source = "t"
        if known is not None and known.num_rows:
            con.register("known", known)
            source = f"(SELECT * FROM t ANTI JOIN known USING ({dataset.id_column}))"
        result = con.sql(
            f"SELECT * FROM {source} QUALIFY row_number() OVER "
            f"(PARTITION BY {dataset.id_column} ORDER BY ts) = 1 "
            f"ORDER BY {', '.join(dataset.sort_keys)}"
        ).to_arrow_table()
    finally:
        con.close()
    return result.select(dataset.schema.names).cast(dataset.schema)


def neighbour_ids(store: Store, dataset: Dataset, day: date) -> pa.Table | None:
    """Ids held by the compacted files of the other partitions within the dedup window."""
    window = timedelta(days=dataset.dedup_window_days)
    paths = []
    for other in store.partitions(dataset.name):
        if other != day and abs(other - day) <= window:
            newest = store.listing(dataset.name, other).compact
            if newest:
                paths.append(newest)
    if not paths:
        return None
    return pa.concat_tables(
        [dataset.conform(store.read([p], columns=[dataset.id_column])) for p in paths]
    )


def needs_compaction(files: list[str]) -> bool:
    names = [f.rsplit("/", 1)[-1] for f in files]
    return len(names) > 1 or any(n.startswith("flush-") for n in names)


def publish(store: Store, dataset: Dataset, day: date, kind: str, table: pa.Table, lock) -> str:
    """Publish ``table`` as a new ``kind`` file of the partition; a compacted file of a dataset
    with rollups gets its rollup, published just before it, so a reader that sees the file
    finds its rollup too. Nothing appears if the lock was lost (an erasure may have taken
    over); a crash between the two leaves a rollup of no file, which readers ignore."""
    path = store.new_path(dataset.name, day, kind)
    pending = [store.pending(path, dataset.schema)]
    try:
        pending[0].write(table, row_group_size=dataset.row_group_size)
        rollup = pending_rollup(store, dataset, path, table) if kind == "compact" else None
        pending += [rollup] if rollup else []
        renew(lock)
    except BaseException:
        for file in pending:
            file.abort()
        raise
    for file in reversed(pending):
        file.finish()
    return path


def compact_partition(store: Store, dataset: Dataset, day: date, lock) -> CompactResult:
    """Compact one partition if it has flush files (or give its compacted file the rollup it
    lacks); deletes the files read and every rollup made from them."""
    now = time.time()
    for info in store.stale_temporaries(dataset.name, day):
        # Left by a process killed mid-write; never published, so nobody reads it.
        if info.mtime is not None and now - info.mtime.timestamp() > STALE_TEMP_SECONDS:
            store.delete(info.path)
    listing = store.listing(dataset.name, day)
    files = listing.files
    if needs_compaction(files):
        read = pa.concat_tables([dataset.conform(store.read([path])) for path in files])
        table = dedup_sorted(read, dataset, neighbour_ids(store, dataset, day))
        if table.num_rows:
            publish(store, dataset, day, "compact", table, lock)
        else:
            renew(lock)
        for path in files + listing.rollups:
            store.delete(path)
        rollups = int(bool(table.num_rows and dataset.rollup))
        return CompactResult(partitions=1, files_in=len(files), rows=table.num_rows,
                             rollups=rollups)
    if dataset.rollup and listing.compact and not listing.rollup:
        # A compacted file from before rollups existed: the day is read raw until it has one.
        table = dataset.conform(store.read([listing.compact]))
        rollup = pending_rollup(store, dataset, listing.compact, table)
        try:
            renew(lock)
        except BaseException:
            rollup.abort()
            raise
        rollup.finish()
        for path in listing.rollups:  # rollups of files long gone (a crash mid-publish)
            store.delete(path)
        return CompactResult(rollups=1)
    return CompactResult()


def compact_dataset(
    client: redis.Redis,
    store: Store,
    dataset: Dataset,
    *,
    days: list[date] | None = None,
    lock_ttl: float = 60.0,
    lock_wait: float = 0.0,
) -> CompactResult:
    """Compact every partition of ``dataset`` (or the given days) that has flush files."""
    result = CompactResult()
    with dataset_lock(client, dataset.name, ttl=lock_ttl, wait=lock_wait) as lock:
        for day in days if days is not None else store.partitions(dataset.name):
            done = compact_partition(store, dataset, day, lock)
            result.partitions += done.partitions
            result.files_in += done.files_in
            result.rows += done.rows
            result.rollups += done.rollups
            renew(lock)
    return result
