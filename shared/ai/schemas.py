"""Pydantic shapes of the AI domain's admin surface: routes, templates, history, providers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TASKS = ("explanation", "questions", "distractors", "grading")
PROVIDERS = ("gemini", "openai", "ollama", "offline")

Task = Literal["explanation", "questions", "distractors", "grading"]
ProviderName = Literal["gemini", "openai", "ollama", "offline"]

# What each task's template may mention; anything else is a typo the admin should hear about.
TEMPLATE_VARIABLES: dict[str, frozenset[str]] = {
    "explanation": frozenset({"topic", "grade", "analogy", "chapter", "subject"}),
    "questions": frozenset(
        {"topic", "topics", "grade", "chapter", "subject", "count", "difficulty"}
    ),
    "distractors": frozenset({"question", "correct_answer", "count", "grade", "subject"}),
    "grading": frozenset({"question", "student_answer", "reference_answer", "rubric", "grade"}),
}


class RouteLink(BaseModel):
    """One link of a chain: which provider and model, with call parameters."""

    model_config = ConfigDict(extra="forbid")

    provider: ProviderName
    model: str = Field(min_length=1, max_length=200)
    # Passed to the provider call: temperature, max_tokens, top_p, seed.
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _known_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - {"temperature", "max_tokens", "top_p", "seed", "timeout_seconds"}
        if unknown:
            raise ValueError(
                f"unknown params {sorted(unknown)}; allowed: temperature, max_tokens, top_p, "
                "seed, timeout_seconds"
            )
        return value


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chain: list[RouteLink] = Field(min_length=1, max_length=8)


class RouteOut(BaseModel):
    task: Task
    chain: list[RouteLink]
    # "custom" when an admin set it, "default" when built from the configured providers.
    source: Literal["custom", "default"] = "custom"
    updated_at: datetime | None = None


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str = Field(min_length=1, max_length=8000)
    system: str = Field(default="", max_length=8000)


class TemplateOut(BaseModel):
    task: Task
    version: int
    template: str
    system: str
    variables: list[str]
    created_at: datetime | None = None


class ProviderStats(BaseModel):
    provider: str
    model: str
    circuit: Literal["closed", "open", "half_open"]
    calls: int
    errors: int
    error_rate: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    window_seconds: int
    consecutive_failures: int = 0
    open_until: datetime | None = None


class AIHistoryRow(BaseModel):
    """One model attempt, as ``GET /admin/ai-history`` shows it."""

    request_id: str
    timestamp: datetime
    job_id: str | None = None
    task: str
    provider: str
    model_name: str
    template_version: int | None = None
    prompt: str
    raw_response: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    # None means the price is unknown (an unpriced model), never "free".
    cost: float | None = None
    latency_ms: float | None = None
    attempt: int | None = None
    status: Literal["ok", "error"]
    error: str | None = None
