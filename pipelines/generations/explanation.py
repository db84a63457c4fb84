"""Explanation jobs: the seed's "Explain {topic} to a {grade} grader using {analogy}."."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pipelines.ai.chain import ChainFailed, run_task
from shared import cache
from shared.config import Settings
from shared.content import repository as content
from shared.curriculum import repository as curriculum
from shared.jobs.models import Job


class ChapterGone(Exception):
    """The chapter was deleted between the request and the job."""


class GenerationFailed(Exception):
    """Every link of the explanation route failed; ``code``/``message`` end the job."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


async def generate(
    session: AsyncSession, job: Job, progress, settings: Settings, *,
    redis, sessions: async_sessionmaker[AsyncSession],
) -> dict:
    """Write one explanation content block for the job and return what was written.

    The chapter is read in a short session of its own and ``session`` is first used to
    write: a connection held through a model call (seconds) would cap the jobs in flight at
    the database pool size.
    """
    params = job.payload
    async with sessions() as read:
        chapter = await curriculum.get(read, params["chapter_id"])
        if chapter is None:
            raise ChapterGone(f"Chapter {params['chapter_id']} no longer exists.")
        variables = {
            "subject": chapter.subject, "chapter": chapter.chapter_name,
            "topic": params["topic"], "analogy": params["analogy"], "grade": params["grade"],
        }
        chapter_id = chapter.id
    await progress(0.2, "generating")
    try:
        answer = await run_task("explanation", variables, redis=redis, settings=settings,
                                db=sessions, job_id=job.id)
    except ChainFailed as exc:
        raise GenerationFailed(exc.code, exc.message) from None
    # No "saving" progress step: the write and the final status commit together right here,
    # and each progress step costs two transactions and a publish on a busy worker.
    block = await content.add_block(
        session, chapter_id=chapter_id, type="explanation", content_json=answer.data,
        ai_model_used=answer.model, status="approved", job_id=job.id,
    )
    cache.invalidate(cache.chapter_key(chapter_id))
    return {
        "content_block_id": block.id,
        "model": answer.model,
        "template_version": answer.template_version,
        "attempts": len(answer.attempts),
        "cost_usd": answer.cost_usd,
    }
