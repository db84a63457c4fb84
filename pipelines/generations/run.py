"""One generation job from start to saved: reuse identical work, else generate, moderate, save.

Stages a job's events show: ``queued`` -> ``generating`` (set by the worker's claim) ->
``moderating`` -> ``saved``.
Identical finished work (unless ``force``) and identical work in flight are reused rather than
generated again; the job's result then names the same content as the job that made it.
"""

from __future__ import annotations

import asyncio
import functools

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pipelines.ai import config as ai_config
from pipelines.ai.chain import run_task
from pipelines.generations import explanation, questions
from pipelines.generations.inflight import InFlight
from pipelines.generations.produced import GenerationFailed
from pipelines.moderation import moderate
from shared.config import Settings
from shared.content import service as content
from shared.curriculum import repository as curriculum
from shared.generations import repository as generations
from shared.generations.service import config_fingerprint, reusable
from shared.jobs import repository as jobs
from shared.jobs.models import Job
from shared.queue import on_commit

PRODUCERS = {"explanation": explanation.produce, "questions": questions.produce}
WAIT_POLL_SECONDS = 0.25
MAX_HANDOVERS = 5  # leaders that failed before we stop waiting and generate ourselves


class ChapterGone(Exception):
    """The chapter was deleted between the request and the job."""


async def generate(
    session: AsyncSession, job: Job, progress, settings: Settings, *,
    redis, sessions: async_sessionmaker[AsyncSession],
) -> dict:
    """Write the job's content (or link identical work) and return the job's result.

    Reads happen in short sessions of their own and ``session`` is first used to write: a
    connection held through a model call (seconds) would cap the jobs in flight at the
    database pool size.
    """
    force = bool(job.payload.get("force"))
    if job.kind not in PRODUCERS:
        raise GenerationFailed("unsupported_kind", f"Jobs of kind {job.kind!r} are not supported.")
    config = await ai_config.current(db=sessions, redis=redis, settings=settings)
    fingerprint = config_fingerprint(config, job.kind)
    claim = InFlight(redis, job.cache_key or job.id, job.id,
                     ttl_seconds=settings.generation_inflight_ttl_seconds)
    # One short read session for what the first round needs: each session is a pool checkout
    # and a BEGIN/ROLLBACK round trip of its own.
    async with sessions() as read:
        chapter = await _chapter(read, job.payload)
        candidates = [] if force else await generations.recent_generated(read, job.cache_key or "")
    for round_no in range(MAX_HANDOVERS):
        if not force:
            if round_no:
                async with sessions() as read:
                    candidates = await generations.recent_generated(read, job.cache_key or "")
            done = reusable(candidates, fingerprint)
            if done is not None:
                return _linked(done, "cached")
        holder = await claim.claim()
        if holder is None:
            break
        leader = await _wait_for(holder, claim, sessions)
        if leader is not None and leader.status == "succeeded" and leader.result:
            return _linked(leader, "deduplicated_from")
        if (leader is None or leader.status == "queued") and await claim.take_over(holder):
            break
    else:
        await claim.claim()  # best effort: generate anyway rather than wait forever
    try:
        async with claim.renewing():
            result = await _make(session, job, chapter, progress, settings, redis=redis,
                                 config=config)
    except BaseException:
        await claim.release()
        raise
    result["config"] = fingerprint
    on_commit(claim.release)  # waiting twins read our result once it is committed
    return result


async def _chapter(read: AsyncSession, params: dict) -> dict:
    """What the prompt needs from the job's chapter; ChapterGone if it was deleted."""
    chapter = await curriculum.prompt_facts(read, params["chapter_id"])
    if chapter is None:
        raise ChapterGone(f"Chapter {params['chapter_id']} no longer exists.")
    return {
        "id": chapter.id, "subject": chapter.subject, "chapter": chapter.chapter_name,
        "topics": ", ".join(chapter.topics or []) or chapter.chapter_name,
    }


async def _make(session, job, chapter, progress, settings, *, redis, config) -> dict:
    params = job.payload
    variables = {
        "subject": chapter["subject"], "chapter": chapter["chapter"], "topic": params["topic"],
        "grade": params["grade"], "topics": chapter["topics"],
    }
    chapter_id = chapter["id"]
    run = functools.partial(_run, redis=redis, settings=settings, config=config, job_id=job.id)
    produced = await PRODUCERS[job.kind](variables, params=params, run=run)
    await progress(0.8, "moderating")
    verdict = await moderate(produced.to_moderate, settings)
    status = content.initial_status(flagged=verdict.flagged,
                                    auto_approve=settings.content_auto_approve)
    # No "saving" progress step: the write and the final status commit together right after
    # this returns, and each progress step costs two transactions and a publish.
    block_id, question_ids = await content.save_generated(
        session, chapter_id=chapter_id, job_id=job.id, type=produced.type,
        content_json=produced.content_json, model=produced.model,
        moderation=verdict.as_json(), status=status, questions=produced.questions,
    )
    result = {
        "content_block_id": block_id,
        "model": produced.model,
        "review_status": status,
        "attempts": produced.attempts,
        "cost_usd": produced.cost_usd,
        **produced.extra,
    }
    if job.kind == "questions":
        result["question_ids"] = question_ids
    return result


async def _run(task: str, variables: dict, *, redis, settings, config, job_id):
    return await run_task(task, variables, redis=redis, settings=settings, config=config,
                          job_id=job_id)


async def _wait_for(holder: str, claim: InFlight, sessions) -> Job | None:
    """Wait while the holder's job runs and holds its claim; that job, as it then stands."""
    while True:
        async with sessions() as read:
            leader = await jobs.get(read, holder)
        if leader is None or leader.status != "running":
            return leader  # final, or back in the queue after its worker died
        if await claim.holder() != holder:
            # Released (its commit is visible: re-read) or expired (its worker died).
            async with sessions() as read:
                return await jobs.get(read, holder)
        await asyncio.sleep(WAIT_POLL_SECONDS)


def _linked(source: Job, how: str) -> dict:
    result = {key: value for key, value in source.result.items()
              if key not in ("cached", "deduplicated_from")}
    result[how] = True if how == "cached" else source.id
    if how == "cached":
        result["source_job_id"] = source.id
    return result
