"""Housekeeping actors for the jobs table."""

from __future__ import annotations

import logging

import dramatiq

from shared.db import session_scope
from shared.jobs import reaper
from workers import resources

log = logging.getLogger("studyforge.worker")

REAPER_QUEUE = "ops"


# Its own queue and a high priority (lower runs first), so a backlog on "default" or busy
# threads cannot hold back the recovery of a dead worker's jobs.
@dramatiq.actor(actor_name="jobs.reap", queue_name=REAPER_QUEUE, max_retries=0, priority=-100,
                time_limit=60_000)
async def reap() -> None:
    """Recover dead workers' messages and orphaned jobs (shared.jobs.reaper)."""
    res = resources.current()
    async with session_scope(res.sessions, res.dispatcher) as session:
        report = await reaper.reap(session, res.redis, res.settings)
    if report:
        log.warning("reaper: %s", report)
