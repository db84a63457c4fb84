"""A parent's right to erasure: rewrite every Parquet file that holds a profile's events.

Order matters. The profile id first joins a Redis set the flush consults, so events still in
the buffer (or arriving from a request already past authentication) are dropped on their way
to Parquet instead of reappearing after the rewrite. Then, under the dataset lock (so no
compaction can republish rows it read before the rewrite), each file with a matching row is
replaced by a copy without them, a compacted file with a new rollup, and every rollup naming
the child is deleted. AI history records carry no profile id; their link to a child
is through Postgres rows that the profile deletion removes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow.compute as pc
import pyarrow.parquet as pq
import redis

from pipelines.events.compact import publish
from pipelines.events.datasets import EVENTS
from pipelines.events.lock import dataset_lock, renew
from pipelines.events.store import Store, kind_of

ERASED_PROFILES_KEY = "studyforge:events:erased_profiles"


@dataclass
class EraseResult:
    files_rewritten: int = 0
    rows_removed: int = 0


def erased_profiles(client: redis.Redis) -> set[int]:
    return {int(v) for v in client.smembers(ERASED_PROFILES_KEY)}


def erase_profile(
    client: redis.Redis,
    store: Store,
    profile_id: int,
    *,
    lock_ttl: float = 60.0,
    lock_wait: float = 120.0,
) -> EraseResult:
    """Remove every event of ``profile_id`` from the events dataset; safe to run twice."""
    client.sadd(ERASED_PROFILES_KEY, profile_id)
    result = EraseResult()
    with dataset_lock(client, EVENTS.name, ttl=lock_ttl, wait=lock_wait) as lock:
        for day in store.partitions(EVENTS.name):
            listing = store.listing(EVENTS.name, day)
            for path in listing.files:
                hits = _rows_of(store, path, profile_id)
                if not hits:
                    continue
                table = EVENTS.conform(store.read([path]))
                keep = table.filter(pc.not_equal(table.column("profile_id"), profile_id))
                if keep.num_rows:
                    # A compacted file comes back with a fresh rollup (without the child).
                    publish(store, EVENTS, day, kind_of(path), keep, lock)
                store.delete(path)
                result.files_rewritten += 1
                result.rows_removed += hits
                renew(lock)
            # Rollups name the day's students: any naming the child goes (the rollup of a file
            # rewritten above, or one left by a crash); a day without one is read raw.
            for path in listing.rollups:
                if _rows_of(store, path, profile_id):
                    store.delete(path)
    return result


def _rows_of(store: Store, path: str, profile_id: int) -> int:
    ids = pq.read_table(path, filesystem=store.fs, columns=["profile_id"])
    return pc.sum(pc.equal(ids.column("profile_id"), profile_id)).as_py() or 0
