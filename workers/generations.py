"""Generation actors: thin, idempotent, carrying only a job id."""

from __future__ import annotations

import dramatiq

from pipelines.generations import run
from pipelines.generations.produced import GenerationFailed
from workers import resources
from workers.runner import JobFailed, run_job


@dramatiq.actor(actor_name="generations.generate", queue_name="default", max_retries=5,
                min_backoff=1_000, time_limit=10 * 60 * 1000)
async def generate(job_id: str) -> None:
    await run_generation(job_id)


async def run_generation(job_id: str) -> None:
    """The whole job path of a generation job; batch items take it too (``batches.generate``)."""
    res = resources.current()

    async def work(session, job, ctx):
        try:
            return await run.generate(session, job, ctx.progress, res.settings,
                                      redis=res.redis, sessions=res.sessions)
        except run.ChapterGone as exc:
            raise JobFailed("chapter_not_found", str(exc)) from None
        except GenerationFailed as exc:
            raise JobFailed(exc.code, exc.message) from None

    # The claim records the first stage: no separate progress transaction for it.
    await run_job(res, job_id, work, stage="generating", progress=0.1)
