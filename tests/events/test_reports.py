from __future__ import annotations

import io
from datetime import timedelta

import orjson

from pipelines.ai.history import run_summary
from pipelines.events.flush import flush_all
from pipelines.events.history import finetune_jsonl, recent
from pipelines.events.reports import report
from shared.events.buffer import append
from shared.streams import AI_HISTORY_STREAM, AI_RUNS_STREAM, EVENTS_STREAM

from .conftest import attempt, event, now


def test_ai_reports_count_each_attempt_once(rclient, store):
    day = now().replace(hour=12)
    j1 = [attempt("j1", "gemini", "flash", "error", at=day, cost=0.0, latency_ms=300),
          attempt("j1", "openai", "gpt-x", "ok", at=day + timedelta(seconds=1), cost=0.01,
                  latency_ms=700, attempt_no=2)]
    j2 = [attempt("j2", "gemini", "flash", "ok", at=day, cost=0.002, latency_ms=200)]
    j3 = [attempt("j3", "gemini", "flash", "error", at=day, cost=0.0, latency_ms=50),
          attempt("j3", "openai", "gpt-x", "error", at=day, cost=0.0, latency_ms=50,
                  attempt_no=2)]  # same timestamp as the first attempt: order by attempt
    runs = {}
    for records in (j1, j2, j3):
        runs[records[0]["job_id"]] = run_summary(records)
        append(rclient, AI_HISTORY_STREAM, records)
        append(rclient, AI_RUNS_STREAM, [runs[records[0]["job_id"]]])
    append(rclient, AI_HISTORY_STREAM, j1)  # a replay of the same attempts and run
    append(rclient, AI_RUNS_STREAM, [runs["j1"]])
    flush_all(rclient, store)
    d = day.date().isoformat()

    cost = report(store, "ai-cost")
    assert cost["columns"] == ["day", "provider", "model_name", "calls", "input_tokens",
                               "output_tokens", "cost_usd"]
    assert cost["rows"] == [[d, "openai", "gpt-x", 2, 20, 20, 0.01],
                            [d, "gemini", "flash", 3, 30, 20, 0.002]]

    fallbacks = report(store, "ai-fallbacks")
    assert fallbacks["columns"] == ["day", "task", "first_model", "answered_by", "runs",
                                    "attempts"]
    assert sorted(fallbacks["rows"]) == [
        [d, "explanation", "gemini/flash", "(failed)", 1, 2],
        [d, "explanation", "gemini/flash", "openai/gpt-x", 1, 2],
    ]

    latency = report(store, "job-latency")
    assert latency["columns"] == ["day", "task", "runs", "p50_ms", "p95_ms", "max_ms",
                                  "avg_attempts", "failed"]
    assert latency["rows"] == [[d, "explanation", 3, 200.0, 920.0, 1000.0, 1.67, 1]]


def test_event_reports_respect_the_date_range(rclient, store):
    today = now().replace(hour=10)
    old = today - timedelta(days=40)
    append(rclient, EVENTS_STREAM, [
        event(1, "answer", at=today, chapter_id=5, correct=True),
        event(2, "answer", at=today, chapter_id=5, correct=False),
        event(2, "answer", at=today, chapter_id=6, correct=True),
        event(3, "view", at=old),
    ])
    flush_all(rclient, store)
    assert report(store, "daily-active")["rows"] == [[today.date().isoformat(), 2]]
    accuracy = report(store, "chapter-accuracy")
    assert accuracy["columns"] == ["chapter_id", "answers", "correct", "accuracy"]
    assert accuracy["rows"] == [[5, 2, 1, 0.5], [6, 1, 1, 1.0]]
    old_day = old.date()
    assert report(store, "events-by-type", start=old_day, end=old_day)["rows"] == [["view", 1]]
    everything = report(store, "events-by-type", start=old_day, end=today.date())["rows"]
    assert everything == [["answer", 3], ["view", 1]]


def test_finetune_export_takes_approved_successful_attempts(rclient, store):
    chat = orjson.dumps([{"role": "system", "content": "You teach."},
                         {"role": "user", "content": "Explain fractions"}]).decode()
    append(rclient, AI_HISTORY_STREAM, [
        attempt("j1", "openai", "gpt-x", "ok", prompt=chat, response="Pizza slices."),
        attempt("j2", "openai", "gpt-x", "ok", prompt="Explain decimals", response="Money."),
        attempt("j3", "openai", "gpt-x", "ok", prompt="held", response="not approved"),
        attempt("j1", "gemini", "flash", "error"),
        attempt("j4", "openai", "gpt-x", "ok", task="questions"),
    ])
    flush_all(rclient, store)
    out = io.StringIO()
    since = (now() - timedelta(days=1)).date()
    n = finetune_jsonl(store, out, task="explanation", since=since,
                       approved_job_ids={"j1", "j2", "j4"})
    lines = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert n == 2 and len(lines) == 2
    assert {"messages": [{"role": "system", "content": "You teach."},
                         {"role": "user", "content": "Explain fractions"},
                         {"role": "assistant", "content": "Pizza slices."}]} in lines
    assert {"messages": [{"role": "user", "content": "Explain decimals"},
                         {"role": "assistant", "content": "Money."}]} in lines

    listing = recent(store, since=now() - timedelta(hours=1), model="gpt-x", limit=10)
    assert len(listing) == 4 and {r["status"] for r in listing} == {"ok"}
