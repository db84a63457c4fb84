"""Fixtures for grading: questions written straight through the models, and settings that
point every provider at the fake LLM server."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from pipelines.ai import config as ai_config
from shared.config import Settings
from shared.content.models import ContentBlock, Question
from shared.db import create_engine, session_factory
from tests.conftest import TEST_SECRET
from tests.fakes.fixtures import fake_llm, fake_llm_server  # noqa: F401

FAST = {
    # Small waits keep fault tests quick; the logic is the same as with production values.
    "ai_backoff_initial_seconds": 0.01,
    "ai_backoff_max_seconds": 0.05,
    "ai_max_attempts": 2,
    "ai_circuit_failure_threshold": 100,
    "ai_circuit_cooldown_seconds": 0.5,
    "ai_task_deadline_seconds": 20.0,
    "ai_max_in_flight": {},
}

GOOD_GRADE = {"score": 8, "feedback": "Well done: you said plants use sunlight.", "flagged": False}


def model_settings(settings: Settings, fake, **overrides) -> Settings:
    """The test run's database and Redis, with Gemini, OpenAI and Ollama on the fake server."""
    values = settings.model_dump()
    values.update(
        openai_api_key="sk-test", openai_base_url=fake.openai_base_url,
        gemini_api_key="gm-test", gemini_base_url=fake.gemini_base_url,
        ollama_host=fake.ollama_host, **FAST, **overrides,
    )
    return Settings(**values)


@pytest.fixture
def grading_settings(settings, fake_llm) -> Settings:  # noqa: F811
    return model_settings(settings, fake_llm)


@pytest.fixture
async def sessions(settings):
    engine = create_engine(settings)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def redis(redis_url):
    client = aioredis.Redis.from_url(redis_url)
    # Circuit and limit state of an earlier test must not leak into this one.
    keys = [key async for key in client.scan_iter("studyforge:ai:*")]
    if keys:
        await client.delete(*keys)
    ai_config.forget()
    yield client
    await client.aclose()


SHORT = {"type": "short", "question_text": "How do plants make their food?",
         "correct_answer": {"reference": "Plants use sunlight, water and carbon dioxide to make "
                                         "sugar in their leaves (photosynthesis).",
                            "rubric": "Full marks name sunlight and at least one of water or "
                                      "carbon dioxide; half marks for sunlight alone."}}
MCQ = {"type": "mcq", "question_text": "What is 1/2 + 1/4?",
       "options": ["3/4", "2/6", "1/8", "2/4"],
       "correct_answer": {"index": 0, "text": "3/4", "explanation": "1/2 is 2/4, and 2/4 + 1/4 "
                                                                   "is 3/4."}}


async def add_questions(sessions, chapter_id: int, *specs: dict, status: str = "approved"
                        ) -> list[int]:
    """A questions content block for the chapter holding ``specs``; returns question ids."""
    async with sessions() as session:
        block = ContentBlock(chapter_id=chapter_id, type="questions", content_json={},
                             ai_model_used="test/fixture", status=status)
        session.add(block)
        await session.flush()
        questions = [Question(**{"content_block_id": block.id, "difficulty": "easy",
                                 "options": None, **spec}) for spec in specs]
        session.add_all(questions)
        await session.commit()
        return [q.id for q in questions]


__all__ = ["MCQ", "SHORT", "TEST_SECRET", "add_questions", "model_settings"]
