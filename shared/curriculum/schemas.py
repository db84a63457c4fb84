from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.types import reject_nul


def _strip_nonblank(value: str) -> str:
    value = reject_nul(value).strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class ChapterIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    topics: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=100)

    _name = field_validator("name")(_strip_nonblank)
    _topics = field_validator("topics")(reject_nul)


class SubjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    chapters: list[ChapterIn] = Field(max_length=500)

    _name = field_validator("name")(_strip_nonblank)


class GradeIn(BaseModel):
    grade: int = Field(ge=0, le=12)
    subjects: list[SubjectIn] = Field(max_length=50)


class CurriculumImport(BaseModel):
    grades: list[GradeIn] = Field(min_length=1, max_length=13)


class ImportResult(BaseModel):
    created: int
    updated: int


class ChapterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    grade: int
    subject: str
    chapter_name: str
    order_index: int
