"""Per-day rollups: the reports that read them answer exactly as the raw rows do, in every
state of the store (flush files pending, compacted, resends, erasure, a stale rollup)."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import EVENTS
from pipelines.events.erase import erase_profile
from pipelines.events.flush import flush_dataset
from pipelines.events.reports import report
from pipelines.events.rollup import EVENTS_ROLLUP, summarize
from pipelines.events.store import kind_of, rollup_path
from shared.events.buffer import append
from shared.streams import EVENTS_STREAM

from .conftest import event, now

ROLLED_UP = ("daily-active", "events-by-type", "chapter-accuracy")
TYPES = ("click", "view", "answer", "answer", "hint")


def send(rclient, days: int, per_day: int, profiles: int, *, seed: int = 0) -> list[dict]:
    """Events over the last ``days`` days (not today), answers with chapters and correctness,
    a few answers without them (left out of chapter-accuracy)."""
    sent = []
    start = now().replace(hour=1) - timedelta(days=days)
    for d in range(days):
        for i in range(per_day):
            k = seed + d * per_day + i
            kind = TYPES[k % len(TYPES)]
            meta = {"chapter_id": 1 + k % 4, "correct": k % 3 != 0} if kind == "answer" else {}
            if kind == "answer" and k % 11 == 0:
                meta = {"chapter_id": 2}  # no correctness: not an answer the report counts
            at = start + timedelta(days=d, minutes=7 * i)
            sent.append(event(1 + (k * 7) % profiles, kind, at=at, **meta))
    append(rclient, EVENTS_STREAM, sent)
    return sent


def span(sent: list[dict]):
    days = sorted({r["timestamp"][:10] for r in sent})
    start = now().date() - timedelta(days=len(days) + 2)
    return start, now().date()


def answers(store, start, end, *, rollups: bool) -> dict[str, dict]:
    return {n: report(store, n, start=start, end=end, rollups=rollups) for n in ROLLED_UP}


def assert_same_as_raw(store, start, end) -> dict[str, dict]:
    rolled = answers(store, start, end, rollups=True)
    assert rolled == answers(store, start, end, rollups=False)
    return rolled


def expected(records: list[dict], without: int | None = None) -> dict[str, object]:
    """The answers computed in Python from what was sent: each id once."""
    unique = [r for r in {r["event_id"]: r for r in records}.values() if r["profile_id"] != without]
    active: dict[str, set] = {}
    by_type: dict[str, int] = {}
    chapters: dict[int, list[int]] = {}
    for r in unique:
        active.setdefault(r["timestamp"][:10], set()).add(r["profile_id"])
        by_type[r["event_type"]] = by_type.get(r["event_type"], 0) + 1
        meta = r["metadata"]
        if r["event_type"] == "answer" and "correct" in meta:
            counts = chapters.setdefault(meta["chapter_id"], [0, 0])
            counts[0] += 1
            counts[1] += meta["correct"]
    return {
        "daily-active": sorted([d, len(p)] for d, p in active.items()),
        "events-by-type": by_type,
        "chapter-accuracy": sorted([c, a, k] for c, (a, k) in chapters.items()),
    }


def as_expected(got: dict[str, dict]) -> dict[str, object]:
    return {
        "daily-active": got["daily-active"]["rows"],
        "events-by-type": dict(got["events-by-type"]["rows"]),
        "chapter-accuracy": [row[:3] for row in got["chapter-accuracy"]["rows"]],
    }


def listings(store):
    return [store.listing("events", d) for d in store.partitions("events")]


def test_rollups_answer_as_the_raw_rows_with_flush_files_pending_and_after_compaction(
    rclient, store
):
    sent = send(rclient, days=4, per_day=60, profiles=9)
    append(rclient, EVENTS_STREAM, sent[:30])  # a retried call
    flush_dataset(rclient, store, EVENTS, max_rows_per_file=50)
    start, end = span(sent)
    # Nothing compacted yet: no rollup, every answer from flush files.
    assert all(part.rollup is None for part in listings(store))
    assert as_expected(assert_same_as_raw(store, start, end)) == expected(sent)

    result = compact_dataset(rclient, store, EVENTS)
    assert result.rollups == result.partitions == 4
    for part in listings(store):  # one rollup, of the one compacted file; no data file
        assert part.rollups == [part.rollup] == [rollup_path(part.compact)]
        assert part.files == [part.compact]
    assert as_expected(assert_same_as_raw(store, start, end)) == expected(sent)

    # Between two compactions: resends into compacted days, a resend carried to the next day
    # (a retry without a timestamp across midnight), and new events. Each counts once.
    late = dict(sent[5], timestamp=(now().replace(hour=0, minute=30)
                                    - timedelta(days=3)).isoformat())
    more = send(rclient, days=2, per_day=25, profiles=12, seed=1000)
    append(rclient, EVENTS_STREAM, sent[40:90] + [late])
    flush_dataset(rclient, store, EVENTS)
    assert any(part.rollup and part.flushes for part in listings(store))
    assert as_expected(assert_same_as_raw(store, start, end)) == expected(sent + more)
    # A single day, and a range that cuts the dedup window in half.
    for lo, hi in ((end - timedelta(days=2), end - timedelta(days=2)),
                   (end - timedelta(days=3), end - timedelta(days=2))):
        assert_same_as_raw(store, lo, hi)

    compact_dataset(rclient, store, EVENTS)
    assert all(part.rollups == [part.rollup] and not part.flushes for part in listings(store))
    assert as_expected(assert_same_as_raw(store, start, end)) == expected(sent + more)
    assert compact_dataset(rclient, store, EVENTS).partitions == 0  # rollups are not data


def test_reports_read_the_rollup_of_the_newest_compacted_file_and_only_that(rclient, store):
    sent = send(rclient, days=2, per_day=40, profiles=5)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    start, end = span(sent)
    honest = answers(store, start, end, rollups=False)
    day = store.partitions("events")[0]
    part = store.listing("events", day)

    # The matching rollup is what the reports read: double its figures and they move.
    rollup = pq.read_table(part.rollup, filesystem=store.fs)
    doubled = rollup.set_column(3, "events", pc.multiply(rollup["events"], 2))
    pq.write_table(doubled, part.rollup, filesystem=store.fs)
    assert answers(store, start, end, rollups=True)["events-by-type"] != honest["events-by-type"]

    # A rollup not named after the newest compacted file is ignored: the day is read raw.
    pq.write_table(rollup, part.rollup, filesystem=store.fs)
    compacted = pq.read_table(part.compact, filesystem=store.fs)
    old = part.compact.replace("compact-", "compact-0")  # an older stamp than the real one
    newer_rollup = rollup_path(part.compact).replace("rollup-", "rollup-9")
    for path, table in ((old, compacted), (rollup_path(old), doubled), (newer_rollup, doubled)):
        pq.write_table(table, path, filesystem=store.fs)
    # Two compacted files (a crash between publish and delete): the newest one's rollup counts.
    assert store.listing("events", day).rollup == part.rollup
    assert answers(store, start, end, rollups=True) == honest

    store.delete(part.rollup)  # the newest compacted file has no rollup: the day reads raw
    assert store.listing("events", day).rollup is None
    assert answers(store, start, end, rollups=True) == honest

    # Compaction gives the day a rollup again and clears the ones of no file.
    result = compact_dataset(rclient, store, EVENTS)
    assert result.rollups >= 1
    part = store.listing("events", day)
    assert part.rollups == [part.rollup] and part.files == [part.compact]
    assert answers(store, start, end, rollups=True) == honest


def test_a_compacted_file_from_before_rollups_gets_one_and_reads_raw_until_then(rclient, store):
    sent = send(rclient, days=3, per_day=30, profiles=6)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    start, end = span(sent)
    for part in listings(store):
        store.delete(part.rollup)
    assert as_expected(assert_same_as_raw(store, start, end)) == expected(sent)
    result = compact_dataset(rclient, store, EVENTS)
    assert (result.partitions, result.rollups) == (0, 3)
    assert all(part.rollup for part in listings(store))
    assert as_expected(assert_same_as_raw(store, start, end)) == expected(sent)


def test_erasure_rewrites_the_rollups_and_the_child_leaves_daily_active(rclient, store):
    sent = send(rclient, days=3, per_day=40, profiles=6)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    more = send(rclient, days=1, per_day=20, profiles=6, seed=500)  # still in flush files
    flush_dataset(rclient, store, EVENTS)
    start, end = span(sent)
    child = 3
    before = assert_same_as_raw(store, start, end)
    assert any(child in rollup_profiles(store, p.rollup) for p in listings(store))

    erase_profile(rclient, store, child)
    after = assert_same_as_raw(store, start, end)
    assert as_expected(after) == expected(sent + more, without=child)
    assert after["daily-active"] != before["daily-active"]
    for part in listings(store):
        # Each rewritten compacted file came back with a rollup of its own, without the child.
        assert part.rollups == [part.rollup]
        assert child not in rollup_profiles(store, part.rollup)
        written = pq.read_table(part.rollup, filesystem=store.fs).select(EVENTS_ROLLUP.schema.names)
        derived = summarize(EVENTS.conform(store.read([part.compact])), EVENTS_ROLLUP)
        assert sorted(written.to_pylist(), key=str) == sorted(derived.to_pylist(), key=str)
    # No file of any kind under the dataset holds a row of the child.
    for path in every_parquet_file(store):
        ids = pq.read_table(path, filesystem=store.fs, columns=["profile_id"])["profile_id"]
        assert child not in ids.to_pylist(), path

    compact_dataset(rclient, store, EVENTS)
    assert as_expected(assert_same_as_raw(store, start, end)) == expected(
        sent + more, without=child)


def test_erasure_deletes_a_rollup_of_no_file_that_names_the_child(rclient, store):
    sent = send(rclient, days=1, per_day=30, profiles=4)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    (part,) = listings(store)
    # A compaction killed between publishing a rollup and its compacted file.
    orphan = rollup_path(part.compact).replace("rollup-", "rollup-9")
    pq.write_table(pq.read_table(part.rollup, filesystem=store.fs), orphan, filesystem=store.fs)
    erase_profile(rclient, store, sent[0]["profile_id"])
    assert not store.fs.get_file_info(orphan).is_file


def rollup_profiles(store, path: str) -> set[int]:
    return set(pq.read_table(path, filesystem=store.fs)["profile_id"].drop_null().to_pylist())


def every_parquet_file(store) -> list[str]:
    """Every complete Parquet file under the events dataset, listed by the filesystem itself
    (not by ``Store.files``, which leaves rollups out)."""
    selector = pafs.FileSelector(f"{store.root}/events", recursive=True, allow_not_found=True)
    files = [i.path for i in store.fs.get_file_info(selector) if i.path.endswith(".parquet")]
    assert any(kind_of(p) == "rollup" for p in files)
    return files


def test_rollup_layout_counts_each_group_of_a_compacted_file():
    table = pa.table({
        "event_type": ["answer", "answer", "click", "answer"],
        "chapter_id": [4, 4, None, None],
        "correct": [True, False, None, True],
        "profile_id": [1, 2, 1, 3],
    })
    rows = sorted(summarize(table, EVENTS_ROLLUP).to_pylist(), key=str)
    assert rows == sorted([
        {"event_type": "answer", "chapter_id": None, "profile_id": None, "events": 3,
         "correct": None},
        {"event_type": "click", "chapter_id": None, "profile_id": None, "events": 1,
         "correct": None},
        {"event_type": None, "chapter_id": 4, "profile_id": None, "events": 2, "correct": 1},
        *({"event_type": None, "chapter_id": None, "profile_id": p, "events": n,
           "correct": None} for p, n in ((1, 2), (2, 1), (3, 1))),
    ], key=str)
