"""The same pipeline against a real S3-compatible HTTP server (moto, on 127.0.0.1)."""

from __future__ import annotations

import socket

import boto3
import pyarrow.compute as pc
import pytest
from moto.server import ThreadedMotoServer

from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import EVENTS
from pipelines.events.erase import erase_profile
from pipelines.events.flush import flush_all
from pipelines.events.reports import report, timeline
from pipelines.events.store import Store
from shared.config import Settings
from shared.events.buffer import append
from shared.streams import EVENTS_STREAM

from .conftest import all_rows
from .test_flush import buffer_events, expected_by_type


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_store(s3_endpoint):
    settings = Settings(
        data_dir="s3://studyforge-test/data", s3_endpoint_url=s3_endpoint,
        s3_access_key_id="testing", s3_secret_access_key="testing", s3_region="us-east-1",
    )
    boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="testing",
        aws_secret_access_key="testing", region_name="us-east-1",
    ).create_bucket(Bucket="studyforge-test")
    return Store.from_settings(settings)


def test_flush_compact_report_and_erase_on_s3(rclient, s3_store):
    store = s3_store
    sent = buffer_events(rclient, batches=6, per_batch=20, profiles=3)
    append(rclient, EVENTS_STREAM, sent[:20])  # a retry
    assert flush_all(rclient, store, batch_entries=2)["events"] == 140
    assert not store.is_local and store.files("events", store.partitions("events")[0])
    assert dict(report(store, "events-by-type")["rows"]) == expected_by_type(sent)

    compact_dataset(rclient, store, EVENTS)
    assert all_rows(store, "events").num_rows == 120
    assert all(store.listing("events", d).rollup for d in store.partitions("events"))
    assert dict(report(store, "events-by-type")["rows"]) == expected_by_type(sent)
    assert len(timeline(store, 1, limit=1000)) == sum(1 for r in sent if r["profile_id"] == 1)
    append(rclient, EVENTS_STREAM, sent[30:50])  # resends beside the rollups, in a flush file
    flush_all(rclient, store)
    assert dict(report(store, "events-by-type")["rows"]) == expected_by_type(sent)
    assert_rollups_answer_as_raw(store)

    erase_profile(rclient, store, 1)
    table = all_rows(store, "events")
    assert pc.sum(pc.equal(table["profile_id"], 1)).as_py() in (0, None)
    assert table.num_rows == sum(1 for r in sent if r["profile_id"] != 1) + 20 - sum(
        1 for r in sent[30:50] if r["profile_id"] == 1
    )
    assert_rollups_answer_as_raw(store)
    assert report(store, "daily-active")["rows"][0][1] == 2  # of 3 students, 1 was erased
    for day in store.partitions("events"):
        listing = store.listing("events", day)
        assert listing.rollups == [listing.rollup]


def assert_rollups_answer_as_raw(store) -> None:
    for name in ("daily-active", "events-by-type", "chapter-accuracy"):
        assert report(store, name) == report(store, name, rollups=False), name
