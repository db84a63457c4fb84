"""Tables of the batches domain: one row per batch, one per (chapter x kind) it covers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.types import JSONType, TZDateTime

BATCH_STATUSES = ("running", "succeeded", "partial", "failed", "cancelled")
# pending: not fed yet; queued: its generation job exists and has not ended; stopped: never
# run because the budget would have been passed; cancelled: never run because of a cancel.
ITEM_STATUSES = ("pending", "queued", "succeeded", "failed", "skipped", "stopped", "cancelled")


class Batch(Base):
    """An operator's request to pre-generate a grade; its counts come from its items."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade: Mapped[int] = mapped_column(Integer)
    subjects: Mapped[list | None] = mapped_column(JSONType, nullable=True)
    kinds: Mapped[list] = mapped_column(JSONType)
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    budget_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)


class BatchItem(Base):
    """One (chapter, kind) of a batch and the generation job that produces it."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "chapter_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("curriculum.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # True when the job was started by another batch for the same item: its cost is theirs.
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
