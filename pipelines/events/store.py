"""Where the Parquet datasets live: a local directory or an S3 bucket, through pyarrow.fs.

Layout: ``<root>/<dataset>/date=YYYY-MM-DD/<kind>-<created ns>-<random>.parquet`` where kind
is ``flush`` (written by one flush, may repeat ids), ``compact`` (sorted, one row per id) or
``rollup`` (per-day aggregates of the compacted file with the same ``<created ns>-<random>``,
pipelines/events/rollup.py; not a data file, so ``files`` leaves it out).
Names sort by creation time: when a partition briefly holds two compacted files (between a
compaction's publish and its deletes, or after a crash there), the newest one supersedes the
others, because it was made from them (compaction reads every file of the partition; erasure
rewrites one file into a newer one).

A file becomes visible only complete. Locally it is written under an ``.inprogress`` name
that no reader lists, then renamed (atomic within one filesystem). On S3 an object appears
only when its upload completes, so it is written under its final key directly; a rename
there would be a copy plus a delete, which gains nothing.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from shared.config import Settings

_PARTITION = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")
_CREATED = re.compile(r"^[a-z]+-(\d{20})-")
TMP_SUFFIX = ".inprogress"
ROLLUP = "rollup"


@dataclass
class Store:
    """A dataset root on some filesystem; paths are ``fs`` paths (no scheme)."""

    fs: pafs.FileSystem
    root: str
    uri: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls.open(settings.data_dir, settings)

    @classmethod
    def open(cls, uri: str, settings: Settings | None = None) -> Store:
        if uri.startswith("s3://"):
            opts = {}
            if settings is not None:
                if settings.s3_endpoint_url:
                    scheme, _, host = settings.s3_endpoint_url.partition("://")
                    opts.update(endpoint_override=host.rstrip("/"), scheme=scheme)
                if settings.s3_access_key_id:
                    opts.update(
                        access_key=settings.s3_access_key_id,
                        secret_key=settings.s3_secret_access_key,
                    )
                if settings.s3_region:
                    opts["region"] = settings.s3_region
            fs = pafs.S3FileSystem(**opts)
            return cls(fs=fs, root=uri.removeprefix("s3://").rstrip("/"), uri=uri)
        fs, path = pafs.FileSystem.from_uri(_absolute(uri))
        return cls(fs=fs, root=path.rstrip("/"), uri=path)

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, pafs.LocalFileSystem)

    def partition_dir(self, dataset: str, day: date) -> str:
        return f"{self.root}/{dataset}/date={day.isoformat()}"

    def partitions(self, dataset: str) -> list[date]:
        """Dates that have a partition directory, oldest first."""
        base = f"{self.root}/{dataset}"
        infos = self.fs.get_file_info(pafs.FileSelector(base, allow_not_found=True))
        days = []
        for info in infos:
            match = _PARTITION.match(info.base_name)
            if info.type == pafs.FileType.Directory and match:
                days.append(date.fromisoformat(match.group(1)))
        return sorted(days)

    def _published(self, dataset: str, day: date) -> list[str]:
        selector = pafs.FileSelector(self.partition_dir(dataset, day), allow_not_found=True)
        return sorted(
            i.path
            for i in self.fs.get_file_info(selector)
            if i.type == pafs.FileType.File and i.base_name.endswith(".parquet")
        )

    def files(self, dataset: str, day: date) -> list[str]:
        """Complete data files of one partition (never an in-progress one, never a rollup)."""
        return self.listing(dataset, day).files

    def listing(self, dataset: str, day: date) -> Listing:
        """What one partition holds, from one listing of its directory."""
        listing = Listing([], [], [])
        for path in self._published(dataset, day):
            kind = kind_of(path)
            group = {"compact": listing.compacts, ROLLUP: listing.rollups}.get(kind)
            (listing.flushes if group is None else group).append(path)
        return listing

    def stale_temporaries(self, dataset: str, day: date) -> list[pafs.FileInfo]:
        selector = pafs.FileSelector(self.partition_dir(dataset, day), allow_not_found=True)
        return [i for i in self.fs.get_file_info(selector) if i.base_name.endswith(TMP_SUFFIX)]

    def new_path(self, dataset: str, day: date, kind: str) -> str:
        created = f"{time.time_ns():020d}"
        return f"{self.partition_dir(dataset, day)}/{kind}-{created}-{uuid.uuid4().hex[:12]}.parquet"

    def pending(self, path: str, schema: pa.Schema) -> PendingFile:
        """Start a zstd Parquet file that appears at ``path`` only when finished."""
        self.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
        target = path + TMP_SUFFIX if self.is_local else path
        writer = pq.ParquetWriter(
            target, schema, filesystem=self.fs, compression="zstd", write_statistics=True
        )
        return PendingFile(store=self, path=path, target=target, writer=writer)

    @contextmanager
    def writer(self, path: str, schema: pa.Schema) -> Iterator[pq.ParquetWriter]:
        """A zstd ParquetWriter whose file appears at ``path`` only once closed without error."""
        pending = self.pending(path, schema)
        try:
            yield pending.writer
        except BaseException:
            pending.abort()
            raise
        pending.finish()

    def delete(self, path: str) -> None:
        with suppress(FileNotFoundError):
            self.fs.delete_file(path)

    def read(self, paths: list[str], columns: list[str] | None = None) -> pa.Table:
        return pa.concat_tables(
            [pq.read_table(p, filesystem=self.fs, columns=columns) for p in paths],
            promote_options="default",
        )


@dataclass
class Listing:
    """The complete files of one partition, by kind (names sorted)."""

    compacts: list[str]
    flushes: list[str]
    rollups: list[str]

    @property
    def files(self) -> list[str]:
        """Data files: every compacted and flush file."""
        return sorted(self.compacts + self.flushes)

    @property
    def compact(self) -> str | None:
        """The newest compacted file; older ones are superseded by it (None: there is none)."""
        return max(self.compacts, key=lambda p: (_created(p), p)) if self.compacts else None

    @property
    def rollup(self) -> str | None:
        """The rollup of the newest compacted file if it is there, else None (read raw): a
        rollup of any other file describes rows that are no longer the partition's."""
        newest = self.compact
        return rollup_path(newest) if newest and rollup_path(newest) in self.rollups else None


