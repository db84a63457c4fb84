"""Answers: who may answer, MCQs graded in the request, short answers queued for the worker.

Every grade goes through ``apply_grade``, which updates ``student_progress`` in the same unit
of work and logs an ``answer`` event after the commit.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.tokens import Principal
from shared.config import Settings
from shared.content.models import Question
from shared.db import utcnow
from shared.errors import AppError, Forbidden, NotFound
from shared.events.buffer import append_async
from shared.grading import repository
from shared.grading.models import Submission
from shared.grading.schemas import AnswerIn, AnswerResult
from shared.jobs import repository as jobs_repository
from shared.profiles import repository as profiles_repository
from shared.progress import bkt
from shared.progress import service as progress
from shared.queue import enqueue, on_commit
from shared.streams import EVENTS_STREAM

log = logging.getLogger("studyforge.grading")

ACTOR = "grading.grade_answer"
QUEUE = "grading"
NOT_FOUND = "Submission not found."
# Answer events of one submission share an id, so a re-grade replaces (not adds) its count.
_EVENT_NAMESPACE = uuid.UUID("5f0b6a4e-8d0c-4b7e-9a51-2f3c9d6e7a10")


class Unprocessable(AppError):
    status_code = 422


async def _answering_profile(session: AsyncSession, principal: Principal, body: AnswerIn) -> int:
    if principal.role == "student":
        if body.profile_id is not None and body.profile_id != principal.profile_id:
            raise NotFound("Profile not found.")
        return principal.profile_id
    if principal.role != "parent":
        raise Forbidden("Answers come from a student token, or a parent answering for a child.")
    if body.profile_id is None:
        raise Unprocessable("Send profile_id: the child you are answering for.")
    profile = await profiles_repository.get(session, body.profile_id)
    if profile is None or profile.parent_id != principal.user_id:
        raise NotFound("Profile not found.")
    return profile.id


def correct_index(question: Question) -> int | None:
    """The right option's index from ``correct_answer`` {"index", "text", ...}."""
    options = question.options or []
    spec = question.correct_answer if isinstance(question.correct_answer, dict) else {}
    index = spec.get("index")
    if isinstance(index, int) and 0 <= index < len(options):
        return index
    text = spec.get("text")
    return options.index(text) if text in options else None


def chosen_index(options: list[str], answer: int | str) -> int:
    """The option a student picked, by 0-based index or exact text (422 otherwise)."""
    last = len(options) - 1
    if isinstance(answer, int):
        if not 0 <= answer <= last:
            raise Unprocessable(f"Option {answer} does not exist: choose an index from 0 to {last}.")
        return answer
    stripped = [option.strip() for option in options]
    if answer.strip() in stripped:
        return stripped.index(answer.strip())
    if answer.strip().isdigit():
        return chosen_index(options, int(answer.strip()))
    raise Unprocessable("That answer is not one of the options: send the option's index "
                        f"(0 to {last}) or its exact text.")


def guess_rate(question: Question, settings: Settings) -> float:
    if question.type == "mcq":
        return bkt.mcq_guess(len(question.options or []), settings.bkt_guess)
    return settings.bkt_guess


async def submit(
    session: AsyncSession, settings: Settings, principal: Principal, question_id: int,
    body: AnswerIn,
) -> AnswerResult:
    """Store an answer; grade an MCQ now, queue a short answer for the grading worker."""
    if principal.role not in ("student", "parent"):
        raise Forbidden("Answers come from a student token, or a parent answering for a child.")
    found = await repository.answerable_question(session, question_id)
    if found is None:
        raise NotFound("Question not found.")
    question, chapter_id = found
    profile_id = await _answering_profile(session, principal, body)
    if question.type == "mcq":
        return await _grade_mcq(session, settings, question, chapter_id, profile_id, body.answer)
    submission = await repository.add(
        session, question_id=question.id, profile_id=profile_id, chapter_id=chapter_id,
        answer=str(body.answer), status="pending",
    )
    job = await jobs_repository.add(
        session, id=str(uuid.uuid4()), kind="grading", status="queued", progress=0.0,
        stage="queued", payload={"submission_id": submission.id}, created_by=principal.user_id,
        profile_id=profile_id,
    )
    submission.job_id = job.id
    await session.flush()
    enqueue(ACTOR, queue_name=QUEUE, job_id=job.id)
    return AnswerResult(submission_id=submission.id, status="pending", job_id=job.id)


