"""JWTs for accounts and for child profiles acting as students (PyJWT, HS256 by default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from shared.config import Settings
from shared.errors import Unauthorized


@dataclass(frozen=True)
class Principal:
    """Who is calling: an account (admin/operator/parent) or a student (a parent's child)."""

    user_id: int
    role: str  # admin | operator | parent | student
    profile_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "operator")


def issue(settings: Settings, principal: Principal) -> tuple[str, int]:
    """A signed token for ``principal`` and its lifetime in seconds."""
    minutes = (
        settings.profile_token_minutes if principal.role == "student"
        else settings.access_token_minutes
    )
    now = datetime.now(UTC)
    claims = {"sub": str(principal.user_id), "role": principal.role, "iat": now,
              "exp": now + timedelta(minutes=minutes)}
    if principal.profile_id is not None:
        claims["pid"] = principal.profile_id
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm), minutes * 60


def verify(settings: Settings, token: str) -> Principal:
    """The principal a token speaks for; 401 for expired, tampered or unsigned tokens."""
    try:
        # An explicit algorithm list is what rejects alg=none and algorithm confusion.
        claims = jwt.decode(
            token, settings.jwt_secret, algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub", "role"]},
        )
        principal = Principal(
            user_id=int(claims["sub"]), role=str(claims["role"]), profile_id=claims.get("pid")
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("Your session has expired: log in again.") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Unauthorized("Invalid token: log in again.") from None
    if principal.role == "student" and not isinstance(principal.profile_id, int):
        raise Unauthorized("Invalid token: log in again.")
    return principal