@dataclass
class PendingFile:
    """A Parquet file being written; ``finish`` publishes it, ``abort`` throws it away."""

    store: Store
    path: str
    target: str
    writer: pq.ParquetWriter
    rows: int = 0

    def write(self, table: pa.Table, row_group_size: int | None = None) -> None:
        self.writer.write_table(table, row_group_size=row_group_size)
        self.rows += table.num_rows

    def finish(self) -> str:
        self.writer.close()
        if self.target != self.path:
            self.store.fs.move(self.target, self.path)
        return self.path

    def abort(self) -> None:
        self.writer.close()
        self.store.delete(self.target)


def kind_of(path: str) -> str:
    """``flush``, ``compact`` or ``rollup``, from a file's name."""
    return path.rsplit("/", 1)[-1].split("-", 1)[0]


def rollup_path(compact_path: str) -> str:
    """The rollup of a compacted file: same directory, same ``<created>-<random>`` tail, so a
    reader can tell which compacted file a rollup was made from by its name alone."""
    head, _, name = compact_path.rpartition("/")
    return f"{head}/{ROLLUP}-{name.split('-', 1)[1]}"


def _created(path: str) -> int:
    # Files named before names carried a time sort first (0).
    match = _CREATED.match(path.rsplit("/", 1)[-1])
    return int(match.group(1)) if match else 0


def _absolute(path: str) -> str:
    from pathlib import Path

    return str(Path(path).expanduser().resolve())
