from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.types import reject_nul, small_json_object

AVATAR_MAX_KEYS = 50


class _NameMixin(BaseModel):
    @field_validator("display_name", check_fields=False)
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("display_name must not be blank")
        return reject_nul(value.strip()) if value is not None else None

    @field_validator("avatar_config", check_fields=False)
    @classmethod
    def _small_avatar(cls, value: dict | None) -> dict | None:
        return small_json_object(value) if value is not None else None


class ProfileIn(_NameMixin):
    display_name: str = Field(min_length=1, max_length=80)
    current_grade: int = Field(ge=0, le=12, description="0 = kindergarten, 1..12")
    avatar_config: dict = Field(default_factory=dict, max_length=AVATAR_MAX_KEYS)


class ProfilePatch(_NameMixin):
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    current_grade: int | None = Field(default=None, ge=0, le=12)
    avatar_config: dict | None = Field(default=None, max_length=AVATAR_MAX_KEYS)
    daily_generation_limit: int | None = Field(
        default=None, ge=0, le=10_000,
        description="Generation requests per day for this child: it can only lower the site "
                    "default; 0 stops new generations; null goes back to the default.")


class ProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    parent_id: int
    display_name: str
    current_grade: int
    avatar_config: dict
    daily_generation_limit: int | None = None
