"""Batches on real PostgreSQL + Redis, a broker namespace of their own, providers on the fake LLM.

The API runs in-process; workers and the scheduler are real ``studyforge`` processes whose
OpenAI provider points at the protocol-level fake (tests/fakes), so the SDK really calls it.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from shared.content.models import ContentBlock
from shared.db import create_engine, session_factory, session_scope
from tests.driver import ApiDriver, bearer
from tests.fakes.fixtures import fake_llm, fake_llm_server  # noqa: F401
from tests.processes import settings_env

# No other test imports chapters into grade 12 (tests/hotpaths owns 11, tests/curriculum 9).
GRADE = 12

# Quick retries and a patient circuit keep scripted failures fast and deterministic.
FAST = {"ai_backoff_initial_seconds": 0.01, "ai_backoff_max_seconds": 0.05,
        "ai_circuit_failure_threshold": 50, "ai_task_deadline_seconds": 20.0,
        "batch_feed_tick_seconds": 0.1, "batch_max_in_flight": 4,
        "batch_resume_interval_seconds": 2.0}


@pytest.fixture(scope="module")
def batch_settings(settings, fake_llm_server):  # noqa: F811
    return settings.model_copy(update={
        "broker_namespace": f"batches-{uuid.uuid4().hex[:8]}",
        "openai_api_key": "sk-test", "openai_base_url": fake_llm_server.openai_base_url,
        **FAST,
    })


def worker_env(settings, **overrides) -> dict[str, str]:
    return settings_env(settings, broker_namespace=settings.broker_namespace,
                        openai_api_key=settings.openai_api_key,
                        openai_base_url=settings.openai_base_url, **FAST, **overrides)


@pytest.fixture(scope="module")
async def batch_api(batch_settings):
    """(driver, operator token) on an in-process API using the batch settings."""
    app = create_app(batch_settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t/api/v1") as client:
        driver = ApiDriver(client, batch_settings)
        await driver.bootstrap()
        yield driver, await operator_token(driver), app


async def operator_token(api: ApiDriver) -> str:
    from shared.auth import service

    email = f"operator-{uuid.uuid4().hex[:8]}@example.org"
    engine = create_engine(api.settings)
    async with session_scope(session_factory(engine), None) as session:
        await service.register(session, email=email, password="operator-pw", role="operator")
    await engine.dispose()
    return await api.login(email, "operator-pw")


async def small_grade(api: ApiDriver, chapters: int, grade: int = GRADE) -> str:
    """Import a subject of its own (so tests never see each other's content); returns its name."""
    subject = f"Batch {uuid.uuid4().hex[:6]}"
    body = {"grades": [{"grade": grade, "subjects": [{"name": subject, "chapters": [
        {"name": f"Chapter {i + 1}", "topics": [f"topic {i + 1}"]} for i in range(chapters)]}]}]}
    r = await api.client.post("/curriculum/import", json=body, headers=bearer(api.admin_token))
    assert r.status_code == 200, r.text
    return subject


async def wait_ended(api: ApiDriver, token: str, batch_id: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        batch = (await api.client.get(f"/batches/{batch_id}", headers=bearer(token))).json()
        if batch["status"] != "running" and batch["finished_at"]:
            return batch
        assert time.monotonic() < deadline, f"batch still {batch} after {timeout}s"
        await asyncio.sleep(0.2)


async def blocks_per_chapter(settings, grade: int, subject: str) -> dict[str, int]:
    """How many explanation blocks each chapter of the subject has (by chapter name)."""
    from shared.curriculum.models import Chapter

    engine = create_engine(settings)
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(Chapter.chapter_name, func.count(ContentBlock.id))
            .outerjoin(ContentBlock, (ContentBlock.chapter_id == Chapter.id)
                       & (ContentBlock.type == "explanation"))
            .where(Chapter.grade == grade, Chapter.subject == subject)
            .group_by(Chapter.chapter_name))
        out = dict(rows.all())
    await engine.dispose()
    return out


def stop_quickly(proc) -> None:
    """SIGTERM to Dramatiq's main process only: it stops its workers cleanly in about a second.

    (A SIGTERM to the whole group reaches each worker process twice, which Dramatiq takes as
    "kill now" and then waits out its timeout.)
    """
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)
