"""The life of one job in a worker: claim, report progress, finish exactly once.

Every actor that runs a job goes through ``run_job``. The work's own writes and the move to
``succeeded`` share one transaction guarded by a conditional UPDATE, so a redelivered message
(a worker killed after commit but before ack, or two deliveries racing) never writes twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import session_scope, utcnow
from shared.jobs import repository
from shared.jobs import service as jobs
from shared.jobs.models import FINAL_STATUSES, Job
from workers.resources import Resources

log = logging.getLogger("studyforge.worker")

MAX_ATTEMPTS = 3


class JobFailed(Exception):
    """An expected failure that ends the job ``failed`` with a code and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class JobContext:
    res: Resources
    job_id: str
    # The job as this worker last wrote it: announcements are built from it rather than
    # re-read from the database (that re-read was three statements per announcement).
    snapshot: Job | None = None

    async def progress(self, value: float, stage: str) -> None:
        """Record progress in its own short transaction and announce it."""
        now = utcnow()
        async with session_scope(self.res.sessions, self.res.dispatcher) as session:
            await repository.set_progress(session, self.job_id, progress=value, stage=stage, now=now)
        if self.snapshot is None:
            await _announce(self.res, self.job_id)
            return
        _apply(self.snapshot, progress=value, stage=stage, updated_at=now)
        await jobs.publish(self.res.redis, self.snapshot)


def _apply(job: Job, **values) -> None:
    """Mirror a committed UPDATE on the detached snapshot of the job."""
    for name, value in values.items():
        setattr(job, name, value)


Work = Callable[[AsyncSession, Job, JobContext], Awaitable[dict]]


async def _announce(res: Resources, job_id: str) -> None:
    async with res.sessions() as session:
        job = await repository.get(session, job_id)
        if job is not None:
            await jobs.publish(res.redis, job)


async def _fail(res: Resources, job_id: str, code: str, message: str) -> None:
    async with session_scope(res.sessions, res.dispatcher) as session:
        await repository.finish(session, job_id, now=utcnow(), status="failed",
                                error={"code": code, "message": message})
    await _announce(res, job_id)


async def run_job(
    res: Resources, job_id: str, work: Work, *, stage: str | None = None, progress: float | None = None,
) -> None:
    """Run ``work`` for a job unless it already finished; record the outcome.

    ``stage`` and ``progress`` are the job's first stage, written by the claim itself.
    """
    started = utcnow()
    async with session_scope(res.sessions, res.dispatcher) as session:
        job = await repository.claim(session, job_id, now=started, max_attempts=MAX_ATTEMPTS,
                                     stage=stage, progress=progress)
        found = None if job is not None else await repository.state(session, job_id)
    if job is None:
        if found is None:
            log.warning("job %s not found; dropping its message", job_id)
        elif found[0] in FINAL_STATUSES:
            log.info("job %s already final; nothing to do", job_id)
        else:
            await _fail(res, job_id, "too_many_attempts",
                        f"The job was interrupted {MAX_ATTEMPTS} times and was given up.")
        return
    # The record carries job_id and request_id (shared.logs), so one grep follows the job.
    log.info("job %s started (attempt %d)", job_id, job.attempts)
    await jobs.publish(res.redis, job)
    ctx = JobContext(res, job_id, snapshot=job)
    try:
        async with session_scope(res.sessions, res.dispatcher) as session:
            # ``job`` is what the claim returned. Reading it again here would check out a
            # connection and hold it through the work's model call, capping jobs in flight at
            # the pool size; the work session now connects only when the work first writes.
            result = await work(session, job, ctx)
            finished = utcnow()
            if not await repository.finish(session, job_id, now=finished, status="succeeded",
                                           progress=1.0, stage="saved", result=result):
                # Someone else finished it meanwhile: roll back our writes.
                raise _AlreadyFinished
    except _AlreadyFinished:
        log.info("job %s finished elsewhere; discarded a duplicate run", job_id)
        return
    except JobFailed as exc:
        log.info("job %s failed: %s", job_id, exc.code)
        await _fail(res, job_id, exc.code, exc.message)
        return
    log.info("job %s succeeded", job_id)
    _apply(job, status="succeeded", progress=1.0, stage="saved", result=result,
           finished_at=finished, updated_at=finished)
    await jobs.publish(res.redis, job)


class _AlreadyFinished(Exception):
    pass
