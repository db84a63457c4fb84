from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from shared.types import IdIn, reject_nul

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                    AfterValidator(reject_nul)]


class GenerationIn(BaseModel):
    kind: Literal["explanation", "questions"]
    chapter_id: IdIn
    topic: Text200 | None = None
    analogy: Text200 | None = None
    grade: int | None = Field(default=None, ge=0, le=12)
    count: int | None = Field(default=None, ge=1, le=20, description="questions only")
    difficulty: Literal["easy", "medium", "hard"] | None = None
    force: bool = False
