from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.types import JSONType, TZDateTime


class Profile(Base):
    """A child (student) profile under a parent account."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    avatar_config: Mapped[dict] = mapped_column(JSONType, default=dict)
    current_grade: Mapped[int] = mapped_column(Integer)
    # A parent's own cap on generation requests per day for this child (None = the default).
    daily_generation_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