async def _grade_mcq(session, settings, question, chapter_id, profile_id, answer) -> AnswerResult:
    options = list(question.options or [])
    if len(options) < 2:
        raise Unprocessable("This question has no options to choose from.")
    chosen = chosen_index(options, answer)
    right = correct_index(question)
    spec = question.correct_answer if isinstance(question.correct_answer, dict) else {}
    correct = right is not None and chosen == right
    explanation = str(spec.get("explanation") or "").strip()
    if correct:
        feedback = "Correct! " + explanation if explanation else "Correct! Well done."
    else:
        feedback = "Not quite." + (f" The answer is “{options[right]}”." if right is not None else "")
        feedback += f" {explanation}" if explanation else ""
    submission = await repository.add(
        session, question_id=question.id, profile_id=profile_id, chapter_id=chapter_id,
        answer=answer, status="pending",
    )
    await apply_grade(session, settings, submission, question, score=10 if correct else 0,
                      correct=correct, feedback=feedback.strip(), graded_by="mcq/exact-match")
    shown = {"index": right, "text": options[right] if right is not None else None,
             "explanation": explanation}
    return AnswerResult(submission_id=submission.id, status="graded", correct=correct,
                        score=submission.score, feedback=submission.feedback,
                        correct_answer=shown)


async def apply_grade(
    session: AsyncSession, settings: Settings, submission: Submission, question: Question, *,
    score: int, feedback: str, graded_by: str, correct: bool | None = None,
    provisional: bool = False, flagged: bool = False, reasons: list[str] | None = None,
) -> None:
    """Store a grade and count it in progress (replacing an earlier counted grade)."""
    score = max(0, min(10, int(score)))  # the schema already refuses others; never store one
    if correct is None:
        correct = score >= settings.grading_pass_score
    previous = (submission.score, bool(submission.correct)) if submission.counted else None
    submission.status, submission.score, submission.correct = "graded", score, correct
    submission.feedback, submission.graded_by = feedback[:4000], graded_by
    submission.graded_at, submission.provisional = utcnow(), provisional
    submission.flagged = flagged or submission.flagged
    if reasons:
        submission.flag_reasons = sorted(set(submission.flag_reasons or []) | set(reasons))
    submission.counted = True
    await session.flush()
    if previous is None:
        await progress.record_answer(
            session, settings, profile_id=submission.profile_id,
            chapter_id=submission.chapter_id, score=score, correct=correct,
            guess=guess_rate(question, settings))
    else:
        observations = [
            (ok, bkt.mcq_guess(len(options or []), settings.bkt_guess) if kind == "mcq"
             else settings.bkt_guess)
            for ok, kind, options in await repository.counted_observations(
                session, submission.profile_id, submission.chapter_id)
        ]
        await progress.replace_answer(
            session, settings, profile_id=submission.profile_id,
            chapter_id=submission.chapter_id, old=(previous[0] or 0, previous[1]),
            new=(score, correct), observations=observations)
    on_commit(_answer_event(submission, question.type))


def _answer_event(submission: Submission, kind: str):
    record = {
        "event_id": str(uuid.uuid5(_EVENT_NAMESPACE, f"submission:{submission.id}")),
        "timestamp": datetime.now(UTC).isoformat(),
        "profile_id": submission.profile_id,
        "event_type": "answer",
        "content_id": submission.question_id,
        # chapter_id (int) and correct (bool) are what the chapter-accuracy report counts.
        "metadata": {"chapter_id": int(submission.chapter_id), "correct": bool(submission.correct),
                     "score": submission.score, "submission_id": submission.id,
                     "question_type": kind, "provisional": submission.provisional,
                     "source": "grading"},
    }

    async def effect(redis) -> None:
        try:
            await append_async(redis, EVENTS_STREAM, [record])
        except Exception:  # noqa: BLE001 - the grade is committed; an analytics gap is not a 5xx
            log.warning("could not log the answer event of submission %s", submission.id,
                        exc_info=True)

    return effect


def can_read(principal: Principal, submission: Submission, parent_id: int | None) -> bool:
    if principal.is_staff:
        return True
    if principal.role == "student":
        return principal.profile_id == submission.profile_id
    return principal.role == "parent" and parent_id == principal.user_id


async def get_visible(session: AsyncSession, principal: Principal, submission_id: int) -> Submission:
    """The submission for its family (the student, their parent) or staff; else 404."""
    submission = await repository.get(session, submission_id)
    if submission is None:
        raise NotFound(NOT_FOUND)
    profile = await profiles_repository.get(session, submission.profile_id)
    if not can_read(principal, submission, profile.parent_id if profile else None):
        raise NotFound(NOT_FOUND)
    return submission
