from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.types import IdIn

Role = Literal["admin", "operator", "parent"]


class RegisterIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class ProfileTokenIn(BaseModel):
    profile_id: IdIn


class MeOut(BaseModel):
    """Who the token speaks for: an account, or a child profile acting as a student."""

    role: str
    id: int | None = None
    email: str | None = None
    profile_id: int | None = None
    display_name: str | None = None
    current_grade: int | None = None
