"""Practice questions: the ``questions`` route writes them, the ``distractors`` route writes
the wrong options of each multiple-choice one (the seed: a cheap local model), so one job
calls two routes and every stored question says which model made which part.
"""

from __future__ import annotations

import asyncio
import random

from pydantic import ValidationError

from pipelines.ai.chain import ChainFailed
from pipelines.generations.produced import GenerationFailed, Produced
from shared.ai.language import normalized
from shared.content.schemas import QuestionRecord

WRONG_OPTIONS = 3  # asked of the distractors route: 4 options in all
MIN_WRONG, MAX_WRONG = 2, 4  # the stored format allows 3 to 5 options


async def produce(variables: dict, *, params: dict, run) -> Produced:
    count, difficulty = params["count"], params["difficulty"]
    try:
        answer = await run("questions", {**variables, "count": count, "difficulty": difficulty})
    except ChainFailed as exc:
        raise GenerationFailed.from_chain(exc) from None
    items = answer.data["questions"][:count]  # a model that writes extra is cut, not failed
    mcqs = [item for item in items if item["type"] == "mcq"]
    # One call per multiple-choice question, all at once: each is small and independent.
    wrong_sets = await asyncio.gather(*(
        _distractors(item, variables, run) for item in mcqs))
    by_item = {id(item): found for item, found in zip(mcqs, wrong_sets, strict=True)}
    results = [answer] + [found[2] for found in wrong_sets if found[2] is not None]

    records, dropped = [], 0
    for item in items:
        record = _record(item, difficulty, answer.model, by_item.get(id(item)))
        if record is None:
            dropped += 1
        else:
            records.append(record)
    if not records:
        raise GenerationFailed("invalid_output",
                               "No usable question came back: every multiple-choice question "
                               "lacked enough distinct wrong options.")
    distractor_models = sorted({r.distractors_model for r in records if r.distractors_model})
    content = {
        "title": f"Practice questions: {params['topic']}",
        "topic": params["topic"],
        "difficulty": difficulty,
        "count": len(records),
        "questions_model": answer.model,
        "distractors_model": distractor_models[0] if len(distractor_models) == 1
        else (distractor_models or None),
    }
    to_moderate = [("title", content["title"])] + [
        (f"question {n}", _all_text(record)) for n, record in enumerate(records, start=1)
    ]
    return Produced(
        type="questions", content_json=content, model=answer.model, to_moderate=to_moderate,
        questions=records, results=results,
        extra={"template_version": answer.template_version,
               "distractors_model": content["distractors_model"], "dropped": dropped},
    )


async def _distractors(item: dict, variables: dict, run):
    """(wrong options, model) from the distractors route; ([], None, None) if it failed."""
    try:
        found = await run("distractors", {
            "question": item["question_text"], "correct_answer": item["correct_answer"],
            "count": WRONG_OPTIONS, "grade": variables.get("grade"),
            "subject": variables.get("subject"),
        })
    except ChainFailed:
        # The question's own options stand in (below); the question says so (no model).
        return [], None, None
    return found.data["distractors"], found.model, found


def _record(item: dict, difficulty: str, model: str, distractors) -> QuestionRecord | None:
    if item["type"] == "short":
        rubric = item["rubric"].strip() or (
            "Full marks for an answer that says what the reference answer says, in the "
            "student's own words.")
        return QuestionRecord(
            type="short", question_text=item["question_text"], options=None,
            correct_answer={"reference": item["correct_answer"], "rubric": rubric},
            difficulty=difficulty, ai_model_used=model,
        )
    correct = next(option for option in item["options"]
                   if normalized(option) == normalized(item["correct_answer"])).strip()
    route_wrong, route_model = (distractors or ([], None))[:2]
    seen = {normalized(correct)}
    wrong = _distinct(route_wrong, seen, limit=MAX_WRONG)
    from_route = bool(wrong)
    if len(wrong) < MIN_WRONG:
        # Too few from the distractors route: top up with the question's own wrong options.
        wrong += _distinct(item["options"], seen, limit=WRONG_OPTIONS - len(wrong))
    if len(wrong) < MIN_WRONG:
        return None
    options = [correct, *wrong]
    random.shuffle(options)  # never "the first option is right"
    index = options.index(correct)
    explanation = item["explanation"].strip() or f"The right answer is {correct}."
    try:
        return QuestionRecord(
            type="mcq", question_text=item["question_text"], options=options,
            correct_answer={"index": index, "text": options[index], "explanation": explanation},
            difficulty=difficulty, ai_model_used=model,
            distractors_model=route_model if from_route else None,
        )
    except ValidationError:
        return None


def _distinct(options: list[str], seen: set[str], *, limit: int) -> list[str]:
    """Up to ``limit`` options not in ``seen`` (ignoring case and spacing); updates ``seen``."""
    out = []
    for option in options:
        key = normalized(option)
        if len(out) >= limit:
            break
        if key and key not in seen:
            seen.add(key)
            out.append(option.strip())
    return out


def _all_text(record: QuestionRecord) -> str:
    answer = record.correct_answer.model_dump()
    return "\n".join([record.question_text, *(record.options or []),
                      *(str(value) for value in answer.values() if isinstance(value, str))])
