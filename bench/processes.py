"""Benchmark processes: a free port, a process tree started and stopped as a whole, and the
CPU time and memory of such a tree (Linux /proc). Shared by the AI and batch benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from bench.common import ROOT


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU time used so far by ``root_pid`` and its children."""
    total = 0.0
    for pid in tree(root_pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mb(root_pid: int) -> float:
    """Resident memory of the largest process in ``root_pid``'s tree (the worker process)."""
    best = 0.0
    for pid in tree(root_pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    best = max(best, int(line.split()[1]) / 1024)
    return best


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], ready: str, log_path: Path):
    log = open(log_path, "w")  # noqa: SIM115 - closed below, after the process ends
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while ready not in log_path.read_text():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{args} did not start; see {log_path}")
            time.sleep(0.1)
        yield proc
    finally:
        # The whole session: Dramatiq's main process alone would leave its worker process
        # consuming the claimed Redis index after the benchmark is gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()
