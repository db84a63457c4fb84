"""Generation requests: validate, serve identical finished work from cache, else queue a job.

"Identical" means the same parameters (kind, chapter, topic, analogy, grade, count,
difficulty), the same pipeline version, and the same AI configuration for the tasks the kind
uses (each task's prompt template version and route): ``config_fingerprint``. Work a reviewer
rejected is never served again. Identical requests in flight at once are folded into one
generation by the worker (pipelines/generations/inflight.py).
"""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared import limits
from shared.ai import service as ai_service
from shared.ai.service import AIConfig
from shared.auth.tokens import Principal
from shared.config import Settings
from shared.curriculum import repository as curriculum_repository
from shared.curriculum.models import Chapter
from shared.db import utcnow
from shared.errors import NotFound
from shared.generations import repository
from shared.generations.schemas import GenerationIn
from shared.jobs import repository as jobs_repository
from shared.jobs.models import Job
from shared.profiles import repository as profiles_repository
from shared.queue import enqueue

ACTOR = "generations.generate"
# Bumped whenever what a generation produces for the same parameters changes, so old cached
# work is not served for a new pipeline (v2: moderated and reviewable).
TEMPLATE_VERSION = {"explanation": "explanation-v2", "questions": "questions-v1"}
# The AI tasks each kind runs: their templates and routes are part of "identical".
KIND_TASKS = {"explanation": ("explanation",), "questions": ("questions", "distractors")}
DEFAULT_ANALOGY = "things you see every day"
DEFAULT_COUNT = 5
DEFAULT_DIFFICULTY = "medium"


def cache_key(params: dict) -> str:
    blob = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def config_fingerprint(config: AIConfig, kind: str) -> str:
    """A short hash of the template versions and routes the kind's tasks would use now."""
    parts = {
        task: {
            "template": config.templates[task].version,
            "route": [link.model_dump(mode="json") for link in config.routes[task].chain],
        }
        for task in KIND_TASKS[kind]
    }
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def generation_params(
    chapter: Chapter, *, kind: str, topic: str | None = None, analogy: str | None = None,
    grade: int | None = None, count: int | None = None, difficulty: str | None = None,
) -> dict:
    """The normalised parameters of a request (defaults filled in): the cache identity."""
    params = {
        "kind": kind,
        "chapter_id": chapter.id,
        "topic": topic or chapter.chapter_name,
        "grade": chapter.grade if grade is None else grade,
        "template": TEMPLATE_VERSION[kind],
    }
    if kind == "explanation":
        params["analogy"] = analogy or DEFAULT_ANALOGY
    else:
        params["count"] = count or DEFAULT_COUNT
        params["difficulty"] = difficulty or DEFAULT_DIFFICULTY
    return params


async def find_cached(
    session: AsyncSession, settings: Settings, params: dict, *, config: AIConfig | None = None
) -> Job | None:
    """Finished work identical to ``params`` under today's AI configuration, or None."""
    candidates = await repository.recent_generated(session, cache_key(params))
    if not candidates:
        return None
    config = config or await ai_service.load_config(session, settings)
    return reusable(candidates, config_fingerprint(config, params["kind"]))


def reusable(candidates: list[Job], fingerprint: str) -> Job | None:
    """The newest of ``candidates`` made under the AI configuration ``fingerprint``."""
    return next((job for job in candidates
                 if (job.result or {}).get("config") == fingerprint), None)


async def create_generation_job(
    session: AsyncSession,
    settings: Settings,
    *,
    created_by: int | None,
    profile_id: int | None = None,
    params: dict,
    force: bool = False,
    queue_name: str = "default",
    config: AIConfig | None = None,
    extra: dict | None = None,
) -> Job:
    """A job for ``params`` (from ``generation_params``): born ``succeeded`` from the cache
    unless ``force``, else ``queued`` with its message sent after the caller's commit.

    ``extra`` goes into the job's payload but not into the cache identity (a batch id);
    ``config`` saves reloading routes and templates when creating many jobs.
    """
    key = cache_key(params)
    kind = params["kind"]
    payload = {**params, "force": force, **(extra or {})}
    if not force:
        source = await find_cached(session, settings, params, config=config)
        if source is not None:
            now = utcnow()
            return await jobs_repository.add(
                session, id=str(uuid.uuid4()), kind=kind, status="succeeded", progress=1.0,
                stage="cached", payload=payload, result={**source.result, "cached": True},
                created_by=created_by, profile_id=profile_id, cache_key=key,
                started_at=now, finished_at=now,
            )
    job = await jobs_repository.add(
        session, id=str(uuid.uuid4()), kind=kind, status="queued", progress=0.0,
        stage="queued", payload=payload, created_by=created_by, profile_id=profile_id,
        cache_key=key,
    )
    enqueue(ACTOR, queue_name=queue_name, job_id=job.id)
    return job


async def request(
    session: AsyncSession, redis, settings: Settings, principal: Principal, data: GenerationIn
) -> Job:
    """Create the job for a student's (or parent's, or staff's) generation request."""
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
    params = generation_params(
        chapter, kind=data.kind, topic=data.topic, analogy=data.analogy, grade=grade,
        count=data.count, difficulty=data.difficulty,
    )
    return await create_generation_job(
        session, settings, created_by=principal.user_id, profile_id=principal.profile_id,
        params=params, force=data.force,
    )
