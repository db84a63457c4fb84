"""JWTs for accounts and for child profiles acting as students (PyJWT, HS256 by default)."""

from __future__ import annotations

import time
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
    return _verify(settings, token)[0]


def _verify(settings: Settings, token: str) -> tuple[Principal, float]:
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
    return principal, float(claims["exp"])


# Tokens already verified, with their expiry: a student's app repeats one token for every call,
# and checking its signature again costs more than the rest of a cached read. The cache key
# holds the secret and algorithm, so a changed secret verifies afresh; expiry is re-checked
# on every use, as PyJWT would (``exp <= now`` is expired).
_VERIFIED: dict[tuple[str, str, str], tuple[Principal, float]] = {}
_VERIFIED_MAX = 10_000


def verify_cached(settings: Settings, token: str) -> Principal:
    """``verify``, remembering tokens that passed until they expire."""
    key = (settings.jwt_secret, settings.jwt_algorithm, token)
    seen = _VERIFIED.get(key)
    if seen is not None and seen[1] > time.time():
        return seen[0]
    principal, expires = _verify(settings, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()  # rare: a burst of fresh logins costs one signature check each
    _VERIFIED[key] = (principal, expires)
    return principal
