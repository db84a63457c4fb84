"""Housekeeping actors for the jobs table."""

from __future__ import annotations

import logging

import dramatiq

from shared.db import session_scope
from shared.jobs import reaper
from workers import resources

log = logging.getLogger("studyforge.worker")


@dramatiq.actor(actor_name="jobs.reap", queue_name="default", max_retries=0)
async def reap() -> None:
    res = resources.current()
    async with session_scope(res.sessions, res.dispatcher) as session:
        count = await reaper.requeue_stale(
            session, older_than_seconds=res.settings.reaper_queued_after_seconds
        )
    if count:
        log.warning("reaper re-sent %d job(s) stuck in queued", count)
