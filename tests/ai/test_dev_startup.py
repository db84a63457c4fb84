"""`studyforge dev` picks its AI from what is configured, says which at start-up, and uses it.

Real `studyforge dev` processes (SQLite, in-process Redis, in-process worker): with only
``STUDYFORGE_OPENAI_API_KEY`` set (pointed at the fake server) explanations come from OpenAI;
with nothing set they come from the offline generator.
"""

from __future__ import annotations

import os
import time

import httpx
import pytest

from shared.demo import DEMO_LOGINS
from tests.driver import bearer
from tests.processes import free_port, studyforge, wait_http, wait_log

pytestmark = pytest.mark.timeout(180)


def _env(tmp_path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STUDYFORGE_", "OPENAI_", "GEMINI_", "GOOGLE_", "OLLAMA_"))}
    env.update({"STUDYFORGE_SQLITE_PATH": str(tmp_path / "dev.sqlite3"),
                "STUDYFORGE_DATA_DIR": str(tmp_path / "data")})
    env.update({f"STUDYFORGE_{k.upper()}": v for k, v in values.items()})
    return env


def _explain(base: str) -> dict:
    parent = next(d for d in DEMO_LOGINS if d.role == "parent")
    with httpx.Client(base_url=base, timeout=10) as http:
        token = http.post("/auth/token", data={"username": parent.email,
                                               "password": parent.password}).json()["access_token"]
        child = http.get("/profiles", headers=bearer(token)).json()[0]
        student = http.post("/auth/profile-token", headers=bearer(token),
                            json={"profile_id": child["id"]}).json()["access_token"]
        chapter = http.get("/curriculum", params={"grade": 4}, headers=bearer(student)).json()[0]
        job = http.post("/generations", headers=bearer(student),
                        json={"kind": "explanation", "chapter_id": chapter["id"],
                              "analogy": "pizza"}).json()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = http.get(f"/jobs/{job['job_id']}", headers=bearer(student)).json()
            if state["status"] in ("succeeded", "failed"):
                return state
            time.sleep(0.2)
    raise AssertionError(f"job not final: {state}")


@pytest.mark.parametrize("configured", ["openai", "nothing"])
def test_dev_uses_and_names_the_configured_provider(tmp_path, fake_llm, configured):
    port = free_port()
    values = {"port": str(port)}
    if configured == "openai":
        values |= {"openai_api_key": "sk-dev-test", "openai_base_url": fake_llm.openai_base_url}
    log = tmp_path / "dev.log"
    with studyforge(["dev"], _env(tmp_path, **values), log):
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=90)
        wait_log(log, "AI:")
        ai_line = next(line for line in log.read_text().splitlines() if "AI:" in line)
        job = _explain(f"http://127.0.0.1:{port}/api/v1")
    assert job["status"] == "succeeded", job
    if configured == "openai":
        assert "openai" in ai_line and "offline generator only" not in ai_line, ai_line
        assert job["result"]["model"].startswith("openai/"), job["result"]
        assert fake_llm.calls("openai") >= 1
        assert "sk-dev-test" not in log.read_text()  # the key is never printed
    else:
        assert "offline generator only" in ai_line, ai_line
        assert job["result"]["model"] == "offline/template-v1", job["result"]
        assert fake_llm.calls() == 0
