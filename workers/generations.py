"""Generation actors: thin, idempotent, carrying only a job id."""

from __future__ import annotations

import dramatiq

from pipelines.generations import explanation
from workers import resources
from workers.runner import JobFailed, run_job


@dramatiq.actor(actor_name="generations.generate", queue_name="default", max_retries=5,
                min_backoff=1_000, time_limit=10 * 60 * 1000)
async def generate(job_id: str) -> None:
    res = resources.current()

    async def work(session, job, ctx):
        if job.kind != "explanation":
            raise JobFailed("unsupported_kind", f"Jobs of kind {job.kind!r} are not supported yet.")
        try:
            return await explanation.generate(session, job, ctx.progress, res.settings,
                                              redis=res.redis, sessions=res.sessions)
        except explanation.ChapterGone as exc:
            raise JobFailed("chapter_not_found", str(exc)) from None
        except explanation.GenerationFailed as exc:
            raise JobFailed(exc.code, exc.message) from None

    await run_job(res, job_id, work)
