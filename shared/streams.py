"""The Redis streams that buffer high-volume records before they are flushed to Parquet.

Writers (the API's ``POST /events``, the AI chain's history) append here; the flush job in
``pipelines/events`` reads them through a consumer group, writes Parquet, then acknowledges.
One stream entry carries a whole batch (field ``data``: a JSON array of records), because the
per-entry cost dominates Redis throughput (docs/BASELINES.md: 107k entries/s).
"""

from __future__ import annotations

EVENTS_STREAM = "studyforge:stream:events"
AI_HISTORY_STREAM = "studyforge:stream:ai_history"
AI_RUNS_STREAM = "studyforge:stream:ai_runs"
FLUSH_GROUP = "parquet-flush"

# Interaction event record: event_id (uuid str), timestamp (ISO-8601, UTC), profile_id (int),
# event_type (click|answer|view|hint|submit), content_id (int|None), metadata (dict).
EVENT_FIELDS = ("event_id", "timestamp", "profile_id", "event_type", "content_id", "metadata")

# AI history record, one per model attempt (success or failure).
AI_HISTORY_FIELDS = (
    "request_id", "timestamp", "job_id", "task", "provider", "model_name", "template_version",
    "prompt", "raw_response", "input_tokens", "output_tokens", "cost", "latency_ms", "attempt",
    "status", "error",
)

# AI task run record, one per run of a task down its chain (its attempts are in AI history).
AI_RUN_FIELDS = (
    "run_id", "timestamp", "job_id", "task", "first_model", "answered_by", "attempts",
    "skipped", "latency_ms", "cost", "ok",
)
