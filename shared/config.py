"""One Settings object for every process: API, workers, scheduler and CLI.

Values come from the environment (prefix ``STUDYFORGE_``) and from ``.env``. No other module
reads ``os.environ``; they take a ``Settings`` (usually via ``get_settings()``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "change-me-development-only-secret-0123456789"


class Settings(BaseSettings):
    """Every setting StudyForge reads; see docs/API.md "Processes and configuration"."""

    model_config = SettingsConfigDict(
        env_prefix="STUDYFORGE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    environment: Literal["development", "test", "production"] = "development"

    # Stores. Empty means "embedded default" (SQLite file / in-process fakeredis) for `dev`.
    database_url: str = ""
    redis_url: str = ""
    redis_max_connections: int = 512  # per async client (process and event loop)
    data_dir: str = "var/data"
    # S3-compatible storage for DATA_DIR=s3://bucket/prefix (MinIO, moto, AWS). Empty values
    # leave pyarrow's own AWS credential chain in charge.
    s3_endpoint_url: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = ""
    sqlite_path: str = "var/studyforge.sqlite3"

    # Auth
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_algorithm: str = "HS256"
    access_token_minutes: int = 60
    profile_token_minutes: int = 240
    login_max_failures: int = 10
    login_window_seconds: int = 900

    # Limits (0 = no limit): generation requests per child per day (a parent may set a lower
    # one per child), and requests per minute per account.
    daily_generation_limit: int = 0
    request_rate_limit: int = 0
    request_rate_window_seconds: int = 60
    # The Redis read cache in front of PostgreSQL (curriculum, chapters).
    read_cache: bool = True

    # AI providers. The SDKs' own variables are honoured as fallbacks (see _sdk_fallbacks).
    openai_api_key: str = ""
    openai_base_url: str = ""
    gemini_api_key: str = ""
    gemini_base_url: str = ""
    ollama_host: str = ""
    # Simulated latency of the built-in offline generator, for demos and benchmarks.
    offline_latency_ms: int = 0
    # Gemini's REST version: google-genai now defaults to "v1", but structured output
    # (responseJsonSchema) and system instructions are served on "v1beta".
    gemini_api_version: str = "v1beta"

    # AI chain (pipelines/ai). Every call has an explicit timeout: google-genai and ollama
    # have none by default, and a hung socket would hold a worker thread forever.
    openai_timeout_seconds: float = 60.0
    gemini_timeout_seconds: float = 60.0
    ollama_timeout_seconds: float = 120.0
    # Connections per provider (httpx's default of 100 would cap calls in flight), spread over
    # several clients: a client's pool scans all its connections on every request event, so
    # one pool of hundreds costs milliseconds of CPU per call (docs/benchmarks.md).
    ai_http_max_connections: int = 1024
    ai_http_client_shards: int = 8
    ai_max_attempts: int = 3  # per link, first try included; only transient errors retry
    ai_backoff_initial_seconds: float = 0.5
    ai_backoff_max_seconds: float = 10.0
    ai_max_retry_after_seconds: float = 30.0  # a longer Retry-After moves to the next link
    ai_task_deadline_seconds: float = 120.0  # the whole chain, all links and waits
    ai_circuit_failure_threshold: int = 5  # consecutive failed attempts that open it
    ai_circuit_cooldown_seconds: float = 30.0  # open -> half-open after this
    # Per provider ("openai", "gemini", "ollama"), shared by all workers through Redis;
    # a missing key or 0 means no limit. Env: STUDYFORGE_AI_REQUESTS_PER_MINUTE='{"openai":500}'.
    ai_requests_per_minute: dict[str, int] = Field(default_factory=dict)
    ai_max_in_flight: dict[str, int] = Field(default_factory=lambda: {"ollama": 8})
    ai_slot_wait_seconds: float = 30.0  # longest wait for a rate/in-flight slot per attempt
    ai_route_cache_seconds: float = 5.0  # routes/templates are re-read at most this stale
    ai_stats_window_seconds: int = 900  # GET /admin/providers looks this far back

    # Content safety (pipelines/moderation). Every generated block and question is checked by
    # the built-in word list, by OpenAI's moderation endpoint when OpenAI is configured (and
    # this is on), and by Llama Guard through Ollama when a model is named here. Flagged
    # content is held; unflagged content is approved at once unless auto-approval is off,
    # in which case it waits as a draft for an admin (GET /admin/review).
    content_auto_approve: bool = True
    moderation_openai: bool = True
    moderation_openai_model: str = "omni-moderation-latest"
    moderation_llama_guard_model: str = ""  # e.g. "llama-guard3:1b"; empty = not used
    moderation_timeout_seconds: float = 20.0
    # How long a generation's in-flight claim lives unless renewed (identical requests wait
    # on it). The holder renews it every third of this, so it only bounds how long a waiting
    # job sits behind a dead worker's claim: short, since the waiting job holds a worker thread
    # (with one thread, even the reaper that would requeue the dead job waits behind it).
    generation_inflight_ttl_seconds: float = 10.0

    # Queue. Dramatiq's defaults brought a killed worker's messages back after 5-21 minutes
    # here; 15 s heartbeat timeout with 10% maintenance brought them back in ~18 s.
    broker_namespace: str = "dramatiq"
    broker_heartbeat_timeout_ms: int = 15_000
    broker_maintenance_chance: int = 100_000
    worker_processes: int = 1
    worker_threads: int = 64

    # Batches (shared/batches, workers/batches.py). A batch's items go to the "batch" queue a
    # few at a time, fed by one "batches.feed" actor per batch; at the provider's rate limiter
    # they yield to students' requests (no burst allowance) and use at most this share of it.
    batch_rate_share: float = Field(default=1.0, gt=0.0, le=1.0)
    batch_max_in_flight: int = Field(default=16, ge=1)  # items of one batch queued or running
    batch_feed_tick_seconds: float = 0.2  # how often a feeder looks at its items' jobs
    batch_feed_slice_seconds: float = 30.0  # a feeder hands over to a fresh message after this
    batch_resume_interval_seconds: float = 10.0  # scheduler: restart feeders that died

    # Periodic work
    scheduler_tick_seconds: float = 5.0
    reaper_queued_after_seconds: int = 120
    # The reaper's period; with the 15 s heartbeat timeout a SIGKILLed worker's job is back in
    # its queue within ~25 s (docs/operations.md).
    reaper_interval_seconds: float = 10.0
    # A running job no live worker lists is put back only after this long without an update;
    # it must exceed worker_registry_interval_seconds (workers publish what they run on that
    # period, not per message), with room for a slow refresh.
    reaper_running_grace_seconds: float = 15.0

    # Operations: each worker process publishes who it is and what it runs, with a TTL.
    worker_registry_interval_seconds: float = 2.0
    worker_registry_ttl_seconds: int = 30
    ops_events_seconds: float = 2.0

    # Logs: one JSON object per line (carrying request_id and job_id) or plain text.
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"

    # Events and AI history: Redis stream buffer -> Parquet (pipelines/events).
    events_flush_interval_seconds: float = 60.0
    events_compact_interval_seconds: float = 600.0
    events_flush_batch_entries: int = 100
    events_max_rows_per_file: int = 2_000_000
    # The flush/compaction lock expires this long after its holder stops renewing it (a
    # crashed flusher); the next flush then reclaims the crashed one's pending entries.
    events_lock_ttl_seconds: float = 60.0

    # Grading (shared/grading, pipelines/grading; docs/grading.md)
    # A short answer scoring at least this (out of 10) counts as correct for progress and BKT.
    grading_pass_score: int = 6
    # How often the scheduler looks for provisional (offline) grades to re-grade with a model,
    # how many per run, and how long a short answer may stay pending before the sweep grades it.
    grading_regrade_interval_seconds: float = 60.0
    grading_regrade_batch: int = 50
    grading_stale_pending_seconds: float = 600.0
    # Bayesian Knowledge Tracing per chapter (OATutor's scheme): P(L0), P(T), P(S), P(G).
    # An MCQ's guess is 1/options (a blind pick), so these apply to short answers.
    bkt_prior: float = 0.1
    bkt_learn: float = 0.1
    bkt_slip: float = 0.1
    bkt_guess: float = 0.1
    bkt_mastery_threshold: float = 0.95

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    # Browsers from these origins may call the API (none by default: the web app is served
    # from the API's own origin).
    cors_origins: list[str] = Field(default_factory=list)
    # Largest request body accepted (413 beyond); a full events batch is about 2 MiB.
    max_request_bytes: int = 4 * 1024 * 1024
    frontend_dist: str = "frontend/dist"

    @model_validator(mode="after")
    def _sdk_fallbacks(self) -> Settings:
        # The SDKs' own variable names work too, so an existing setup needs no renaming.
        env = os.environ
        self.openai_api_key = self.openai_api_key or env.get("OPENAI_API_KEY", "")
        self.gemini_api_key = self.gemini_api_key or env.get("GEMINI_API_KEY", "")
        self.ollama_host = self.ollama_host or env.get("OLLAMA_HOST", "")
        return self

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment != "development" and self.jwt_secret == DEFAULT_JWT_SECRET:
            raise ValueError(
                "STUDYFORGE_JWT_SECRET is the development default; set a long random secret "
                "before running outside STUDYFORGE_ENVIRONMENT=development."
            )
        return self

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{Path(self.sqlite_path).resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def embedded_redis(self) -> bool:
        """True when no Redis URL is set: use the in-process fakeredis server."""
        return not self.redis_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
