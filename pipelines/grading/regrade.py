"""The periodic sweep: re-grade provisional (offline) grades once a model answers again, and
grade short answers left pending too long (their job died), so none stays pending."""

from __future__ import annotations

import logging
from datetime import timedelta

from pipelines.ai.chain import ChainFailed
from pipelines.grading.grade import NoModelRoute, grade_short
from pipelines.grading.jobs import SubmissionGone, load, store
from shared.config import Settings
from shared.db import session_scope, utcnow
from shared.grading import repository

log = logging.getLogger("studyforge.grading")


async def sweep(settings: Settings, *, redis, sessions, dispatcher) -> dict:
    """One pass over the candidates; returns counts for the log and the tests."""
    stale_before = utcnow() - timedelta(seconds=settings.grading_stale_pending_seconds)
    async with sessions() as read:
        ids = await repository.regrade_candidates(read, stale_before=stale_before,
                                                  limit=settings.grading_regrade_batch)
    counts = {"regraded": 0, "still_provisional": 0, "pending_graded": 0}
    models_down = False
    for submission_id in ids:
        try:
            submission, question, level = await load(sessions, submission_id)
        except SubmissionGone:
            continue
        pending = submission.status == "pending"
        if not pending and models_down:
            counts["still_provisional"] += 1
            continue
        try:
            grade = await grade_short(question=question, answer=str(submission.answer),
                                      grade=level, settings=settings, redis=redis, db=sessions,
                                      models_only=not pending)
        except (ChainFailed, NoModelRoute) as exc:
            # No model answers now: keep the provisional grade, try again next sweep.
            log.info("re-grade of submission %s postponed: %s", submission_id, exc)
            models_down = True
            counts["still_provisional"] += 1
            continue
        async with session_scope(sessions, dispatcher) as session:
            written = await store(session, settings, submission_id, question, grade,
                                  only_if="pending" if pending else "provisional")
        if written:
            counts["pending_graded" if pending else "regraded"] += 1
    if ids:
        log.info("grading sweep: %s", counts)
    return counts
