"""Provider strategies and the per-event-loop registry the chain takes them from."""

from __future__ import annotations

import asyncio
import importlib
import weakref

from pipelines.ai.providers.base import Provider, ProviderError, ProviderReply, ProviderRequest
from shared.config import Settings

__all__ = ["Provider", "ProviderError", "ProviderReply", "ProviderRequest", "get_provider", "preload"]

# SDK clients hold connection pools bound to the event loop that made them, so each loop
# (one per worker process under Dramatiq's AsyncIO middleware) gets its own providers.
_by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _make(name: str, settings: Settings) -> Provider:
    if name == "openai":
        from pipelines.ai.providers.openai import OpenAIProvider

        return OpenAIProvider(settings)
    if name == "gemini":
        from pipelines.ai.providers.gemini import GeminiProvider

        return GeminiProvider(settings)
    if name == "ollama":
        from pipelines.ai.providers.ollama import OllamaProvider

        return OllamaProvider(settings)
    if name == "offline":
        from pipelines.ai.providers.offline import OfflineProvider

        return OfflineProvider(settings)
    from pipelines.ai.providers.base import PermanentError

    raise PermanentError(f"unknown provider {name!r}")


def preload(settings: Settings) -> None:
    """Import the SDKs of the configured providers now, not inside the first job.

    Importing openai and google-genai costs about a second of CPU, which a worker otherwise
    spends on its event loop while its first jobs wait (8% of a 2,000-job profile).
    """
    configured = {"openai": settings.openai_api_key, "gemini": settings.gemini_api_key,
                  "ollama": settings.ollama_host}
    for name, value in configured.items():
        if value:
            importlib.import_module(f"pipelines.ai.providers.{name}")


def _settings_key(settings: Settings) -> tuple:
    return (
        settings.openai_api_key, settings.openai_base_url, settings.openai_timeout_seconds,
        settings.gemini_api_key, settings.gemini_base_url, settings.gemini_api_version,
        settings.gemini_timeout_seconds, settings.ollama_host, settings.ollama_timeout_seconds,
        settings.offline_latency_ms, settings.ai_http_max_connections,
        settings.ai_http_client_shards,
    )


def get_provider(name: str, settings: Settings) -> Provider:
    """The provider ``name`` for this loop and configuration (made once, then reused)."""
    loop = asyncio.get_running_loop()
    cache = _by_loop.setdefault(loop, {})
    key = (name, _settings_key(settings))
    provider = cache.get(key)
    if provider is None:
        provider = cache[key] = _make(name, settings)
    return provider


async def close_providers() -> None:
    """Close this loop's provider clients (worker shutdown, end of a test)."""
    cache = _by_loop.pop(asyncio.get_running_loop(), {})
    for provider in cache.values():
        await provider.aclose()
