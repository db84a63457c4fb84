"""The deduplicated flush rows a report computes are kept by the files they came from: the
next report over the same files reuses them, and any new or rewritten file gives new rows."""

from __future__ import annotations

from datetime import timedelta

from pipelines.events import query
from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import EVENTS
from pipelines.events.flush import flush_dataset
from pipelines.events.reports import report
from shared.events.buffer import append
from shared.streams import EVENTS_STREAM

from .conftest import event, now


def by_type(store) -> dict[str, int]:
    return dict(map(tuple, report(store, "events-by-type")["rows"]))


def cached_for(store) -> list[tuple]:
    return [key for key in query._fresh if key[0] == store.root]


def test_flush_rows_are_reused_until_a_file_changes(rclient, store):
    yesterday = now() - timedelta(days=1)
    old = [event(p, "view", at=yesterday) for p in range(1, 6)]
    append(rclient, EVENTS_STREAM, old)
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    first = [event(1, "click"), event(2, "click")]
    append(rclient, EVENTS_STREAM, first + old[:2])  # a replay of two compacted events
    flush_dataset(rclient, store, EVENTS)

    assert by_type(store) == {"view": 5, "click": 2}
    [key] = cached_for(store)
    kept = query._fresh[key]
    assert kept.num_rows == 2  # the replayed copies were dropped against the compacted file
    assert by_type(store) == {"view": 5, "click": 2}
    assert cached_for(store) == [key] and query._fresh[key] is kept  # reused, not recomputed

    append(rclient, EVENTS_STREAM, [event(3, "hint"), first[0]])  # a new file, one resend
    flush_dataset(rclient, store, EVENTS)
    assert by_type(store) == {"view": 5, "click": 2, "hint": 1}
    assert len(cached_for(store)) == 2

    compact_dataset(rclient, store, EVENTS)  # no flush file left: nothing to dedup
    assert by_type(store) == {"view": 5, "click": 2, "hint": 1}


def test_a_backlog_over_the_bound_is_read_in_place_not_kept(rclient, store, monkeypatch):
    monkeypatch.setattr(query, "FRESH_MAX_ROWS", 3)
    sent = [event(p % 4, "answer", chapter_id=1, correct=p % 2 == 0) for p in range(10)]
    append(rclient, EVENTS_STREAM, sent + sent[:3])
    flush_dataset(rclient, store, EVENTS)
    assert report(store, "chapter-accuracy")["rows"] == [[1, 10, 5, 0.5]]
    assert cached_for(store) == []
