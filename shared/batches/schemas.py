from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from shared.types import reject_nul

BatchStatus = Literal["running", "succeeded", "partial", "failed", "cancelled"]
Kind = Literal["explanation", "questions"]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
                    AfterValidator(reject_nul)]


class BatchIn(BaseModel):
    grade: int = Field(ge=0, le=12)
    subjects: list[Subject] | None = Field(
        default=None, max_length=50, description="Only these subjects of the grade (default: all).")
    kinds: list[Kind] | None = Field(
        default=None, min_length=1, max_length=2,
        description="What to generate per chapter (default: every kind this server generates).")
    force: bool = Field(default=False, description="Regenerate chapters that have approved content.")
    budget_usd: float | None = Field(
        default=None, ge=0, le=1_000_000, allow_inf_nan=False,
        description="Stop enqueuing once recorded cost plus in-flight estimate would pass this.")
    dry_run: bool = Field(default=False, description="Return the plan; create and enqueue nothing.")


class BatchPlan(BaseModel):
    batch_id: int | None
    total_jobs: int
    skipped_existing: int
    estimated_cost_usd: float


class BatchOut(BaseModel):
    id: int
    status: BatchStatus
    grade: int
    subjects: list[str] | None
    kinds: list[str]
    force: bool
    budget_usd: float | None
    total: int = Field(description="Items that run (skipped ones excluded).")
    succeeded: int
    failed: int
    skipped: int
    not_run: int = Field(description="Items never started: cancelled, or stopped by the budget.")
    in_flight: int = Field(description="Items whose job is queued or running now.")
    pending: int = Field(description="Items waiting for the feeder to start them.")
    cost_usd: float
    estimated_cost_usd: float
    reason: str | None
    created_at: datetime
    finished_at: datetime | None
