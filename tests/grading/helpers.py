"""Helpers for grading tests: run the grading job in-process, read what the fake LLM heard."""

from __future__ import annotations

from pipelines.grading.jobs import grade_job
from shared.db import session_scope
from shared.grading import repository
from shared.jobs import repository as jobs_repository
from shared.queue import Dispatcher
from tests.driver import bearer
from workers import runner
from workers.resources import Resources


async def submit_short(client, token: str, question_id: int, answer: str) -> dict:
    r = await client.post(f"/questions/{question_id}/answers", json={"answer": answer},
                          headers=bearer(token))
    assert r.status_code == 202, r.text
    return r.json()


async def run_job(settings, sessions, redis, job_id: str) -> dict:
    """What the ``grading.grade_answer`` actor does, in this process: the real job runner
    (claim, work, finish exactly once) around the grading pipeline; returns the job's result."""
    res = Resources(settings, None, sessions, redis, Dispatcher(redis, settings.broker_namespace))

    async def work(session, job, _ctx):
        return await grade_job(session, job, settings, redis=redis, sessions=sessions)

    await runner.run_job(res, job_id, work)
    async with sessions() as session:
        job = await jobs_repository.get(session, job_id)
    assert job.status == "succeeded", job.error
    return job.result


async def run_again(settings, sessions, redis, job_id: str) -> dict:
    """The grading pipeline run a second time for a job (a redelivered message racing)."""
    async with sessions() as session:
        job = await jobs_repository.get(session, job_id)
    async with session_scope(sessions, Dispatcher(redis, settings.broker_namespace)) as session:
        return await grade_job(session, job, settings, redis=redis, sessions=sessions)


async def submission(sessions, submission_id: int):
    async with sessions() as session:
        return await repository.get(session, submission_id)


def prompt_of(request: dict) -> tuple[str, str]:
    """(system, user text) of a request the fake LLM received (OpenAI, Gemini or Ollama)."""
    body = request["body"]
    if request["api"] == "gemini":
        system = " ".join(p.get("text", "") for p in
                          (body.get("systemInstruction") or {}).get("parts", []))
        user = "\n".join(p.get("text", "") for c in body.get("contents", [])
                         for p in c.get("parts", []))
        return system, user
    messages = body.get("messages", [])
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    user = "\n".join(m["content"] for m in messages if m["role"] == "user")
    return system, user
