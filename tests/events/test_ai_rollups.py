"""AI history and task runs rollups: ai-cost, ai-fallbacks and job-latency answer from the
per-day rollups exactly as from the rows, and as computed in Python from what was sent, with
flush files pending on a compacted day (quantiles: that day is read whole from rows) and after
a replay."""

from __future__ import annotations

import math
from datetime import timedelta

import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.ai.history import run_summary
from pipelines.events.compact import compact_dataset
from pipelines.events.datasets import AI_HISTORY, AI_RUNS
from pipelines.events.flush import flush_dataset
from pipelines.events.reports import report
from pipelines.events.rollup import RUNS_ROLLUP, summarize
from shared.events.buffer import append
from shared.streams import AI_HISTORY_STREAM, AI_RUNS_STREAM

from .conftest import attempt, now

REPORTS = ("ai-fallbacks", "job-latency")
TASKS = ("explanation", "questions", "distractors")
MODELS = (("gemini", "flash"), ("openai", "mini"), ("ollama", "llama"))


def runs_of_day(day_offset: int, count: int, *, seed: int = 0) -> list[dict]:
    """``count`` task runs on the day ``day_offset`` days ago (see ``attempts_of_day``)."""
    return [run_summary(a) for a in attempts_of_day(day_offset, count, seed=seed)]


def attempts_of_day(day_offset: int, count: int, *, seed: int = 0) -> list[list[dict]]:
    """The attempts of ``count`` task runs on the day ``day_offset`` days ago: most answered
    by the first link, some by a fallback, a few by none, with latencies that make quantiles
    interpolate and costs and tokens that differ per model."""
    start = now().replace(hour=2) - timedelta(days=day_offset)
    runs = []
    for i in range(count):
        k = seed + i
        links = 1 + (k % 7 == 0) + (k % 11 == 0)
        fails = k % 13 == 0
        at = start + timedelta(minutes=5 * i)
        attempts = [
            attempt(f"job-{day_offset}-{k}", *MODELS[n],
                    "ok" if n == links - 1 and not fails else "error",
                    task=TASKS[k % 3], at=at + timedelta(seconds=n),
                    latency_ms=round(40 + (k * 37) % 900 + n * 13.3, 1), attempt_no=1,
                    cost=None if k % 17 == 0 else round(0.0001 * (1 + k % 5 + n), 6))
            for n in range(links)
        ]
        runs.append(attempts)
    return runs


def answers(store, start, end, *, rollups: bool) -> dict[str, list]:
    return {n: report(store, n, start=start, end=end, rollups=rollups)["rows"] for n in REPORTS}


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks, as DuckDB's quantile_cont."""
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def expected(runs: list[dict]) -> dict[str, list]:
    """Both reports computed in Python from the runs sent, each run id once."""
    unique = list({r["run_id"]: r for r in runs}.values())
    moved: dict[tuple, list[int]] = {}
    by_task: dict[tuple, list[dict]] = {}
    for r in unique:
        day = r["timestamp"][:10]
        by_task.setdefault((day, r["task"]), []).append(r)
        if r["answered_by"] != r["first_model"]:
            key = (day, r["task"], r["first_model"], r["answered_by"] or "(failed)")
            counts = moved.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += r["attempts"]
    latency = []
    for (day, task), group in sorted(by_task.items()):
        ms = [r["latency_ms"] for r in group]
        latency.append([
            day, task, len(group), round(quantile(ms, 0.5), 1), round(quantile(ms, 0.95), 1),
            max(ms), round(sum(r["attempts"] for r in group) / len(group), 2),
            sum(not r["ok"] for r in group),
        ])
    return {
        "ai-fallbacks": sorted([*key, n, a] for key, (n, a) in moved.items()),
        "job-latency": latency,
    }


def assert_answers(store, start, end, runs) -> dict[str, list]:
    rolled = answers(store, start, end, rollups=True)
    assert rolled == answers(store, start, end, rollups=False)
    assert {"ai-fallbacks": sorted(rolled["ai-fallbacks"]),
            "job-latency": rolled["job-latency"]} == expected(runs)
    return rolled


def test_run_reports_from_rollups_equal_the_rows_before_and_after_compaction(rclient, store):
    sent = runs_of_day(3, 60) + runs_of_day(2, 50, seed=100) + runs_of_day(1, 40, seed=200)
    append(rclient, AI_RUNS_STREAM, sent)
    flush_dataset(rclient, store, AI_RUNS)
    start, end = now().date() - timedelta(days=5), now().date()
    assert assert_answers(store, start, end, sent)["ai-fallbacks"]  # some runs did fall back

    result = compact_dataset(rclient, store, AI_RUNS)
    assert (result.partitions, result.rollups) == (3, 3)
    assert all(store.listing("ai_runs", d).rollup for d in store.partitions("ai_runs"))
    assert_answers(store, start, end, sent)

    # More runs on a compacted day, and a replay of some already compacted: that day has
    # flush files beside its rollup now.
    more = runs_of_day(2, 30, seed=700)
    append(rclient, AI_RUNS_STREAM, more + sent[60:70])
    flush_dataset(rclient, store, AI_RUNS)
    day = (now() - timedelta(days=2)).date()
    assert store.listing("ai_runs", day).flushes and store.listing("ai_runs", day).rollup
    assert_answers(store, start, end, sent + more)

    compact_dataset(rclient, store, AI_RUNS)
    assert not store.listing("ai_runs", day).flushes
    assert_answers(store, start, end, sent + more)


