"""The floor of an AI job: only the parts the design requires, for ``bench/ai_floor.py``.

A Dramatiq async actor (the Redis broker and AsyncIO middleware the real worker uses) that
makes the two model calls a real explanation job makes (Gemini through google-genai with a
JSON schema, then OpenAI moderation, through the same SDK clients our providers build) and
writes the result to PostgreSQL in one statement. No routes, circuit, rate limiter, history,
progress events, review queue or cache: what is left is the cost no design of ours can avoid.
"""

from __future__ import annotations

import asyncio
import os

import asyncpg
import dramatiq
import orjson
from dramatiq.brokers.redis import RedisBroker

from pipelines.ai.providers import get_provider
from pipelines.ai.providers.base import ProviderRequest
from pipelines.moderation.remote import openai_moderation
from shared.config import Settings
from workers.broker import QuietAsyncIO

broker = RedisBroker(url=os.environ["FLOOR_REDIS_URL"])
# Our worker's event loop set-up (uvloop, a calm interrupt check): a loop choice, not a part.
broker.add_middleware(QuietAsyncIO())
dramatiq.set_broker(broker)

SCHEMA = {"type": "object", "properties": {"explanation": {"type": "string"}},
          "required": ["explanation"]}
# Once per process, as our worker does (resources.current()): building Settings reads the
# environment and costs ~1.5 ms, more than a tenth of a floor job.
SETTINGS = Settings()
_pool: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


async def _connect() -> asyncpg.Pool:
    return await asyncpg.create_pool(os.environ["FLOOR_DSN"], min_size=1, max_size=20)


async def _db() -> asyncpg.Pool:
    loop = asyncio.get_running_loop()
    if loop not in _pool:  # one pool per loop, however many jobs ask for it at once
        _pool[loop] = loop.create_task(_connect())
    return await _pool[loop]


QUEUE = "floor"  # not "default": bench/ai_chain.py runs this beside our idle worker


@dramatiq.actor(max_retries=0, queue_name=QUEUE)
async def floor_job(job_id: int) -> None:
    settings = SETTINGS
    pool = await _db()
    try:
        reply = await get_provider("gemini", settings).generate(ProviderRequest(
            task="explanation", model="gemini-2.5-flash", system="You explain to children.",
            prompt=f"Explain topic {job_id} with pizza.", schema=SCHEMA,
            schema_name="explanation", timeout=30))
        if os.environ.get("FLOOR_MODERATION", "1") == "1":
            await openai_moderation([("explanation", reply.text)], settings)
    except Exception:
        # Counted as failed, so the bench stops at once instead of waiting on the job.
        await pool.execute("UPDATE floor_jobs SET status = 'failed' WHERE id = $1", job_id)
        raise
    await pool.execute("UPDATE floor_jobs SET status = 'succeeded', result = $2 WHERE id = $1",
                       job_id, orjson.dumps({"text": reply.text}).decode())
