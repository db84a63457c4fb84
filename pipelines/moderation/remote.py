"""Model-based moderation: OpenAI's moderation endpoint and Llama Guard through Ollama.

Both reuse the chain's SDK clients for this event loop (``get_provider``), so they follow the
same base URL settings (a proxy, a test server) and share connection pools. Either one that
cannot answer returns a reason, which holds the content for a person to look at.
"""

from __future__ import annotations

import asyncio
import logging

from pipelines.ai.providers import get_provider
from shared.config import Settings

log = logging.getLogger("studyforge.moderation")

ATTEMPTS = 2  # one retry: moderation is cheap, and failing closed costs a reviewer's time


async def openai_moderation(items: list[tuple[str, str]], settings: Settings) -> list[str]:
    """One call for all items; a reason per flagged item (with OpenAI's categories)."""
    client = get_provider("openai", settings).clients.next()
    error = None
    for attempt in range(ATTEMPTS):
        try:
            response = await client.moderations.create(
                model=settings.moderation_openai_model, input=[text for _, text in items],
                timeout=settings.moderation_timeout_seconds,
            )
            break
        except Exception as exc:  # noqa: BLE001 - any failure fails closed below
            error = exc
            if attempt + 1 < ATTEMPTS:
                await asyncio.sleep(0.5)
    else:
        log.warning("openai moderation failed: %s", error)
        return [f"openai moderation unavailable ({type(error).__name__}); held for review"]
    results = list(response.results)
    if len(results) != len(items):
        return ["openai moderation answered for a different number of texts; held for review"]
    reasons = []
    for (label, _text), result in zip(items, results, strict=True):
        if result.flagged:
            categories = result.categories.model_dump(by_alias=True) if result.categories else {}
            named = sorted(name for name, hit in categories.items() if hit) or ["unspecified"]
            reasons.append(f"{label}: openai moderation flagged {', '.join(named)}")
    return reasons


async def llama_guard(items: list[tuple[str, str]], settings: Settings) -> list[str]:
    """Llama Guard's verdict per item ("safe", or "unsafe" and its hazard codes)."""
    client = get_provider("ollama", settings).clients.next()
    model = settings.moderation_llama_guard_model

    async def one(label: str, text: str) -> str | None:
        try:
            async with asyncio.timeout(settings.moderation_timeout_seconds):
                response = await client.chat(
                    model=model, messages=[{"role": "user", "content": text}], stream=False,
                )
        except Exception as exc:  # noqa: BLE001 - any failure fails closed
            log.warning("llama guard failed: %s", exc)
            return f"{label}: llama guard unavailable ({type(exc).__name__}); held for review"
        answer = (response.message.content or "").strip().lower()
        if answer.startswith("safe"):
            return None
        if answer.startswith("unsafe"):
            codes = " ".join(answer.split()[1:]).upper() or "unspecified"
            return f"{label}: llama guard flagged {codes}"
        return f"{label}: llama guard gave no verdict; held for review"

    # One item at a time would add a model call's latency per question.
    found = await asyncio.gather(*(one(label, text) for label, text in items))
    return [reason for reason in found if reason]
