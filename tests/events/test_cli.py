"""`studyforge history export` as an operator runs it: a real process, real Postgres."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from datetime import timedelta

import orjson
import redis

from pipelines.events.flush import flush_all
from pipelines.events.store import Store
from shared.content.models import ContentBlock
from shared.db import create_engine, session_factory, session_scope
from shared.events.buffer import append
from shared.streams import AI_HISTORY_STREAM
from tests.processes import ROOT, settings_env

from .conftest import attempt, now


async def test_export_writes_approved_examples_only(api, settings):
    chapter_id = await api.chapter_id()
    approved, held = str(uuid.uuid4()), str(uuid.uuid4())
    engine = create_engine(settings)
    async with session_scope(session_factory(engine), None) as session:
        for job_id, status in ((approved, "approved"), (held, "held")):
            session.add(ContentBlock(chapter_id=chapter_id, type="explanation", content_json={},
                                     ai_model_used="openai/gpt-x", status=status, job_id=job_id))
    await engine.dispose()
    client = redis.Redis.from_url(settings.redis_url)
    append(client, AI_HISTORY_STREAM, [
        attempt(approved, "openai", "gpt-x", "ok", prompt="Explain area", response="Tiles."),
        attempt(held, "openai", "gpt-x", "ok", prompt="Explain volume", response="Boxes."),
    ])
    flush_all(client, Store.from_settings(settings), lock_wait=30)
    client.close()

    since = (now() - timedelta(days=1)).date().isoformat()
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "studyforge", "history", "export", "--task", "explanation",
         "--since", since],
        cwd=ROOT, env=settings_env(settings), capture_output=True, timeout=120, check=True,
    )
    lines = [orjson.loads(line) for line in out.stdout.splitlines()]
    assert {"messages": [{"role": "user", "content": "Explain area"},
                         {"role": "assistant", "content": "Tiles."}]} in lines
    assert not any("Explain volume" in str(line) for line in lines)

    bad = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "studyforge", "history", "export", "--task", "explanation",
         "--since", "last week"],
        cwd=ROOT, env=settings_env(settings), capture_output=True, timeout=120,
    )
    assert bad.returncode == 2 and b"ISO date" in bad.stdout + bad.stderr
