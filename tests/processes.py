"""Start StudyForge's real processes (`studyforge serve`, `studyforge worker`) for tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from shared.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def settings_env(settings: Settings, **overrides) -> dict[str, str]:
    """The environment that makes a child process use these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYFORGE_")}
    values = {
        "ENVIRONMENT": settings.environment, "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url, "JWT_SECRET": settings.jwt_secret,
        "DATA_DIR": settings.data_dir, "BROKER_NAMESPACE": settings.broker_namespace,
    }
    values.update({k.upper(): str(v) for k, v in overrides.items()})
    env.update({f"STUDYFORGE_{k}": v for k, v in values.items() if v != ""})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def studyforge(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run `studyforge ARGS` in its own process group; stop it (and its children) after."""
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "studyforge", *args], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        kill_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_group(proc, signal.SIGKILL)
            proc.wait(timeout=5)


def kill_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def wait_log(log: Path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{text!r} not in {log} within {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")
