"""Agreement between a grader and human grades on a labelled set (docs/grading.md).

    uv run python -m pipelines.grading.agreement tests/grading/data/labelled_sample.jsonl
    uv run python -m pipelines.grading.agreement FILE --models   # also the configured route

Each line of FILE: {"id", "grade", "question", "reference", "rubric", "answer",
"human_score"}. Reports quadratic weighted kappa (the usual automated-essay-scoring measure:
1 = perfect, 0 = chance, <0 = worse than chance), exact agreement, agreement within 1 and 2
points, and mean absolute error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from pipelines.ai import offline_grading
from pipelines.grading import injection


def quadratic_weighted_kappa(a: list[int], b: list[int], *, low: int = 0, high: int = 10) -> float:
    """Cohen's kappa with quadratic weights over the integer scale ``low..high``."""
    if len(a) != len(b) or not a:
        raise ValueError("two equally long, non-empty lists of scores are needed")
    k = high - low + 1
    observed = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        observed[x - low][y - low] += 1
    n = len(a)
    rows = [sum(row) for row in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            num += weight * observed[i][j]
            den += weight * rows[i] * cols[j] / n
    return 1.0 if den == 0 else 1.0 - num / den


def within(a: list[int], b: list[int], tolerance: int) -> float:
    return sum(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True)) / len(a)


def report(human: list[int], machine: list[int]) -> dict:
    return {
        "n": len(human),
        "qwk": round(quadratic_weighted_kappa(human, machine), 3),
        "exact": round(within(human, machine, 0), 3),
        "within_1": round(within(human, machine, 1), 3),
        "within_2": round(within(human, machine, 2), 3),
        "mean_abs_error": round(sum(abs(x - y) for x, y in zip(human, machine, strict=True))
                                / len(human), 2),
    }


def load(path: str | Path) -> list[dict]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def offline_scores(items: list[dict]) -> list[int]:
    """What the offline grader (the provisional fallback) gives each answer."""
    return [
        offline_grading.grade(question=item["question"], reference_answer=item["reference"],
                              student_answer=injection.screen(item["answer"]).text)["score"]
        for item in items
    ]


async def model_scores(items: list[dict], settings) -> list[int]:
    """What the configured grading route's models give (offline excluded)."""
    from pipelines.grading.grade import grade_short
    from shared.content.models import Question
    from shared.db import create_engine, session_factory
    from shared.redis import async_client

    engine, redis = create_engine(settings), async_client(settings)
    try:
        sessions = session_factory(engine)
        scores = []
        for item in items:
            question = Question(type="short", question_text=item["question"],
                                correct_answer={"reference": item["reference"],
                                                "rubric": item["rubric"]})
            grade = await grade_short(question=question, answer=item["answer"],
                                      grade=item.get("grade"), settings=settings, redis=redis,
                                      db=sessions, models_only=True)
            scores.append(grade.score)
        return scores
    finally:
        await redis.aclose()
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--models", action="store_true",
                        help="also grade with the configured grading route (calls the models)")
    args = parser.parse_args(argv)
    items = load(args.path)
    human = [int(item["human_score"]) for item in items]
    results = {"offline/overlap-v1": report(human, offline_scores(items))}
    if args.models:
        from shared.config import get_settings

        results["grading route"] = report(human, asyncio.run(model_scores(items, get_settings())))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