def test_run_reports_read_the_rollup_and_job_latency_skips_it_on_a_day_with_flush_files(
    rclient, store
):
    sent = runs_of_day(2, 40) + runs_of_day(1, 40, seed=300)
    append(rclient, AI_RUNS_STREAM, sent)
    flush_dataset(rclient, store, AI_RUNS)
    compact_dataset(rclient, store, AI_RUNS)
    start, end = now().date() - timedelta(days=4), now().date()
    honest = answers(store, start, end, rollups=False)
    older, newer = store.partitions("ai_runs")

    # Double every count in both days' rollups: the reports read them, so the answers move.
    for d in (older, newer):
        path = store.listing("ai_runs", d).rollup
        rollup = pq.read_table(path, filesystem=store.fs)
        doubled = rollup.set_column(4, "runs", pc.multiply(rollup["runs"], 2))
        pq.write_table(doubled, path, filesystem=store.fs)
    tampered = answers(store, start, end, rollups=True)
    assert tampered["ai-fallbacks"] != honest["ai-fallbacks"]
    assert tampered["job-latency"] != honest["job-latency"]

    # A flush file on the newer day: job-latency reads that day whole from rows (the doubled
    # rollup no longer counts there), the older day still from its rollup.
    extra = runs_of_day(1, 5, seed=900)
    append(rclient, AI_RUNS_STREAM, extra)
    flush_dataset(rclient, store, AI_RUNS)
    latency = {tuple(r[:2]): r for r in answers(store, start, end, rollups=True)["job-latency"]}
    raw = {tuple(r[:2]): r for r in answers(store, start, end, rollups=False)["job-latency"]}
    for key, row in latency.items():
        if key[0] == newer.isoformat():
            assert row == raw[key]
        else:
            assert row[2] == 2 * raw[key][2]  # the doubled rollup


def cost_expected(attempts: list[dict]) -> list[list]:
    groups: dict[tuple, list] = {}
    for a in {a["request_id"]: a for a in attempts}.values():
        g = groups.setdefault((a["timestamp"][:10], a["provider"], a["model_name"]),
                              [0, 0, 0, None])
        g[0] += 1
        g[1] += a["input_tokens"]
        g[2] += a["output_tokens"]
        if a["cost"] is not None:
            g[3] = (g[3] or 0) + a["cost"]
    return sorted([*k, n, i, o, None if c is None else round(c, 6)]
                  for k, (n, i, o, c) in groups.items())


def test_ai_cost_from_rollups_equals_the_rows_and_python(rclient, store):
    sent = [a for run in attempts_of_day(2, 50) + attempts_of_day(1, 40, seed=100) for a in run]
    append(rclient, AI_HISTORY_STREAM, sent)
    flush_dataset(rclient, store, AI_HISTORY)
    assert compact_dataset(rclient, store, AI_HISTORY).rollups == 2
    more = [a for run in attempts_of_day(1, 20, seed=500) for a in run]
    append(rclient, AI_HISTORY_STREAM, more + sent[:15])  # new attempts and a replay
    flush_dataset(rclient, store, AI_HISTORY)
    start, end = now().date() - timedelta(days=3), now().date()

    def cost(rollups: bool) -> list[list]:
        return report(store, "ai-cost", start=start, end=end, rollups=rollups)["rows"]

    assert cost(True) == cost(False)
    assert sorted(cost(True)) == cost_expected(sent + more)

    # The rollup is what is read: double its calls and the answer moves.
    day = store.partitions("ai_history")[0]
    path = store.listing("ai_history", day).rollup
    rollup = pq.read_table(path, filesystem=store.fs)
    pq.write_table(rollup.set_column(2, "calls", pc.multiply(rollup["calls"], 2)), path,
                   filesystem=store.fs)
    assert cost(True) != cost(False)


def test_run_rollup_layout():
    runs = [run_summary([attempt("a", "gemini", "flash", "ok", latency_ms=100.0)]),
            run_summary([attempt("b", "gemini", "flash", "error", latency_ms=50.0),
                         attempt("b", "openai", "mini", "ok", latency_ms=250.0)]),
            run_summary([attempt("c", "gemini", "flash", "error", latency_ms=30.0)])]
    append_table = AI_RUNS.table(AI_RUNS.columns(runs))
    rows = sorted(summarize(append_table, RUNS_ROLLUP).to_pylist(), key=str)
    none = {"failed": None, "max_ms": None, "p50_ms": None, "p95_ms": None}
    assert rows == sorted([
        {"kind": "fallback", "task": "explanation", "first_model": "gemini/flash",
         "answered_by": "gemini/flash", "runs": 1, "attempts": 1, **none},
        {"kind": "fallback", "task": "explanation", "first_model": "gemini/flash",
         "answered_by": "openai/mini", "runs": 1, "attempts": 2, **none},
        {"kind": "fallback", "task": "explanation", "first_model": "gemini/flash",
         "answered_by": None, "runs": 1, "attempts": 1, **none},
        {"kind": "latency", "task": "explanation", "first_model": None, "answered_by": None,
         "runs": 3, "attempts": 4, "failed": 1, "max_ms": 300.0, "p50_ms": 100.0,
         "p95_ms": 280.0},
    ], key=str)
