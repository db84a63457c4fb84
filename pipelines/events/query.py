"""Run DuckDB over a date range of a dataset, on a local directory or S3.

Locally DuckDB's own Parquet reader gets the explicit file list of the partitions in range
(partition pruning by listing, row-group pruning by statistics). On S3 the same files go
through a pyarrow dataset on the store's filesystem, because DuckDB's S3 support is an
extension downloaded at run time and pyarrow already speaks S3.

Each dataset placeholder reads every id once (``_source``): compacted files as they are, the
few flush files not yet compacted deduplicated against them. A compaction may delete a file
between our listing and DuckDB opening it; the overlap of old and new files is harmless, a
vanished file is not, so such a query is retried with a fresh listing.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from pipelines.events.datasets import DATASETS
from pipelines.events.store import Store

_db: duckdb.DuckDBPyConnection | None = None
_db_lock = threading.Lock()
RETRIES = 5

# The deduplicated rows of flush files, kept by the exact files they were computed from. Files
# are immutable (every rewrite is a new name), so the same file lists always give the same
# rows; a flush, compaction or erasure changes the lists and so the key. The dedup is most of
# a report's time at 10 M events (~15 of ~25 ms), and a dashboard asks several reports at once
# and again on each refresh, all between two flushes. Only small sets are kept: flush files
# normally hold the minutes since the last compaction.
FRESH_MAX_ROWS = 100_000
FRESH_ENTRIES = 8
_fresh: OrderedDict[tuple, pa.Table] = OrderedDict()
_fresh_lock = threading.Lock()


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


def _scan(
    cur, store: Store, dataset: str, files: list[str], *, columns: str = "*",
    schema: pa.Schema | None = None,
) -> str:
    """SQL naming the rows of ``files`` (of ``dataset``'s schema unless ``schema`` is given)
    with a ``date`` column from the partition path."""
    if store.is_local:
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        return f"(SELECT {columns} FROM read_parquet([{listing}], hive_partitioning = true))"
    ds = pads.dataset(
        files,
        # The partition column must be in the schema, or pyarrow leaves it out.
        schema=(schema or DATASETS[dataset].schema).append(pa.field("date", pa.date32())),
        filesystem=store.fs,
        format="parquet",
        partitioning=pads.partitioning(pa.schema([("date", pa.date32())]), flavor="hive"),
        partition_base_dir=f"{store.root}/{dataset}",
    )
    name = f"src_{dataset}_{uuid.uuid4().hex[:8]}"
    cur.register(name, ds)
    return f"(SELECT {columns} FROM {name})"


def _source(
    cur, store: Store, dataset: str, start: date, end: date, *, rollups: bool = False,
    whole_days: bool = False,
) -> tuple[str | None, str | None]:
    """SQL naming each row of ``dataset`` in [start, end] once, and (``rollups``) SQL naming
    the rollup rows of the days whose newest compacted file has one; those days' compacted
    rows are then left out of the first. None where there is no file. With ``whole_days``
    a day that also has flush files is read raw as a whole (its rollup is not used), so each
    day's figures come from one side only: for quantiles, which do not add up.

    Compacted files hold one row per id, also across the partitions of a dedup window
    (pipelines/events/compact.py), so they are read as they are. Only the flush files not yet
    compacted (normally the last few minutes) are deduplicated: one row per id among them,
    and none whose id a compacted file within the window already holds. Flush rows are never
    in a rollup, so they are in the first SQL whether their day has a rollup or not.
    """
    spec = DATASETS[dataset]
    window = timedelta(days=spec.dedup_window_days)
    days = store.partitions(dataset)
    listed = {  # one listing per partition: a day's compacted file and rollup agree
        day: store.listing(dataset, day) for day in days if start - window <= day <= end + window
    }
    compacts, rolled, flushes, flush_days = [], [], [], []
    # Newest partition first: a "latest N" query (a timeline) fills its top-N from the newest
    # files, and DuckDB's top-N filter on ts then skips the older files' row groups.
    for day in reversed(days):
        if start <= day <= end:
            part = listed[day]
            rollup = part.rollup if rollups and not (whole_days and part.flushes) else None
            if rollup:
                rolled.append(rollup)
            elif part.compact:
                compacts.append(part.compact)
            flushes += part.flushes
            flush_days += [day] if part.flushes else []
    parts = [_scan(cur, store, dataset, compacts)] if compacts else []
    if flushes:
        near = [
            part.compact
            for day, part in listed.items()
            if part.compact and any(abs(day - f) <= window for f in flush_days)
        ]
        parts.append(_fresh_rows(cur, store, dataset, flushes, near))
    rows = None
    if parts:
        rows = parts[0] if len(parts) == 1 else f"({parts[0]} UNION ALL {parts[1]})"
    if not rolled:
        return rows, None
    return rows, _scan(cur, store, dataset, rolled, schema=spec.rollup.schema)


def _fresh_rows(cur, store: Store, dataset: str, flushes: list[str], near: list[str]) -> str:
    """SQL naming one row per id of ``flushes`` (the earliest) whose id no compacted file of
    ``near`` holds within the dedup window; from the kept rows when these files were seen."""
    cache_key = (store.root, dataset, tuple(flushes), tuple(near))
    with _fresh_lock:
        table = _fresh.get(cache_key)
        if table is not None:
            _fresh.move_to_end(cache_key)
    if table is None:
        try:
            rows = sum(pq.read_metadata(f, filesystem=store.fs).num_rows for f in flushes)
        except OSError as exc:  # compacted away since the listing: ``run`` lists again
            raise duckdb.IOException(str(exc)) from exc
        fresh = _dedup(cur, store, dataset, flushes, near)
        if rows > FRESH_MAX_ROWS:
            return fresh  # a backlog: read it where it lies rather than hold it in memory
        cur.execute("SET arrow_lossless_conversion = true")  # UUIDs stay UUIDs
        table = cur.sql(f"SELECT * FROM {fresh}").to_arrow_table()
        with _fresh_lock:
            _fresh[cache_key] = table
            while len(_fresh) > FRESH_ENTRIES:
                _fresh.popitem(last=False)
    name = f"fresh_{dataset}_{uuid.uuid4().hex[:8]}"
    cur.register(name, table)
    return f"(SELECT * FROM {name})"


def _dedup(cur, store: Store, dataset: str, flushes: list[str], near: list[str]) -> str:
    """The SQL behind ``_fresh_rows``, reading the files."""
    spec = DATASETS[dataset]
    days, key = spec.dedup_window_days, spec.id_column
    fresh = (
        f"(SELECT * FROM {_scan(cur, store, dataset, flushes)} "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY date, ts) = 1)"
    )
    if not near:
        return fresh
    known = _scan(cur, store, dataset, near, columns=f"{key}, date")
    return (
        f"(SELECT * FROM {fresh} f WHERE NOT EXISTS (SELECT 1 FROM {known} c "
        f"WHERE c.{key} = f.{key} AND c.date BETWEEN f.date - {days} AND f.date + {days}))"
    )


def _empty(cur, name: str, schema: pa.Schema) -> str:
    """A registered empty table of ``schema`` plus ``date``: a source with no file in range."""
    cur.register(name, schema.empty_table().append_column("date", pa.array([], pa.date32())))
    return name


def run(
    store: Store, sql: str, *, sources: dict[str, str], start: date, end: date,
    params: list | None = None, rollups: bool = False, whole_days: bool = False,
) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` whose ``{name}`` placeholders are datasets (``sources``: name -> dataset).

    Each placeholder reads every row of its dataset in range exactly once (see ``_source``),
    so the SQL counts with plain ``count(*)``. With ``rollups``, ``{name_rollup}`` names the
    rollup rows (pipelines/events/rollup.py) of the days that have one, and ``{name}`` only
    the rows no rollup covers; the SQL adds the two up (``whole_days``: see ``_source``).
    Returns (column names, rows). A placeholder with no file in range reads as an empty table
    with its columns, so every report answers on an empty store.
    """
    for attempt in range(RETRIES):
        cur = database().cursor()
        try:
            names = {}
            for placeholder, dataset in sources.items():
                rows, rolled = _source(
                    cur, store, dataset, start, end, rollups=rollups, whole_days=whole_days
                )
                spec = DATASETS[dataset]
                names[placeholder] = rows or _empty(cur, f"empty_{dataset}", spec.schema)
                if rollups:
                    names[f"{placeholder}_rollup"] = rolled or _empty(
                        cur, f"empty_{dataset}_rollup", spec.rollup.schema
                    )
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
