"""Batches through a real worker process against the fake LLM (OpenAI protocol)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from shared.ai import repository as ai_repository
from shared.ai import service as ai_service
from shared.ai.schemas import RouteLink
from shared.batches import estimate
from shared.db import create_engine, session_factory, session_scope
from tests.batches.conftest import (
    GRADE,
    blocks_per_chapter,
    small_grade,
    stop_quickly,
    wait_ended,
    worker_env,
)
from tests.driver import bearer
from tests.fakes.llm_protocols import Behaviour
from tests.processes import ROOT, studyforge, wait_log

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def worker(batch_settings, tmp_path_factory):
    log = tmp_path_factory.mktemp("batch-worker") / "worker.log"
    with studyforge(["worker", "--processes", "1", "--threads", "16"],
                    worker_env(batch_settings), log) as proc:
        wait_log(log, "ready for action")
        yield log
        stop_quickly(proc)


async def start(api, token, **body) -> dict:
    r = await api.client.post("/batches", headers=bearer(token), json={"grade": GRADE, **body})
    assert r.status_code == 202, r.text
    return r.json()


async def test_a_grade_runs_then_a_rerun_makes_no_model_call(batch_api, worker, fake_llm):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=6)
    plan = await start(api, operator, subjects=[subject], kinds=["explanation"])
    assert plan["total_jobs"] == 6
    batch = await wait_ended(api, operator, plan["batch_id"])
    assert batch["status"] == "succeeded", batch
    assert (batch["total"], batch["succeeded"], batch["failed"], batch["skipped"]) == (6, 6, 0, 0)
    assert batch["cost_usd"] > 0  # priced from the fake's reported usage
    assert fake_llm.calls("openai") == 6
    assert set((await blocks_per_chapter(api.settings, GRADE, subject)).values()) == {1}

    again = await start(api, operator, subjects=[subject], kinds=["explanation"])
    assert (again["total_jobs"], again["skipped_existing"]) == (0, 6)
    rerun = await wait_ended(api, operator, again["batch_id"], timeout=5)
    assert rerun["status"] == "succeeded" and rerun["skipped"] == 6
    await asyncio.sleep(0.5)
    assert fake_llm.calls("openai") == 6  # the re-run made zero model calls

    # force regenerates.
    forced = await start(api, operator, subjects=[subject], kinds=["explanation"], force=True)
    assert forced["total_jobs"] == 6
    assert (await wait_ended(api, operator, forced["batch_id"]))["succeeded"] == 6
    assert fake_llm.calls("openai") == 12


async def test_the_budget_stops_a_batch(batch_api, worker, fake_llm):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=6)
    r = await api.client.post("/batches", headers=bearer(operator), json={
        "grade": GRADE, "subjects": [subject], "kinds": ["explanation"], "dry_run": True})
    per_item = r.json()["estimated_cost_usd"] / 6
    # Room for one item and a half: the second would pass the budget, so it never starts.
    plan = await start(api, operator, subjects=[subject], kinds=["explanation"],
                       budget_usd=per_item * 1.5)
    batch = await wait_ended(api, operator, plan["batch_id"])
    assert batch["status"] == "partial", batch
    assert "budget" in batch["reason"]
    assert (batch["succeeded"], batch["not_run"], batch["total"]) == (1, 5, 6)
    assert fake_llm.calls("openai") == 1
    assert batch["cost_usd"] <= batch["budget_usd"]


@pytest.fixture
async def openai_only(batch_api):
    """Explanations routed to OpenAI alone (no offline fallback), so a failure is a failure."""
    api, _, app = batch_api
    engine = create_engine(api.settings)
    factory = session_factory(engine)
    async with session_scope(factory, None) as session:
        await ai_repository.save_route(session, task="explanation", user_id=None,
                                       chain=[{"provider": "openai", "model": "gpt-4.1-mini",
                                               "params": {}}])
    await ai_service.announce_change(app.state.redis)
    try:
        yield
    finally:
        async with session_scope(factory, None) as session:
            await ai_repository.delete_route(session, "explanation")
        await ai_service.announce_change(app.state.redis)
        await engine.dispose()


async def test_failures_are_counted_and_retry_failed_runs_only_them(
        batch_api, worker, fake_llm, openai_only):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=5)
    fake_llm.script("openai", Behaviour(status=400), Behaviour(status=400))
    plan = await start(api, operator, subjects=[subject], kinds=["explanation"])
    batch = await wait_ended(api, operator, plan["batch_id"])
    assert batch["status"] == "partial", batch
    assert (batch["succeeded"], batch["failed"]) == (3, 2)
    assert "2 of 5 item(s) failed" in batch["reason"]
    assert fake_llm.calls("openai") == 5

    r = await api.client.post(f"/batches/{plan['batch_id']}/retry-failed", headers=bearer(operator))
    assert r.status_code == 200 and r.json()["status"] == "running"
    batch = await wait_ended(api, operator, plan["batch_id"])
    assert (batch["status"], batch["succeeded"], batch["failed"]) == ("succeeded", 5, 0)
    assert fake_llm.calls("openai") == 7  # only the two failures ran again
    assert set((await blocks_per_chapter(api.settings, GRADE, subject)).values()) == {1}


async def test_cancel_stops_what_has_not_started(batch_api, worker, fake_llm):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=10)
    fake_llm.set_latency(1.5)
    plan = await start(api, operator, subjects=[subject], kinds=["explanation"])
    batch_id = plan["batch_id"]
    for _ in range(100):  # until the first items are with the provider
        if fake_llm.calls("openai"):
            break
        await asyncio.sleep(0.05)
    r = await api.client.post(f"/batches/{batch_id}/cancel", headers=bearer(operator))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    batch = await wait_ended(api, operator, batch_id)
    assert batch["status"] == "cancelled"
    # The running items finished (at most the in-flight cap of 4); the rest never started.
    assert 1 <= batch["succeeded"] <= 4
    assert batch["succeeded"] + batch["not_run"] == 10
    await asyncio.sleep(0.5)
    assert fake_llm.calls("openai") == batch["succeeded"]
    # A second cancel is harmless; retry-failed has no failures to run.
    r = await api.client.post(f"/batches/{batch_id}/cancel", headers=bearer(operator))
    assert r.status_code == 200
    r = await api.client.post(f"/batches/{batch_id}/retry-failed", headers=bearer(operator))
    assert r.json()["status"] == "cancelled"


async def test_two_batches_for_one_grade_generate_each_item_once(batch_api, worker, fake_llm):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=8)
    fake_llm.set_latency(0.2)
    first, second = await asyncio.gather(
        start(api, operator, subjects=[subject], kinds=["explanation"]),
        start(api, operator, subjects=[subject], kinds=["explanation"]))
    a = await wait_ended(api, operator, first["batch_id"])
    b = await wait_ended(api, operator, second["batch_id"])
    assert a["status"] == b["status"] == "succeeded", (a, b)
    assert fake_llm.calls("openai") == 8
    assert set((await blocks_per_chapter(api.settings, GRADE, subject)).values()) == {1}
    # Each item was paid for once, by whichever batch started its job.
    one_call = estimate.price(RouteLink(provider="openai", model="gpt-4.1-mini"), *Behaviour().usage)
    assert a["cost_usd"] + b["cost_usd"] == pytest.approx(8 * one_call)



async def test_the_cli_plans_starts_and_follows_a_batch(batch_api, batch_settings, worker, fake_llm):
    api, _, _ = batch_api
    subject = await small_grade(api, chapters=3)
    env = worker_env(batch_settings, log_format="text")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "studyforge", "batch", *args], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

    plan = await asyncio.to_thread(cli, "generate", "--grade", str(GRADE), "--subject", subject,
                                   "--kind", "explanation", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "Would run 3 job(s), 0 skipped" in plan.stdout
    bad = await asyncio.to_thread(cli, "generate", "--grade", str(GRADE), "--budget", "-1")
    assert bad.returncode == 2 and "--budget" in bad.stdout
    unknown = await asyncio.to_thread(cli, "generate", "--grade", str(GRADE), "--subject", "Astrology")
    assert unknown.returncode == 1 and "no subject 'Astrology'" in unknown.stdout
    assert fake_llm.calls("openai") == 0

    run = await asyncio.to_thread(cli, "generate", "--grade", str(GRADE), "--subject", subject,
                                  "--kind", "explanation", "--wait")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3/3" in run.stdout and "succeeded" in run.stdout
    assert fake_llm.calls("openai") == 3
    batch_id = run.stdout.split("Batch ", 1)[1].split(":", 1)[0]
    status = await asyncio.to_thread(cli, "status", batch_id)
    assert status.returncode == 0 and "3/3 done, 0 failed" in status.stdout


async def test_progress_streams_until_the_batch_ends(batch_api, worker, fake_llm):
    api, operator, _ = batch_api
    subject = await small_grade(api, chapters=4)
    fake_llm.set_latency(0.3)
    plan = await start(api, operator, subjects=[subject], kinds=["explanation"])
    # The in-process transport returns the body once the stream ends: when the batch has ended.
    r = await api.client.get(f"/batches/{plan['batch_id']}/events", headers=bearer(operator))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[5:]) for line in r.text.splitlines() if line.startswith("data:")]
    assert len(events) >= 2 and events[0]["status"] == "running"
    done = [e["succeeded"] for e in events]
    assert done == sorted(done)  # progress only moves forward
    assert events[-1]["status"] == "succeeded" and events[-1]["succeeded"] == 4
    assert events[-1]["finished_at"]
