from __future__ import annotations

import pytest
import redis
from pydantic import ValidationError

from shared.errors import ServiceUnavailable
from shared.events.buffer import append
from shared.events.schemas import EventBatch, to_records
from shared.streams import EVENT_FIELDS, EVENTS_STREAM


def test_one_entry_per_call_with_every_record(rclient):
    batch = EventBatch.model_validate(
        {"events": [{"event_type": "click"}, {"event_type": "view", "content_id": 3}]}
    )
    records = to_records(batch.events, profile_id=42)
    append(rclient, EVENTS_STREAM, records)
    entries = rclient.xrange(EVENTS_STREAM)
    assert len(entries) == 1
    import orjson

    stored = orjson.loads(entries[0][1][b"data"])
    assert [tuple(r) for r in stored] == [EVENT_FIELDS, EVENT_FIELDS]
    assert {r["profile_id"] for r in stored} == {42}
    assert len({r["event_id"] for r in stored}) == 2  # the server filled distinct ids


def test_client_ids_and_times_are_kept_and_naive_times_read_as_utc():
    batch = EventBatch.model_validate({"events": [{
        "event_id": "0b7d4f7e-33f6-4a4e-a2c0-7c2b7f1d9b11",
        "timestamp": "2026-03-01T10:00:00", "event_type": "hint",
    }]})
    (record,) = to_records(batch.events, profile_id=1)
    assert record["event_id"] == "0b7d4f7e-33f6-4a4e-a2c0-7c2b7f1d9b11"
    assert record["timestamp"] == "2026-03-01T10:00:00+00:00"


def test_metadata_over_4_kib_is_refused():
    with pytest.raises(ValidationError, match="at most 4096"):
        EventBatch.model_validate(
            {"events": [{"event_type": "click", "metadata": {"x": "a" * 4100}}]}
        )


def test_unknown_event_type_is_refused():
    with pytest.raises(ValidationError):
        EventBatch.model_validate({"events": [{"event_type": "scroll"}]})


def test_redis_down_is_service_unavailable():
    # A port nothing listens on: the real client fails to connect.
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    with pytest.raises(ServiceUnavailable, match="unavailable"):
        append(client, EVENTS_STREAM, [{"event_id": "x"}])
