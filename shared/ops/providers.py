"""The seam where AI provider health and spend join the queue dashboard.

The AI chain owns these figures (``pipelines.ai.reports`` and the AI history), and ``shared``
may not import ``pipelines``; so the API, which may read pipelines' reports, hands its two
readers to the dashboard (``api/ops.py``). Without them (a process that registered nothing)
both are ``None`` and the dashboard says "not reported" instead of inventing numbers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from shared.config import Settings


@dataclass(frozen=True)
class AIReaders:
    health: Callable[[object, Settings], Awaitable[list[dict]]]
    cost_today: Callable[[object, Settings], Awaitable[float]]


async def health(redis, settings: Settings, readers: AIReaders | None = None) -> list[dict] | None:
    """Per provider/model: circuit state, calls, error rate, latency p50/p95 (as /admin/providers)."""
    return await readers.health(redis, settings) if readers else None


async def cost_today(redis, settings: Settings, readers: AIReaders | None = None) -> float | None:
    """AI spend since 00:00 UTC, in US dollars."""
    return await readers.cost_today(redis, settings) if readers else None
