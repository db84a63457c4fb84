from __future__ import annotations

import pyarrow.compute as pc

from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import EVENTS
from pipelines.events.erase import erase_profile
from pipelines.events.flush import flush_dataset
from pipelines.events.reports import timeline
from shared.events.buffer import append
from shared.streams import EVENTS_STREAM

from .conftest import all_rows, event
from .test_flush import buffer_events


def rows_of(store, profile_id: int) -> int:
    table = all_rows(store, "events")
    return 0 if table is None else pc.sum(pc.equal(table["profile_id"], profile_id)).as_py() or 0


def test_erasure_leaves_no_row_of_the_profile_in_any_file(rclient, store):
    sent = buffer_events(rclient, batches=8, per_batch=30, profiles=4)
    flush_dataset(rclient, store, EVENTS, max_rows_per_file=70)  # several flush files
    # ...and one partition already compacted.
    compact_dataset(rclient, store, EVENTS, days=store.partitions("events")[:1])
    buffer_events(rclient, batches=1, per_batch=12, profiles=4)  # still in the buffer
    target = 2
    before_others = {p: rows_of(store, p) for p in (1, 3, 4)}
    assert rows_of(store, target) > 0

    result = erase_profile(rclient, store, target)
    assert result.rows_removed == sum(1 for r in sent if r["profile_id"] == target)
    assert rows_of(store, target) == 0
    assert {p: rows_of(store, p) for p in (1, 3, 4)} == before_others

    # Events of the erased child still buffered, or arriving late, never reach Parquet.
    append(rclient, EVENTS_STREAM, [event(target), event(1)])
    flush_dataset(rclient, store, EVENTS)
    compact_dataset(rclient, store, EVENTS)
    assert rows_of(store, target) == 0
    assert timeline(store, target) == []
    assert rows_of(store, 1) == before_others[1] + 3 + 1

    # Run twice (a redelivered job): nothing more to do, nothing broken.
    assert erase_profile(rclient, store, target).rows_removed == 0
