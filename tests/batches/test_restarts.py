"""A worker SIGKILLed mid-batch: the batch still completes, each item generated once.

The killed worker held the batch's feeder and some items. Its messages come back (the
scheduler's reaper), a new worker carries on from the database, and the runner's conditional
claim/finish keeps every item to one content block.
"""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from tests.batches.conftest import blocks_per_chapter, small_grade, stop_quickly, wait_ended, worker_env
from tests.driver import bearer
from tests.processes import kill_group, studyforge, wait_log

pytestmark = pytest.mark.timeout(120)


async def test_sigkilled_worker_mid_batch(batch_api, batch_settings, fake_llm, tmp_path):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=10, grade=10)
    fake_llm.set_latency(1.0)
    env = worker_env(batch_settings, broker_heartbeat_timeout_ms=3000, broker_maintenance_chance=0,
                     reaper_interval_seconds=2, reaper_running_grace_seconds=3,
                     scheduler_tick_seconds=0.5)
    worker = ["worker", "--processes", "1", "--threads", "8"]
    with studyforge(["scheduler"], env, tmp_path / "scheduler.log") as scheduler:
        with studyforge(worker, env, tmp_path / "w1.log") as first:
            wait_log(tmp_path / "w1.log", "ready for action")
            r = await api.client.post("/batches", headers=bearer(operator), json={
                "grade": 10, "subjects": [subject], "kinds": ["explanation"]})
            batch_id = r.json()["batch_id"]
            deadline = time.monotonic() + 30
            while True:  # some done, some with the provider
                batch = (await api.client.get(f"/batches/{batch_id}", headers=bearer(operator))).json()
                if batch["succeeded"] >= 2 and batch["in_flight"]:
                    break
                assert time.monotonic() < deadline, batch
                await asyncio.sleep(0.1)
            kill_group(first, signal.SIGKILL)
            first.wait(timeout=10)
        with studyforge(worker, env, tmp_path / "w2.log") as second:
            batch = await wait_ended(api, operator, batch_id, timeout=60)
            stop_quickly(second)
        stop_quickly(scheduler)
    assert batch["status"] == "succeeded", batch
    assert (batch["succeeded"], batch["failed"]) == (10, 0)
    assert set((await blocks_per_chapter(api.settings, 10, subject)).values()) == {1}
