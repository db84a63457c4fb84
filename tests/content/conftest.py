"""A real `studyforge serve` and `studyforge worker` whose providers all point at the fake LLM.

With Gemini, OpenAI and Ollama configured, the default routes are: explanations and questions
on gemini/gemini-2.5-flash, distractors on ollama/llama3.2 (the seed's cheap local model), and
OpenAI's moderation endpoint checks everything generated.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
import redis

from shared.ai.schemas import TASKS
from tests.driver import bearer
from tests.fakes.fixtures import fake_llm, fake_llm_server  # noqa: F401
from tests.processes import free_port, settings_env, studyforge, wait_http, wait_log

QUESTIONS_MODEL = "gemini/gemini-2.5-flash"
DISTRACTORS_MODEL = "ollama/llama3.2"


def provider_env(settings, fake, **overrides) -> dict[str, str]:
    return settings_env(
        settings, gemini_api_key="gm-test", gemini_base_url=fake.gemini_base_url,
        openai_api_key="sk-test", openai_base_url=fake.openai_base_url,
        ollama_host=fake.ollama_host, ai_backoff_initial_seconds=0.01,
        ai_backoff_max_seconds=0.05, ai_circuit_failure_threshold=1000, ai_max_in_flight="{}",
        **overrides,
    )


def reset_ai_state(settings) -> None:
    """Other test modules share this database and Redis: their routes, circuit and limit
    state must not steer these tests."""
    client = redis.Redis.from_url(settings.redis_url)
    keys = list(client.scan_iter("studyforge:ai:*"))
    if keys:
        client.delete(*keys)


# One stack for the whole package: starting and stopping the two processes costs ~20 s.
@pytest.fixture(scope="package")
def stack(settings, fake_llm_server, api, tmp_path_factory):  # noqa: F811
    logs = tmp_path_factory.mktemp("content-logs")
    port = free_port()
    env = provider_env(settings, fake_llm_server)
    reset_ai_state(settings)
    with studyforge(["serve", "--port", str(port)], env, logs / "api.log"), \
         studyforge(["worker", "--processes", "1", "--threads", "4"], env, logs / "worker.log"):
        wait_http(f"http://127.0.0.1:{port}/healthz")
        wait_log(logs / "worker.log", "ready for action")
        base = f"http://127.0.0.1:{port}/api/v1"
        with httpx.Client(base_url=base, headers=bearer(api.admin_token), timeout=10) as admin:
            for task in TASKS:
                assert admin.delete(f"/admin/model-routes/{task}").status_code == 200
        yield base, logs


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


def wait_final(http: httpx.Client, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = http.get(f"/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout}s"
        time.sleep(0.1)


def sse_events(base: str, path: str, token: str, timeout: float = 60) -> list[dict]:
    """A job's event stream, read until the server ends it."""
    events, current = [], {}
    with httpx.stream("GET", base + path, headers=bearer(token), timeout=timeout) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("event:"):
                current["event"] = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                current["data"] = json.loads(line.split(":", 1)[1])
            elif not line and current:
                events.append(current)
                current = {}
    return events


def chat_calls(fake) -> list[str]:
    """"api/model" of every model call the fake saw (moderation excluded), in order."""
    return [f"{r['api']}/{r['model']}" for r in fake.requests if r["api"] != "moderation"]
