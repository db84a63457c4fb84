"""Event store actors: flush the Redis buffers to Parquet, compact, erase a child's rows.

Sync actors (pyarrow and DuckDB are blocking, CPU-bound work) that run in Dramatiq's worker
threads, each safe to run twice: a repeated flush finds nothing or replays what a crash left
(removed by id), a repeated compaction or erasure finds nothing left to do. A flush or
compaction that finds another one holding the store simply returns: the holder is doing it.
"""

from __future__ import annotations

import logging

import dramatiq
import redis

from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import DATASETS
from pipelines.events.erase import erase_profile as erase
from pipelines.events.flush import flush_all
from pipelines.events.lock import LockBusy
from pipelines.events.store import Store
from shared.config import Settings
from shared.redis import sync_client
from workers import resources

log = logging.getLogger("studyforge.worker")
QUEUE = "events"


_clients_for: dict[int, tuple[Settings, redis.Redis, Store]] = {}


def _clients(settings: Settings) -> tuple[redis.Redis, Store]:
    """One Redis client (thread-safe pool) and one store per process and settings object."""
    cached = _clients_for.get(id(settings))
    if cached is None or cached[0] is not settings:
        cached = _clients_for[id(settings)] = (
            settings, sync_client(settings), Store.from_settings(settings)
        )
    return cached[1], cached[2]


@dramatiq.actor(actor_name="events.flush", queue_name=QUEUE, max_retries=0,
                time_limit=15 * 60 * 1000)
def flush() -> None:
    settings = resources.settings()
    client, store = _clients(settings)
    try:
        counts = flush_all(
            client, store, batch_entries=settings.events_flush_batch_entries,
            max_rows_per_file=settings.events_max_rows_per_file,
            lock_ttl=settings.events_lock_ttl_seconds,
        )
    except LockBusy:
        return
    if counts["files"]:
        log.info("flushed %s", counts)


@dramatiq.actor(actor_name="events.compact", queue_name=QUEUE, max_retries=0,
                time_limit=30 * 60 * 1000)
def compact() -> None:
    settings = resources.settings()
    client, store = _clients(settings)
    for dataset in DATASETS.values():
        try:
            result = compact_dataset(
                client, store, dataset, lock_ttl=settings.events_lock_ttl_seconds
            )
        except LockBusy:
            continue
        if result.partitions or result.rollups:
            log.info("compacted %s: %s", dataset.name, result)


@dramatiq.actor(actor_name="events.erase_profile", queue_name=QUEUE, max_retries=20,
                min_backoff=5_000, time_limit=30 * 60 * 1000)
def erase_profile(profile_id: int) -> None:
    """A deleted child's events out of every Parquet file (retried until it gets the lock)."""
    settings = resources.settings()
    client, store = _clients(settings)
    result = erase(client, store, profile_id, lock_ttl=settings.events_lock_ttl_seconds)
    log.info("erased profile %s from the event store: %s", profile_id, result)
