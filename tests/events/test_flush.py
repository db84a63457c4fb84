from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import AI_HISTORY, AI_RUNS, EVENTS
from pipelines.events.flush import flush_all, flush_dataset
from pipelines.events.reports import report, timeline
from shared.events.buffer import append
from shared.streams import EVENTS_STREAM, FLUSH_GROUP

from .conftest import all_rows, event

ROOT = Path(__file__).resolve().parents[2]


def buffer_events(rclient, batches: int, per_batch: int, profiles: int = 5) -> list[dict]:
    sent = []
    for b in range(batches):
        records = [
            event(1 + (b * per_batch + i) % profiles, ("click", "view", "answer")[i % 3])
            for i in range(per_batch)
        ]
        append(rclient, EVENTS_STREAM, records)
        sent += records
    return sent


def by_type(store) -> dict[str, int]:
    return dict(report(store, "events-by-type")["rows"])


def expected_by_type(records) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in {r["event_id"]: r for r in records}.values():
        counts[r["event_type"]] = counts.get(r["event_type"], 0) + 1
    return counts


def test_flush_moves_everything_and_empties_the_buffer(rclient, store):
    sent = buffer_events(rclient, batches=12, per_batch=50)
    result = flush_all(rclient, store, batch_entries=5)
    assert result["events"] == 600 and result["ai_history"] == 0 and result["files"] >= 1
    assert all_rows(store, "events").num_rows == 600
    assert by_type(store) == expected_by_type(sent)
    assert rclient.xlen(EVENTS_STREAM) == 0
    assert rclient.xpending(EVENTS_STREAM, FLUSH_GROUP)["pending"] == 0
    assert flush_all(rclient, store) == {"events": 0, "ai_history": 0, "ai_runs": 0, "files": 0}


def test_an_event_sent_twice_counts_once_everywhere(rclient, store):
    sent = buffer_events(rclient, batches=3, per_batch=10)
    retry = [dict(r) for r in sent[:10]]  # the client resends its first call
    append(rclient, EVENTS_STREAM, retry)
    flush_dataset(rclient, store, EVENTS)
    assert all_rows(store, "events").num_rows == 40  # stored twice...
    assert sum(by_type(store).values()) == 30  # ...counted once
    profile = sent[0]["profile_id"]
    mine = [r["event_id"] for r in sent if r["profile_id"] == profile]
    got = [e["event_id"] for e in timeline(store, profile)]
    assert sorted(got) == sorted(mine)


def test_crash_between_publish_and_ack_replays_without_double_counting(rclient, store):
    sent = buffer_events(rclient, batches=10, per_batch=20)

    def crash(published):
        assert published and all(store.fs.get_file_info(p).is_file for p in published)
        raise RuntimeError("simulated crash after publish, before ack")

    with pytest.raises(RuntimeError, match="simulated crash"):
        flush_dataset(rclient, store, EVENTS, batch_entries=3, before_ack=crash)
    assert all_rows(store, "events").num_rows == 200  # published...
    assert rclient.xpending(EVENTS_STREAM, FLUSH_GROUP)["pending"] == 10  # ...not acked

    again = flush_dataset(rclient, store, EVENTS)
    assert again.rows == 200  # the reclaimed entries were written again
    assert all_rows(store, "events").num_rows == 400
    assert by_type(store) == expected_by_type(sent)
    assert rclient.xlen(EVENTS_STREAM) == 0

    compact_dataset(rclient, store, EVENTS)
    assert all_rows(store, "events").num_rows == 200
    assert by_type(store) == expected_by_type(sent)


def test_flush_process_killed_before_ack_loses_nothing(rclient, store, redis_url, tmp_path):
    sent = buffer_events(rclient, batches=9, per_batch=30)
    marker = tmp_path / "published.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.events.flush_until_killed", redis_url, store.root,
         str(marker)],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the flush never reached the point before the ack"
        time.sleep(0.1)  # let the marker be fully written
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    published = json.loads(marker.read_text())
    assert published and all(store.fs.get_file_info(p).is_file for p in published)
    assert rclient.xpending(EVENTS_STREAM, FLUSH_GROUP)["pending"] == 9

    # The dead flusher's lock expires (ttl 1 s); the next flush waits for it, then reclaims.
    again = flush_dataset(rclient, store, EVENTS, lock_wait=10)
    assert again.entries == 9 and again.rows == 270
    assert rclient.xpending(EVENTS_STREAM, FLUSH_GROUP)["pending"] == 0
    assert by_type(store) == expected_by_type(sent)
    assert sum(r[1] for r in report(store, "daily-active")["rows"]) >= 1


def test_entries_appended_during_a_flush_wait_for_the_next(rclient, store):
    buffer_events(rclient, batches=4, per_batch=5)
    late = []

    def append_more(published):
        late.extend(buffer_events(rclient, batches=2, per_batch=5))

    first = flush_dataset(rclient, store, EVENTS, batch_entries=2, before_ack=append_more)
    assert first.rows == 20
    assert flush_dataset(rclient, store, EVENTS).rows == 10


def test_a_malformed_entry_goes_to_the_dead_letter_stream(rclient, store):
    buffer_events(rclient, batches=2, per_batch=5)
    rclient.xadd(EVENTS_STREAM, {"data": b"not json"})
    rclient.xadd(EVENTS_STREAM, {"data": b'[{"event_id": "x"}]'})  # missing fields
    result = flush_dataset(rclient, store, EVENTS)
    assert (result.rows, result.entries, result.dead) == (10, 4, 2)
    dead = rclient.xrange(f"{EVENTS_STREAM}:dead")
    assert [d[1][b"data"] for d in dead] == [b"not json", b'[{"event_id": "x"}]']
    assert rclient.xlen(EVENTS_STREAM) == 0


def test_ai_history_and_task_runs_flow_into_their_own_datasets(rclient, store):
    from pipelines.ai.history import run_summary
    from shared.streams import AI_HISTORY_STREAM, AI_RUNS_STREAM

    from .conftest import attempt

    attempts = [attempt("j1", "gemini", "g-flash", "error", latency_ms=30.2),
                attempt("j1", "openai", "gpt-x", "ok", attempt_no=2, latency_ms=70.1)]
    append(rclient, AI_HISTORY_STREAM, attempts)
    append(rclient, AI_RUNS_STREAM, [run_summary(attempts, skipped=1)])
    result = flush_all(rclient, store)
    assert result == {"events": 0, "ai_history": 2, "ai_runs": 1, "files": 2}
    assert all_rows(store, AI_HISTORY.name).num_rows == 2
    [run] = all_rows(store, AI_RUNS.name).to_pylist()
    assert run["job_id"] == "j1" and run["task"] == "explanation"
    assert (run["first_model"], run["answered_by"], run["ok"]) == (
        "gemini/g-flash", "openai/gpt-x", True)
    assert (run["attempts"], run["skipped"], run["latency_ms"]) == (2, 1, 100.3)
    assert run["ts"].isoformat() == attempts[0]["timestamp"]
