"""Grade a short answer with the ``grading`` route; the offline grader when no model can.

The model's reply is validated against ``GradingOut`` (integer score 0..10, feedback,
flagged) by the chain: an off-range or malformed reply is a failed attempt (retried or passed
to the next link) and is never stored. A grade from the offline grader, whether it answered as
the route's last link or because every link failed, is *provisional*: the re-grade sweep
(``pipelines.grading.regrade``) replaces it once a model answers again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.ai import config as ai_config
from pipelines.ai import offline_grading
from pipelines.ai.chain import ChainFailed, run_task
from pipelines.grading import injection, prompt
from shared.ai.defaults import OFFLINE_GRADER_MODEL
from shared.config import Settings
from shared.content.models import Question


class NoModelRoute(Exception):
    """The grading route lists no model (offline only): nothing to re-grade with."""


@dataclass
class Grade:
    score: int
    feedback: str
    graded_by: str
    provisional: bool
    reasons: list[str] = field(default_factory=list)
    template_version: int | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def reference_and_rubric(question: Question) -> tuple[str, str]:
    """The stored ``correct_answer`` {"reference", "rubric"} (older shapes tolerated)."""
    spec = question.correct_answer
    if isinstance(spec, dict):
        reference = spec.get("reference") or spec.get("text") or spec.get("answer") or ""
        return str(reference), str(spec.get("rubric") or "")
    return str(spec or ""), ""


async def model_route(*, redis, settings: Settings, db) -> list:
    config = await ai_config.current(db=db, redis=redis, settings=settings)
    links = [link for link in config.routes["grading"].chain if link.provider != "offline"]
    if not links:
        raise NoModelRoute("the grading route has no model link")
    return links


async def grade_short(
    *, question: Question, answer: str, grade: int | None, settings: Settings, redis, db,
    job_id: str | None = None, models_only: bool = False, nonce: str | None = None,
) -> Grade:
    """Grade one short answer; raises ``ChainFailed``/``NoModelRoute`` only if ``models_only``."""
    screened = injection.screen(answer)
    reference, rubric = reference_and_rubric(question)
    variables = prompt.variables(question=question.question_text, reference=reference,
                                 rubric=rubric, grade=grade, screened=screened, nonce=nonce)
    route = await model_route(redis=redis, settings=settings, db=db) if models_only else None
    reasons = list(screened.reasons)
    try:
        result = await run_task("grading", variables, redis=redis, settings=settings, db=db,
                                job_id=job_id, route=route)
    except ChainFailed:
        if models_only:
            raise
        data = offline_grading.grade(question=question.question_text,
                                     student_answer=screened.text, reference_answer=reference)
        if data["flagged"]:
            reasons.append("offline_rule")
        return Grade(score=data["score"], feedback=data["feedback"],
                     graded_by=f"offline/{OFFLINE_GRADER_MODEL}", provisional=True,
                     reasons=sorted(set(reasons)))
    data = result.data
    if data.get("flagged"):
        reasons.append("model" if result.provider != "offline" else "offline_rule")
    return Grade(
        score=max(0, min(10, int(data["score"]))), feedback=str(data["feedback"]).strip(),
        graded_by=result.model, provisional=result.provider == "offline",
        reasons=sorted(set(reasons)), template_version=result.template_version,
    )
