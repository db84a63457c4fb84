"""Grading actors: thin, idempotent, carrying only ids."""

from __future__ import annotations

import dramatiq

from pipelines.grading import jobs, regrade
from workers import resources
from workers.runner import JobFailed, run_job


@dramatiq.actor(actor_name="grading.grade_answer", queue_name="grading", max_retries=5,
                min_backoff=1_000, time_limit=10 * 60 * 1000)
async def grade_answer(job_id: str) -> None:
    res = resources.current()

    async def work(session, job, ctx):
        try:
            return await jobs.grade_job(session, job, res.settings, redis=res.redis,
                                        sessions=res.sessions)
        except jobs.SubmissionGone as exc:
            raise JobFailed("submission_not_found", str(exc)) from None

    await run_job(res, job_id, work)


@dramatiq.actor(actor_name="grading.regrade_provisional", queue_name="grading", max_retries=0,
                time_limit=10 * 60 * 1000)
async def regrade_provisional() -> None:
    res = resources.current()
    await regrade.sweep(res.settings, redis=res.redis, sessions=res.sessions,
                        dispatcher=res.dispatcher)
