"""A parent's right to erasure: rewrite every Parquet file that holds a profile's events.

Order matters. The profile id first joins a Redis set the flush consults, so events still in
the buffer (or arriving from a request already past authentication) are dropped on their way
to Parquet instead of reappearing after the rewrite. Then, under the dataset lock (so no
compaction can republish rows it read before the rewrite), each file with a matching row is
replaced by a copy without them. AI history records carry no profile id; their link to a child
is through Postgres rows that the profile deletion removes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow.compute as pc
import pyarrow.parquet as pq
import redis

from pipelines.events.datasets import EVENTS
from pipelines.events.lock import dataset_lock, renew
from pipelines.events.store import Store

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
            for path in store.files(EVENTS.name, day):
                ids = pq.read_table(path, filesystem=store.fs, columns=["profile_id"])
                hits = pc.sum(pc.equal(ids.column("profile_id"), profile_id)).as_py() or 0
                if not hits:
                    continue
                table = EVENTS.conform(store.read([path]))
                keep = table.filter(pc.not_equal(table.column("profile_id"), profile_id))
                kind = path.rsplit("/", 1)[-1].split("-", 1)[0]
                if keep.num_rows:
                    pending = store.pending(store.new_path(EVENTS.name, day, kind), EVENTS.schema)
                    pending.write(keep, row_group_size=EVENTS.row_group_size)
                    renew(lock)
                    pending.finish()
                store.delete(path)
                result.files_rewritten += 1
                result.rows_removed += hits
                renew(lock)
    return result
