"""Small builders shared by the AI tests."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from shared.ai.models import PromptTemplate
from shared.ai.schemas import RouteLink
from shared.streams import AI_HISTORY_STREAM, AI_RUNS_STREAM

EXPLAIN = {"topic": "Fractions", "chapter": "Fractions", "subject": "Math", "grade": 4,
           "analogy": "pizza"}

GOOD_EXPLANATION = {
    "title": "Fractions with pizza",
    "sections": [{"heading": "Slices", "body": "A fraction is some slices of a whole pizza."}],
    "key_points": ["The bottom number counts the slices of the whole."],
    "analogy": "pizza",
    "grade": 4,
    "topic": "Fractions",
}


def chain(*links) -> list[RouteLink]:
    """``chain(("gemini", "m1"), ("openai", "m2", {"timeout_seconds": 1}))``."""
    return [RouteLink(provider=link[0], model=link[1], params=link[2] if len(link) > 2 else {})
            for link in links]


async def history(redis) -> list[dict]:
    """Every AI history record in the stream, oldest first."""
    records = []
    for _id, fields in await redis.xrange(AI_HISTORY_STREAM):
        records.extend(json.loads(fields[b"data"]))
    return records


async def runs(redis) -> list[dict]:
    """Every task run record in its stream, oldest first."""
    records = []
    for _id, fields in await redis.xrange(AI_RUNS_STREAM):
        records.extend(json.loads(fields[b"data"]))
    return records


async def last_template_id(session) -> int:
    """The newest template row now; rows above it were added by a test and are removed after.

    (Not ``version > 1``: migrations ship later versions too, e.g. grading's version 2.)
    """
    return await session.scalar(select(func.coalesce(func.max(PromptTemplate.id), 0)))
