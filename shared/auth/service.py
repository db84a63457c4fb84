"""Accounts: registration, password login with throttling, profile tokens."""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import repository
from shared.auth.models import User
from shared.auth.tokens import Principal
from shared.config import Settings
from shared.errors import Conflict, TooManyRequests, Unauthorized

_hasher = PasswordHash.recommended()  # argon2id
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("studyforge-timing-equaliser")

WRONG_CREDENTIALS = "Incorrect email or password."


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def register(session: AsyncSession, *, email: str, password: str, role: str = "parent") -> User:
    """Create an account; 409 if the email is taken."""
    if await repository.get_by_email(session, email):
        raise Conflict("An account with this email already exists: log in instead.")
    # argon2 is deliberately slow: keep it off the event loop.
    password_hash = await asyncio.to_thread(hash_password, password)
    return await repository.add(session, email=email, role=role, password_hash=password_hash)


def _failures_key(email: str) -> str:
    return f"studyforge:login-failures:{email.lower()}"


async def authenticate(
    session: AsyncSession, redis, settings: Settings, *, email: str, password: str
) -> User:
    """The account for these credentials; 401 if wrong, 429 after too many recent failures."""
    if "\x00" in email or "\x00" in password:
        # No account can have such an email; answer as for any unknown one.
        raise Unauthorized(WRONG_CREDENTIALS)
    key = _failures_key(email)
    failures = int(await redis.get(key) or 0)
    if failures >= settings.login_max_failures:
        ttl = await redis.ttl(key)
        raise TooManyRequests(
            "Too many failed logins for this account: wait a few minutes and try again.",
            retry_after=ttl if ttl and ttl > 0 else settings.login_window_seconds,
        )
    user = await repository.get_by_email(session, email)
    ok = await asyncio.to_thread(
        _hasher.verify, password, user.password_hash if user else _DUMMY_HASH
    )
    if not (user and ok):
        pipe = redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, settings.login_window_seconds, nx=True)
        await pipe.execute()
        raise Unauthorized(WRONG_CREDENTIALS)
    await redis.delete(key)
    return user


def principal_for(user: User) -> Principal:
    return Principal(user_id=user.id, role=user.role)
