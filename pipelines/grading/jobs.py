"""The worker's side of a short answer: load it, grade it, store grade and progress together."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pipelines.grading.grade import Grade, grade_short
from shared.config import Settings
from shared.grading import repository
from shared.grading import service as grading
from shared.jobs.models import Job
from shared.profiles import repository as profiles


class SubmissionGone(Exception):
    """The submission (or its question) was deleted before it could be graded."""


async def load(sessions: async_sessionmaker[AsyncSession], submission_id: int):
    """(submission, question, grade level) read in a short session of their own."""
    async with sessions() as read:
        submission = await repository.get(read, submission_id)
        if submission is None:
            raise SubmissionGone(f"Submission {submission_id} no longer exists.")
        question = await repository.question(read, submission.question_id)
        profile = await profiles.get(read, submission.profile_id)
        if question is None or profile is None:
            raise SubmissionGone(f"Submission {submission_id} lost its question or profile.")
        return submission, question, profile.current_grade


async def store(session: AsyncSession, settings: Settings, submission_id: int, question,
                grade: Grade, *, only_if: str) -> bool:
    """Write ``grade`` unless the submission moved on meanwhile (``only_if``: "pending" or
    "provisional"); returns whether it was written."""
    locked = await repository.lock(session, submission_id)
    if locked is None:
        return False
    still = (locked.status == "pending" if only_if == "pending"
             else locked.status == "graded" and locked.provisional)
    if not still:
        return False
    await grading.apply_grade(
        session, settings, locked, question, score=grade.score, feedback=grade.feedback,
        graded_by=grade.graded_by, provisional=grade.provisional, flagged=grade.flagged,
        reasons=grade.reasons)
    return True


async def grade_job(
    session: AsyncSession, job: Job, settings: Settings, *, redis,
    sessions: async_sessionmaker[AsyncSession],
) -> dict:
    """Grade the job's submission; a redelivered job finds it graded and writes nothing."""
    submission_id = int(job.payload["submission_id"])
    submission, question, level = await load(sessions, submission_id)
    if submission.status != "pending":
        return {"submission_id": submission_id, "status": submission.status, "duplicate": True}
    grade = await grade_short(question=question, answer=str(submission.answer), grade=level,
                              settings=settings, redis=redis, db=sessions, job_id=job.id)
    written = await store(session, settings, submission_id, question, grade, only_if="pending")
    return {
        "submission_id": submission_id, "status": "graded", "written": written,
        "score": grade.score, "model": grade.graded_by, "provisional": grade.provisional,
        "flagged": grade.flagged, "template_version": grade.template_version,
    }
