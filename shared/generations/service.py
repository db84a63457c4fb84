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
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared import cache, limits
from shared.ai import service as ai_service
from shared.ai.service import AIConfig
from shared.auth.tokens import Principal
from shared.config import Settings
from shared.curriculum.models import Chapter
from shared.db import utcnow
from shared.errors import AppError, NotFound
from shared.generations import facts, repository
from shared.generations.schemas import GenerationIn
from shared.jobs import repository as jobs_repository
from shared.jobs.models import Job
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
    """The normalised parameters of a request (defaults filled in): the cache identity.

    ``chapter`` needs only ``id``, ``chapter_name`` and ``grade`` (a row of them will do).
    """
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


def reusable(candidates: list[Job], fingerprint: str) -> Job | None:
    """The newest of ``candidates`` made under the AI configuration ``fingerprint``."""
    return next((job for job in candidates
                 if (job.result or {}).get("config") == fingerprint), None)


def job_row(
    params: dict, *, source: Job | None, force: bool, created_by: int | None,
    profile_id: int | None,
) -> dict:
    """The new job's columns: a finished copy of ``source``'s result, or a queued job."""
    now = utcnow()
    row = {"id": str(uuid.uuid4()), "kind": params["kind"], "cache_key": cache_key(params),
           "payload": {**params, "force": force}, "created_by": created_by,
           "profile_id": profile_id, "created_at": now, "updated_at": now, "attempts": 0,
           "result": None, "error": None, "started_at": None, "finished_at": None}
    if source is None:
        return {**row, "status": "queued", "progress": 0.0, "stage": "queued"}
    return {**row, "status": "succeeded", "progress": 1.0, "stage": "cached",
            "result": {**source.result, "cached": True}, "started_at": now, "finished_at": now}


@dataclass(frozen=True)
class Ask:
    """One generation request: who asks, what, and the HTTP request id for the worker's logs."""

    principal: Principal
    data: GenerationIn
    request_id: str | None = None


@dataclass(frozen=True)
class NewJob:
    """What the caller of ``request_many`` learns about a job it created."""

    id: str
    status: str


async def request_many(
    session: AsyncSession, redis, settings: Settings, asks: list[Ask], *,
    read_cache: cache.ReadCache | None = None,
) -> list[NewJob | AppError]:
    """Create the jobs for several students' (or parents', or staff's) generation requests in
    one unit of work, with a few statements in all (chapters and profiles, from
    ``read_cache`` when given; cached work; one insert) rather than a few per request.

    Each ask gets its job, or the error it alone caused (unknown chapter, daily cap): one
    caller's mistake does not fail the others. Messages go out after the caller's commit.
    """
    chapters, profiles = await facts.load(
        session, read_cache, {a.data.chapter_id for a in asks},
        {a.principal.profile_id for a in asks if a.principal.profile_id is not None})
    outcomes: list[NewJob | AppError | None] = [None] * len(asks)
    planned: list[tuple[int, dict]] = []
    caps: list[tuple[int, int, int | None]] = []
    for i, ask in enumerate(asks):
        data, principal = ask.data, ask.principal
        chapter = chapters.get(data.chapter_id)
        if chapter is None:
            outcomes[i] = NotFound(f"Chapter {data.chapter_id} not found.")
            continue
        grade = data.grade
        if principal.profile_id is not None:
            profile = profiles.get(principal.profile_id)
            if profile is None:
                outcomes[i] = NotFound("Profile not found.")
                continue
            grade = profile.current_grade if grade is None else grade
            caps.append((i, profile.id, limits.effective_daily_limit(
                settings.daily_generation_limit, profile.daily_generation_limit)))
        planned.append((i, generation_params(
            chapter, kind=data.kind, topic=data.topic, analogy=data.analogy, grade=grade,
            count=data.count, difficulty=data.difficulty)))
    for (i, _, _), refused in zip(caps, await limits.take_daily_generations(
            redis, [(profile_id, limit) for _, profile_id, limit in caps]), strict=True):
        outcomes[i] = refused
    planned = [(i, params) for i, params in planned if outcomes[i] is None]
    sources = await _cached_sources(session, settings, asks, planned)
    rows = [job_row(params, source=sources.get(i), force=asks[i].data.force,
                    created_by=asks[i].principal.user_id, profile_id=asks[i].principal.profile_id)
            for i, params in planned]
    await jobs_repository.add_many(session, rows)
    for (i, _), row in zip(planned, rows, strict=True):
        outcomes[i] = NewJob(id=row["id"], status=row["status"])
        if i not in sources:
            enqueue(ACTOR, job_id=row["id"], cause=asks[i].request_id)
    return outcomes


async def _cached_sources(
    session: AsyncSession, settings: Settings, asks: list[Ask], planned: list[tuple[int, dict]]
) -> dict[int, Job]:
    """Finished work to copy, by ask index, for the asks that did not force a new one."""
    keys = {cache_key(params) for i, params in planned if not asks[i].data.force}
    candidates = await repository.recent_generated_many(session, keys)
    if not candidates:
        return {}
    config = await ai_service.load_config(session, settings)
    sources = {}
    for i, params in planned:
        found = candidates.get(cache_key(params)) if not asks[i].data.force else None
        source = reusable(found, config_fingerprint(config, params["kind"])) if found else None
        if source is not None:
            sources[i] = source
    return sources
