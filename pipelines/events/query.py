"""Run DuckDB over a date range of a dataset, on a local directory or S3.

Locally DuckDB's own Parquet reader gets the explicit file list of the partitions in range
(partition pruning by listing, row-group pruning by statistics). On S3 the same files go
through a pyarrow dataset on the store's filesystem, because DuckDB's S3 support is an
extension downloaded at run time and pyarrow already speaks S3.

A compaction may delete a file between our listing and DuckDB opening it; the overlap of old
and new files is harmless (queries keep one row per id), a vanished file is not, so such a
query is retried with a fresh listing.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads

from pipelines.events.datasets import DATASETS
from pipelines.events.store import Store

_db: duckdb.DuckDBPyConnection | None = None
_db_lock = threading.Lock()
RETRIES = 5


def database() -> duckdb.DuckDBPyConnection:
    """The process's DuckDB database; callers take a ``cursor()`` each (thread-safe)."""
    global _db
    with _db_lock:
        if _db is None:
            _db = duckdb.connect()
            _db.execute("SET GLOBAL TimeZone = 'UTC'")
            # Files are immutable (new names on every rewrite), so cached footers never lie.
            _db.execute("SET GLOBAL parquet_metadata_cache = true")
        return _db


def files_in_range(store: Store, dataset: str, start: date, end: date) -> list[str]:
    return [
        path
        for day in store.partitions(dataset)
        if start <= day <= end
        for path in store.files(dataset, day)
    ]


def _source(cur, store: Store, dataset: str, files: list[str]) -> str:
    """SQL naming the rows of ``files`` with a ``date`` column from the partition path."""
    if store.is_local:
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        return f"read_parquet([{listing}], hive_partitioning = true, union_by_name = true)"
    ds = pads.dataset(
        files,
        schema=DATASETS[dataset].schema,
        filesystem=store.fs,
        format="parquet",
        partitioning=pads.partitioning(pa.schema([("date", pa.date32())]), flavor="hive"),
        partition_base_dir=f"{store.root}/{dataset}",
    )
    name = f"src_{dataset}"
    cur.register(name, ds)
    return name


def run(
    store: Store, sql: str, *, sources: dict[str, str], start: date, end: date,
    params: list | None = None,
) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` whose ``{name}`` placeholders are datasets (``sources``: name -> dataset).

    Returns (column names, rows). A placeholder with no file in range reads as an empty table
    with the dataset's columns, so every report answers on an empty store.
    """
    for attempt in range(RETRIES):
        cur = database().cursor()
        try:
            names = {}
            for placeholder, dataset in sources.items():
                files = files_in_range(store, dataset, start, end)
                if files:
                    names[placeholder] = _source(cur, store, dataset, files)
                else:
                    empty = DATASETS[dataset].schema.empty_table().append_column(
                        "date", pa.array([], pa.date32())
                    )
                    cur.register(f"empty_{dataset}", empty)
                    names[placeholder] = f"empty_{dataset}"
            rel = cur.execute(sql.format(**names), params or [])
            columns = [d[0] for d in rel.description]
            return columns, rel.fetchall()
        except duckdb.IOException:
            if attempt == RETRIES - 1:
                raise
        finally:
            cur.close()
    raise AssertionError("unreachable")


def day_range(start: date | None, end: date | None, *, default_days: int = 30):
    """The inclusive range a report covers: the last ``default_days`` days unless given."""
    end = end or datetime.now(UTC).date()
    start = start or end - timedelta(days=default_days - 1)
    return start, end
