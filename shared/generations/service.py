"""Generation requests: validate, serve identical finished work from cache, else queue a job."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.ext.asyncio import AsyncSession

from shared import limits
from shared.auth.tokens import Principal
from shared.config import Settings
from shared.curriculum import repository as curriculum_repository
from shared.errors import AppError, NotFound
from shared.generations.schemas import GenerationIn
from shared.jobs import repository as jobs_repository
from shared.jobs import service as jobs
from shared.jobs.models import Job
from shared.profiles import repository as profiles_repository

ACTOR = "generations.generate"
# Bumped whenever what a generation produces for the same parameters changes, so old cached
# work is not served for a new template.
TEMPLATE_VERSION = {"explanation": "explanation-v1", "questions": "questions-v1"}
DEFAULT_ANALOGY = "things you see every day"
SUPPORTED_KINDS = ("explanation",)


def cache_key(params: dict) -> str:
    blob = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


async def request(
    session: AsyncSession, redis, settings: Settings, principal: Principal, data: GenerationIn
) -> Job:
    """Create the job for a generation request (possibly already succeeded from cache)."""
    if data.kind not in SUPPORTED_KINDS:
        raise AppError(f"Generation of kind {data.kind!r} is not available yet.", status_code=422)
    chapter = await curriculum_repository.get(session, data.chapter_id)
    if chapter is None:
        raise NotFound(f"Chapter {data.chapter_id} not found.")
    grade = data.grade
    if principal.profile_id is not None:
        profile = await profiles_repository.get(session, principal.profile_id)
        if profile is None:
            raise NotFound("Profile not found.")
        grade = profile.current_grade if grade is None else grade
        await limits.take_daily_generation(redis, profile.id, limits.effective_daily_limit(
            settings.daily_generation_limit, profile.daily_generation_limit))
    params = {
        "kind": data.kind,
        "chapter_id": chapter.id,
        "topic": data.topic or chapter.chapter_name,
        "analogy": data.analogy or DEFAULT_ANALOGY,
        "grade": chapter.grade if grade is None else grade,
        "template": TEMPLATE_VERSION[data.kind],
    }
    key = cache_key(params)
    if not data.force:
        done = await jobs_repository.latest_succeeded_by_cache_key(session, key)
        if done is not None:
            return await jobs.create_from_cache(
                session, principal, kind=data.kind, payload=params, source=done
            )
    return await jobs.create(
        session, principal, kind=data.kind, actor=ACTOR, payload=params, cache_key=key
    )
