"""Run every benchmark, one after another, and rewrite docs/benchmarks.md's summary from the run.

    uv run python -m bench.run_all --quick        # modest sizes, ~6-15 min on 2 shared cores
    uv run python -m bench.run_all                # the sizes the goals are written for (long)
    uv run python -m bench.run_all --only hot_paths --only events_flush --no-docs
    uv run python -m bench.run_all --render bench/out/<run>/run.json   # re-render a saved run

Each script runs as its own process with STUDYFORGE_BENCH_JSON pointing at a file it writes its
figures to (bench/results.py); its output goes to bench/out/<run>/<name>.log. The load average is
sampled while each one runs, since the machine is shared. The summary (bench/summary.py: each
figure beside its same-run baseline and its goal, met or not) replaces the generated block at the
top of docs/benchmarks.md, but only when every benchmark of the profile finished: a partial or
failed run is printed and saved, never half-written into the docs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import ROOT, machine
from bench.results import ENV
from bench.summary import render, splice

DOC = ROOT / "docs" / "benchmarks.md"

# name: (quick arguments, full arguments). Full = the sizes the issues' goals name; quick keeps
# the sizes that decide a goal where that is cheap (1,000 AI jobs, the 200-item batch) and
# shrinks the rest.
PROFILES: dict[str, tuple[list[str], list[str]]] = {
    "hot_paths": (["--rounds", "1", "--seconds", "3"], ["--rounds", "3", "--seconds", "10"]),
    "events_ingest": (["--rounds", "1", "--seconds", "3"], ["--rounds", "3", "--seconds", "10"]),
    "events_flush": (["--events", "200000", "--rounds", "1"], ["--events", "1000000", "--rounds", "3"]),
    "events_dashboards": (["--events", "200000"], ["--events", "10000000"]),
    "ai_reports": (["--attempts", "1000000", "--runs", "3"], ["--attempts", "10000000"]),
    "ops_middleware": (["--messages", "1000", "--rounds", "1"], ["--messages", "3000", "--rounds", "3"]),
    "ai_providers": (["--calls", "300", "--rounds", "1"], ["--calls", "1000", "--rounds", "3"]),
    "ai_chain": (["--jobs", "1000", "--rounds", "1"], ["--jobs", "1000", "--rounds", "3"]),
    "batch_pacing": (["--rounds", "1"], ["--rounds", "3"]),
    "load_students": (["--students", "50", "--seconds", "30"], ["--students", "200", "--seconds", "120"]),
}


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def run_one(name: str, args: list[str], out: Path, timeout: float) -> dict:
    """Run one benchmark script; its figures, command, wall time and the load average meanwhile."""
    json_path, log_path = out / f"{name}.json", out / f"{name}.log"
    command = shlex.join(["uv", "run", "python", "-m", f"bench.{name}", *args])
    env = {**os.environ, ENV: str(json_path)}
    loads, started = [os.getloadavg()[0]], time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", f"bench.{name}", *args], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    status = None
    while status is None:
        try:
            code = proc.wait(timeout=5)
            status = "ok" if code == 0 and json_path.exists() else f"exit {code}, see {log_path}"
        except subprocess.TimeoutExpired:
            loads.append(os.getloadavg()[0])
            if time.monotonic() - started > timeout:
                _stop(proc)
                status = f"timed out after {timeout:.0f} s, see {log_path}"
    result = {"bench": name, "command": command, "status": status, "wall": time.monotonic() - started,
              "load_mean": sum(loads) / len(loads), "load_max": max(loads), "log": str(log_path)}
    if status == "ok":
        result.update(figures=json.loads(json_path.read_text())["figures"])
    return result


def _stop(proc: subprocess.Popen) -> None:
    """End the benchmark (its own process group, which we created), politely first.

    SIGINT first: the scripts start their servers and workers in sessions of their own, which
    a signal to this group does not reach; KeyboardInterrupt runs the scripts' cleanup, which
    stops them (SIGTERM would end the script at once and leave them running).
    """
    started = descendants(proc.pid)  # before it dies and its children are re-parented
    for sig, wait in ((signal.SIGINT, 60), (signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # asyncio on Python 3.11 can lose the cancellation SIGINT starts (asyncio.wait_for,
    # gh-86296), so a script may die without its cleanup: end what it started, by pid.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        time.sleep(10 if sig == signal.SIGTERM else 0)


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (children first found, then theirs)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            children.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(
                int(stat.parent.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="modest sizes (~6-15 min in all)")
    parser.add_argument("--only", action="append", choices=sorted(PROFILES), help="run only these (repeat)")
    parser.add_argument("--skip", action="append", choices=sorted(PROFILES), default=[], help="skip these")
    parser.add_argument("--args", action="append", default=[], metavar="NAME=ARGS",
                        help="replace one benchmark's arguments, e.g. 'events_dashboards=--events 1000000'")
    parser.add_argument("--timeout", type=float, help="seconds per benchmark (default 900 quick, 7200 full)")
    parser.add_argument("--no-docs", action="store_true", help="print the summary, leave the docs alone")
    parser.add_argument("--render", type=Path, metavar="RUN_JSON", help="render a saved run into the docs")
    opts = parser.parse_args()

    if opts.render:
        run = json.loads(opts.render.read_text())
        write_docs(run, opts.no_docs)
        return

    profile = "quick" if opts.quick else "full"
    chosen = [n for n in (opts.only or PROFILES) if n not in opts.skip]
    overrides = dict(a.split("=", 1) for a in opts.args)
    timeout = opts.timeout or (900 if opts.quick else 7200)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "out" / f"{stamp}-{profile}"
    out.mkdir(parents=True, exist_ok=True)
    run = {"command": shlex.join(["uv", "run", "python", "-m", "bench.run_all", *sys.argv[1:]]),
           "profile": profile, "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
           "commit": git_commit(), "machine": machine(), "load_start": list(os.getloadavg()),
           "benches": [], "complete": False}
    started = time.monotonic()
    print(f"{run['machine']}; load average {run['load_start']}; output in {out}", flush=True)
    for i, name in enumerate(chosen, 1):
        args = shlex.split(overrides[name]) if name in overrides else PROFILES[name][0 if opts.quick else 1]
        print(f"[{i}/{len(chosen)}] {name} {shlex.join(args)} ...", end=" ", flush=True)
        result = run_one(name, args, out, timeout)
        run["benches"].append(result)
        print(f"{result['status']} in {result['wall']:.0f} s (load {result['load_mean']:.1f} mean, "
              f"{result['load_max']:.1f} max)", flush=True)
    run.update(wall=time.monotonic() - started, load_end=list(os.getloadavg()),
               complete=len(chosen) == len(PROFILES) and all(b["status"] == "ok" for b in run["benches"]))
    (out / "run.json").write_text(json.dumps(run, indent=1))
    print(f"\nsaved {out / 'run.json'}")
    write_docs(run, opts.no_docs)


def write_docs(run: dict, no_docs: bool) -> None:
    summary = render(run)
    print("\n" + summary)
    if no_docs:
        return
    if not run["complete"]:
        print(f"not writing {DOC.relative_to(ROOT)}: the run is partial or a benchmark failed "
              "(the summary above is saved with the run)")
        return
    DOC.write_text(splice(DOC.read_text(), summary))
    print(f"wrote the summary into {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
