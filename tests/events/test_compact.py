from __future__ import annotations

import threading
import time
from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import EVENTS
from pipelines.events.flush import flush_dataset
from pipelines.events.reports import report, timeline
from shared.events.buffer import append
from shared.streams import EVENTS_STREAM

from .conftest import all_rows, event, now
from .test_flush import buffer_events, by_type, expected_by_type


def test_compaction_leaves_one_sorted_deduplicated_file_per_partition(rclient, store):
    sent = buffer_events(rclient, batches=6, per_batch=40, profiles=9)
    append(rclient, EVENTS_STREAM, sent[:40])  # a retried call
    for _ in range(3):  # three flushes -> several files per partition
        flush_dataset(rclient, store, EVENTS, max_rows_per_file=50)
        append(rclient, EVENTS_STREAM, sent[40:80])
    flush_dataset(rclient, store, EVENTS)
    days = store.partitions("events")
    assert sum(len(store.files("events", d)) for d in days) > len(days)

    result = compact_dataset(rclient, store, EVENTS)
    assert result.rows == 240
    for day in days:
        (path,) = store.files("events", day)
        assert path.rsplit("/", 1)[-1].startswith("compact-")
        table = pq.read_table(path)
        keys = list(zip(table["profile_id"].to_pylist(), table["ts"].to_pylist(), strict=True))
        assert keys == sorted(keys)
    assert all_rows(store, "events").num_rows == 240
    assert by_type(store) == expected_by_type(sent)
    # Nothing left to do: a second run rewrites nothing.
    assert compact_dataset(rclient, store, EVENTS).partitions == 0


def test_readers_never_see_a_half_state_while_compaction_runs(rclient, store):
    sent = buffer_events(rclient, batches=20, per_batch=25, profiles=7)
    flush_dataset(rclient, store, EVENTS, max_rows_per_file=60)
    expected = expected_by_type(sent)
    profile = sent[0]["profile_id"]
    expected_timeline = sum(1 for r in sent if r["profile_id"] == profile)

    answers, errors = [], []
    stop = threading.Event()

    def read_forever() -> None:
        while not stop.is_set():
            try:
                answers.append((by_type(store), len(timeline(store, profile, limit=10_000))))
            except Exception as exc:  # any failure is a visible half state
                errors.append(exc)

    reader = threading.Thread(target=read_forever)
    reader.start()
    try:
        deadline = time.monotonic() + 4
        rounds = 0
        while time.monotonic() < deadline or rounds < 5:
            # Resending already-sent events keeps the right answer fixed while files churn.
            append(rclient, EVENTS_STREAM, sent[rounds * 25 % 500 :][:25])
            flush_dataset(rclient, store, EVENTS)
            compact_dataset(rclient, store, EVENTS)
            rounds += 1
    finally:
        stop.set()
        reader.join()
    assert not errors, errors[:3]
    assert len(answers) > 5
    assert all(a == (expected, expected_timeline) for a in answers), [
        a for a in answers if a != (expected, expected_timeline)
    ][:3]


def test_reports_answer_on_an_empty_store(store):
    assert report(store, "events-by-type") == {"columns": ["event_type", "events"], "rows": []}
    assert timeline(store, 1) == []


def test_a_flush_file_is_never_listed_while_being_written(rclient, store):
    append(rclient, EVENTS_STREAM, [event(1)])
    seen = []

    def look(published):
        seen.extend(store.files("events", d) for d in store.partitions("events"))

    flush_dataset(rclient, store, EVENTS, before_ack=look)
    assert seen and all(p.endswith(".parquet") for files in seen for p in files)


def _ids_in_files(store) -> list[str]:
    rows = all_rows(store, "events")
    return [] if rows is None else [str(v) for v in rows.column("event_id").to_pylist()]


def test_a_resend_after_compaction_counts_once_before_and_after_the_next(rclient, store):
    sent = buffer_events(rclient, batches=4, per_batch=30, profiles=4)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    append(rclient, EVENTS_STREAM, sent[:45])  # a client resends into a compacted partition
    flush_dataset(rclient, store, EVENTS)
    assert len(_ids_in_files(store)) == 165  # the copies sit in flush files...
    profile = sent[0]["profile_id"]
    mine = sorted(r["event_id"] for r in sent if r["profile_id"] == profile)
    for _ in range(2):  # ...counted once beside the compacted file, and once after merging
        assert by_type(store) == expected_by_type(sent)
        assert sorted(e["event_id"] for e in timeline(store, profile, limit=1000)) == mine
        compact_dataset(rclient, store, EVENTS)
    assert sorted(_ids_in_files(store)) == sorted(r["event_id"] for r in sent)


def test_a_resend_across_midnight_counts_once_in_a_range_holding_both_days(rclient, store):
    late = now().replace(hour=23, minute=59) - timedelta(days=2)
    first = [event(1, "answer", at=late, chapter_id=3, correct=True), event(1, at=late)]
    resent = [dict(r, timestamp=(late + timedelta(minutes=2)).isoformat()) for r in first]
    append(rclient, EVENTS_STREAM, first)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    append(rclient, EVENTS_STREAM, resent)  # the next day's partition, not yet compacted
    flush_dataset(rclient, store, EVENTS)
    assert len(store.partitions("events")) == 2
    for _ in range(2):
        assert by_type(store) == {"answer": 1, "click": 1}
        assert report(store, "chapter-accuracy")["rows"] == [[3, 1, 1, 1.0]]
        assert len(timeline(store, 1)) == 2
        compact_dataset(rclient, store, EVENTS)
    assert sorted(_ids_in_files(store)) == sorted(r["event_id"] for r in first)


def test_an_older_compacted_file_left_by_a_crash_is_superseded(rclient, store):
    sent = buffer_events(rclient, batches=3, per_batch=20, profiles=3)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    day = store.partitions("events")[0]
    (old,) = store.files("events", day)
    kept = pq.read_table(old)
    buffer_more = buffer_events(rclient, batches=1, per_batch=10, profiles=3)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    # A compaction killed after publishing its file but before deleting the ones it read.
    pq.write_table(kept, old)
    assert len(store.files("events", day)) == 2
    assert by_type(store) == expected_by_type(sent + buffer_more)
    compact_dataset(rclient, store, EVENTS)
    assert sorted(_ids_in_files(store)) == sorted(r["event_id"] for r in sent + buffer_more)


def test_files_with_text_ids_from_before_uuids_are_read_and_converted(rclient, store):
    sent = buffer_events(rclient, batches=2, per_batch=10, profiles=2)
    flush_dataset(rclient, store, EVENTS)
    day = store.partitions("events")[0]
    (path,) = store.files("events", day)
    old = pq.read_table(path)
    as_text = old.set_column(0, "event_id", pa.array([str(v) for v in old["event_id"].to_pylist()]))
    pq.write_table(as_text, path)  # the layout written before ids became 16-byte UUIDs
    append(rclient, EVENTS_STREAM, sent[:5])  # resends, stored as UUIDs
    flush_dataset(rclient, store, EVENTS)
    assert by_type(store) == expected_by_type(sent)
    compact_dataset(rclient, store, EVENTS)
    (compacted,) = store.files("events", day)
    assert pq.read_schema(compacted).field("event_id").type == EVENTS.schema.field("event_id").type
    assert sorted(_ids_in_files(store)) == sorted(r["event_id"] for r in sent)
