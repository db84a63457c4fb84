"""Routes and templates as the chain sees them: read from the database, cached briefly.

An admin's edit bumps a version counter in Redis (``shared.ai.service.announce_change``); the
cache compares it on every job, so a change applies to the next job in every worker. The age
limit (``ai_route_cache_seconds``) bounds staleness even if an announcement raced a commit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.ai import service
from shared.ai.service import CONFIG_VERSION_KEY, AIConfig
from shared.config import Settings


@dataclass
class _Entry:
    version: bytes | str | None
    loaded_at: float
    fingerprint: tuple
    config: AIConfig


_entry: _Entry | None = None


def _fingerprint(settings: Settings, db) -> tuple:
    # Default chains depend on which providers are configured; tests swap databases.
    return (
        id(db.bind) if isinstance(db, AsyncSession) else id(db),
        bool(settings.gemini_api_key),
        bool(settings.openai_api_key),
        bool(settings.ollama_host),
    )


async def current(*, db, redis, settings: Settings) -> AIConfig:
    """The routes and templates for the next job (``db``: a session factory or a session)."""
    global _entry
    version = await redis.get(CONFIG_VERSION_KEY)
    entry = _entry
    if (
        entry is not None
        and entry.version == version
        and entry.fingerprint == _fingerprint(settings, db)
        and time.monotonic() - entry.loaded_at < settings.ai_route_cache_seconds
    ):
        return entry.config
    if isinstance(db, AsyncSession):
        config = await service.load_config(db, settings)
    else:
        async with db() as session:
            config = await service.load_config(session, settings)
    _entry = _Entry(version, time.monotonic(), _fingerprint(settings, db), config)
    return config


def forget() -> None:
    """Drop the cached copy (tests that rebuild the database)."""
    global _entry
    _entry = None
