"""Explanation jobs: the seed's "Explain {topic} to a {grade} grader using {analogy}."."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from pipelines.ai import offline
from shared.config import Settings
from shared.content import repository as content
from shared.curriculum import repository as curriculum
from shared.jobs.models import Job


class ChapterGone(Exception):
    """The chapter was deleted between the request and the job."""


async def generate(session: AsyncSession, job: Job, progress, settings: Settings) -> dict:
    """Write one explanation content block for the job and return what was written."""
    params = job.payload
    chapter = await curriculum.get(session, params["chapter_id"])
    if chapter is None:
        raise ChapterGone(f"Chapter {params['chapter_id']} no longer exists.")
    await progress(0.2, "generating")
    if settings.offline_latency_ms:
        # Lets demos and benchmarks behave like a model that takes time to answer.
        await asyncio.sleep(settings.offline_latency_ms / 1000)
    body = offline.explanation(
        subject=chapter.subject, chapter=chapter.chapter_name, topic=params["topic"],
        analogy=params["analogy"], grade=params["grade"],
    )
    await progress(0.8, "saving")
    block = await content.add_block(
        session, chapter_id=chapter.id, type="explanation", content_json=body,
        ai_model_used=offline.OFFLINE_MODEL, status="approved", job_id=job.id,
    )
    return {"content_block_id": block.id, "model": offline.OFFLINE_MODEL}
