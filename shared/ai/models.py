"""Tables of the AI domain: which models serve each task, and the prompt each task sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.types import JSONType, TZDateTime


class ModelRoute(Base):
    """An admin's chain for one task: ``[{provider, model, params}, ...]`` tried in order.

    A task without a row runs its default chain, built from the providers that are configured
    (``shared.ai.defaults``), so a fresh install routes only to what it can reach.
    """

    __tablename__ = "ai_model_routes"

    task: Mapped[str] = mapped_column(String(32), primary_key=True)
    chain: Mapped[list] = mapped_column(JSONType)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)


class PromptTemplate(Base):
    """One version of a task's prompt; the highest version is the one jobs use.

    Versions are never edited in place: a job records the version it used, so the history
    can always show the exact text behind a generation.
    """

    __tablename__ = "ai_prompt_templates"
    __table_args__ = (UniqueConstraint("task", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    system: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
