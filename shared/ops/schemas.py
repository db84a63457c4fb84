"""What the admin queue dashboard answers (API.md "Admin and operator")."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class QueueOut(BaseModel):
    name: str
    ready: int = Field(description="Waiting in the queue.")
    delayed: int = Field(description="Waiting for their time (retries with backoff, delayed sends).")
    in_flight: int = Field(description="Fetched by a live worker and not acknowledged yet: running "
                                       "or prefetched.")
    stranded: int = Field(description="Fetched by a worker whose heartbeat stopped; the reaper "
                                      "puts them back in ready.")
    dead: int = Field(description="Dead-lettered: failed every retry or undeliverable.")
    busy: int = Field(description="Running right now, as live workers report.")
    oldest_age_seconds: float | None = Field(
        description="How long the message at the head of the queue has been ready; null if empty.")


class CurrentMessage(BaseModel):
    message_id: str
    actor: str
    queue: str
    job_id: str | None = None
    request_id: str | None = None
    started_at: datetime


class WorkerOut(BaseModel):
    id: str = Field(description="Dramatiq's worker (broker) id, one per worker process.")
    hostname: str | None
    pid: int | None
    started_at: datetime | None
    last_seen: datetime | None = Field(description="Last broker heartbeat.")
    alive: bool = Field(description="Heartbeat within the broker's heartbeat timeout.")
    queues: list[str] = []
    threads: int | None = None
    current: list[CurrentMessage] = []


class ProviderHealth(BaseModel):
    """One provider/model as ``GET /admin/providers`` reports it."""

    model_config = {"extra": "allow"}

    provider: str
    model: str | None = None


class DashboardOut(BaseModel):
    queues: list[QueueOut]
    workers: list[WorkerOut]
    providers: list[ProviderHealth] | None = Field(
        None, description="AI provider health; null until the AI chain reports it.")
    ai_cost_today_usd: float | None = Field(
        None, description="Today's AI spend (UTC day); null until the AI chain reports it.")
    heartbeat_timeout_seconds: float
    generated_at: datetime


class DeadError(BaseModel):
    type: str | None = None
    message: str
    traceback: str | None = None


class DeadMessage(BaseModel):
    message_id: str = Field(description="Pass as ?message_id= to requeue or delete this one.")
    actor: str
    queue: str
    args: list[Any]
    kwargs: dict[str, Any]
    job_id: str | None
    request_id: str | None
    enqueued_at: datetime | None
    dead_at: datetime
    attempts: int
    error: DeadError | None


class DeadList(BaseModel):
    queue: str
    total: int
    offset: int
    limit: int
    messages: list[DeadMessage]


class RequeueOut(BaseModel):
    requeued: int
    remaining: int = Field(description="Dead letters still in the queue (a bulk call moves at most "
                                       "10,000; call again for more).")


class DeleteOut(BaseModel):
    deleted: int


class Series(BaseModel):
    actor: str
    processed: list[int] = Field(description="Messages the actor finished (with or without error).")
    failed: list[int] = Field(description="Runs that raised.")
    retried: list[int] = Field(description="Failed runs scheduled again with backoff.")
    dead: list[int] = Field(description="Messages dead-lettered.")


class Pct(BaseModel):
    p50: float | None
    p95: float | None
    p99: float | None


class LatencyRow(BaseModel):
    source: Literal["worker", "jobs"] = Field(
        description="`worker`: every message, timed by the worker middleware (recent 1,000 per "
                    "actor); `jobs`: the jobs table (created -> started -> finished), per kind.")
    name: str = Field(description="Actor name (worker) or job kind (jobs).")
    count: int
    run_ms: Pct
    wait_ms: Pct


class HistoryOut(BaseModel):
    window: str
    step_seconds: int
    bucket_starts: list[datetime]
    series: list[Series]
    latency: list[LatencyRow]
