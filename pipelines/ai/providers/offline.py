"""The built-in offline generator as a provider like the others.

It answers every task without a model: explanations from ``pipelines.ai.offline`` (the
foundation's template generator), questions and distractors from the curriculum, grading by
overlap with the reference answer. Its output is labelled ``offline/<model>`` and costs
nothing; it never pretends to be a model.
"""

from __future__ import annotations

import asyncio
import json

from pipelines.ai import offline, offline_grading, offline_questions
from pipelines.ai.providers.base import (
    PermanentError,
    Provider,
    ProviderReply,
    ProviderRequest,
)
from shared.ai.outputs import ExplanationOut
from shared.config import Settings

DEFAULT_ANALOGY = "things you see every day"


class OfflineProvider(Provider):
    name = "offline"
    price_provider = None  # no money changes hands: the chain records cost 0, not "unknown"

    def __init__(self, settings: Settings) -> None:
        self.latency = settings.offline_latency_ms / 1000

    async def generate(self, request: ProviderRequest) -> ProviderReply:
        if self.latency:
            # Lets demos and benchmarks behave like a model that takes time to answer.
            await asyncio.sleep(self.latency)
        data = _build(request.task, request.variables)
        return ProviderReply(text=json.dumps(data, ensure_ascii=False))


def _build(task: str, v: dict) -> dict:
    chapter = v.get("chapter") or v.get("topic") or "this chapter"
    subject = v.get("subject") or "school"
    if task == "explanation":
        body = offline.explanation(
            subject=subject,
            chapter=chapter,
            topic=v.get("topic") or chapter,
            analogy=v.get("analogy") or DEFAULT_ANALOGY,
            grade=int(v.get("grade") or 0),
        )
        # Keep exactly the schema's fields (the generator also names itself in "generator").
        return {key: body[key] for key in ExplanationOut.model_fields}
    if task == "questions":
        return offline_questions.questions(
            subject=subject,
            chapter=chapter,
            topics=list(v.get("topics") or [v.get("topic") or chapter]),
            count=int(v.get("count") or 5),
            difficulty=v.get("difficulty") or "medium",
            grade=v.get("grade"),
        )
    if task == "distractors":
        return offline_questions.distractors(
            question=v.get("question") or "",
            correct_answer=str(v.get("correct_answer") or ""),
            count=int(v.get("count") or 3),
        )
    if task == "grading":
        return offline_grading.grade(
            question=v.get("question") or "",
            # The grading pipeline passes the bare answer beside the fenced prompt variable.
            student_answer=v.get("answer_text", v.get("student_answer")) or "",
            reference_answer=v.get("reference_answer") or "",
        )
    raise PermanentError(f"the offline generator has no {task!r} task")
