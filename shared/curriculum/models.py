from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.types import JSONType


class Chapter(Base):
    """One chapter of a grade's subject: a row of the seed's ``curriculum`` table."""

    __tablename__ = "curriculum"
    __table_args__ = (UniqueConstraint("grade", "subject", "chapter_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grade: Mapped[int] = mapped_column(Integer, index=True)
    subject: Mapped[str] = mapped_column(String(80))
    chapter_name: Mapped[str] = mapped_column(String(200))
    order_index: Mapped[int] = mapped_column(Integer, default=0)
    topics: Mapped[list] = mapped_column(JSONType, default=list)
