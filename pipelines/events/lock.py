"""One Redis lock per dataset, held by whoever rewrites its files (flush, compaction, erasure).

Correctness of counting never depends on it (duplicates are removed by id), but erasure does:
a compaction that read a file before an erasure rewrote it must not publish the erased rows
again. So every writer renews the lock as it goes and checks it still holds it right before
publishing; a holder that crashed lets the lock expire after ``ttl`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import redis
from redis.exceptions import LockError
from redis.lock import Lock

from shared.errors import AppError


class LockBusy(AppError):
    status_code = 409


class LockLost(RuntimeError):
    """The lock expired while held; the work is abandoned before publishing anything."""


def lock_key(dataset: str) -> str:
    return f"studyforge:lock:parquet:{dataset}"


@contextmanager
def dataset_lock(client: redis.Redis, dataset: str, *, ttl: float, wait: float) -> Iterator[Lock]:
    """Hold the dataset's lock, waiting up to ``wait`` seconds; ``LockBusy`` if not obtained."""
    lock = client.lock(
        lock_key(dataset), timeout=ttl, blocking_timeout=wait or None, thread_local=False
    )
    if not lock.acquire(blocking=wait > 0):
        raise LockBusy(f"another process is writing the {dataset} dataset; try again shortly")
    try:
        yield lock
    finally:
        with suppress(LockError):  # it expired; whoever holds it now keeps it
            lock.release()


def renew(lock: Lock) -> None:
    """Extend the lock to a full ttl again; ``LockLost`` if someone else holds it now."""
    try:
        lock.extend(lock.timeout, replace_ttl=True)
    except LockError as exc:
        raise LockLost(f"lost the lock {lock.name!r}") from exc
