from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.types import TZDateTime

PROGRESS_STATUSES = ("not_started", "in_progress", "completed")


class StudentProgress(Base):
    """A student's progress on one chapter (the seed's ``content_id`` is the chapter id).

    ``score`` is the average grade (0..10) over graded answers; ``mastery`` is the Bayesian
    Knowledge Tracing estimate P(learned) after the last graded answer (shared/progress/bkt.py).
    """

    __tablename__ = "student_progress"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    content_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    attempted: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    mastery: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
