"""Answers and grading (API.md): MCQs graded in the request, short answers by the worker."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import CurrentPrincipal, IdPath, SessionDep, SettingsDep
from api.errors import ERROR_BODY
from shared.grading import service
from shared.grading.schemas import AnswerIn, AnswerResult, SubmissionOut

router = APIRouter(tags=["grading"], responses={401: ERROR_BODY})


@router.post(
    "/questions/{question_id}/answers", response_model=AnswerResult,
    responses={202: {"model": AnswerResult, "description": "Short answer queued for grading"},
               403: ERROR_BODY, 404: ERROR_BODY, 422: ERROR_BODY, 429: ERROR_BODY,
               503: ERROR_BODY},
)
async def answer(
    question_id: IdPath, body: AnswerIn, principal: CurrentPrincipal, session: SessionDep,
    settings: SettingsDep, response: Response,
) -> AnswerResult:
    """Answer a question as a student (or as a parent for ``profile_id``).

    Multiple choice: graded now (200). Short answer: 202 with a job id; poll
    ``GET /submissions/{submission_id}`` or follow the job.
    """
    result = await service.submit(session, settings, principal, question_id, body)
    if result.status == "pending":
        response.status_code = 202
    return result


@router.get("/submissions/{submission_id}", response_model=SubmissionOut,
            responses={404: ERROR_BODY, 422: ERROR_BODY})
async def get_submission(
    submission_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> SubmissionOut:
    """A submission and its grade, for the child's family or staff."""
    return SubmissionOut.model_validate(
        await service.get_visible(session, principal, submission_id))
