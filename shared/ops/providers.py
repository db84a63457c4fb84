"""The seam where AI provider health and spend join the queue dashboard.

The AI chain (its own branch: ``GET /admin/providers`` and the AI history records) owns these
figures. Until it lands there is nothing true to show, so both return ``None`` and the
dashboard says "not reported" instead of inventing numbers. Wiring it in means replacing the
two bodies with calls into that code (same signatures); the API and the page need no change.
"""

from __future__ import annotations

from shared.config import Settings


async def health(redis, settings: Settings) -> list[dict] | None:
    """Per provider/model: circuit state, calls, error rate, latency p50/p95 (as /admin/providers)."""
    return None


async def cost_today(redis, settings: Settings) -> float | None:
    """AI spend since 00:00 UTC, in US dollars."""
    return None
