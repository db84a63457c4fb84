"""One interface for every AI provider, and the errors the chain decides on.

A provider turns a ``ProviderRequest`` into a ``ProviderReply`` (the raw text of the model's
structured output plus token usage) or raises a ``ProviderError`` saying whether trying the
same link again could help (``transient``) and how long the provider asked us to wait
(``retry_after``). Validation against the task's schema happens once, in the chain.
"""

from __future__ import annotations

import email.utils
import itertools
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# 408 request timeout, 409 (OpenAI documents it as retryable lock contention), 429 rate
# limited, and every 5xx: anything else (400, 401, 403, 404, 422) will fail the same way again.
TRANSIENT_STATUSES = frozenset({408, 409, 429})


def is_transient_status(status: int | None) -> bool:
    return status is not None and (status in TRANSIENT_STATUSES or status >= 500)


@dataclass(frozen=True)
class ProviderRequest:
    task: str
    model: str
    system: str
    prompt: str
    schema: dict
    schema_name: str
    timeout: float  # seconds this attempt may take
    params: dict[str, Any] = field(default_factory=dict)
    # The task's raw inputs: the offline generator builds from them instead of the prompt.
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderReply:
    text: str  # the model's output as sent (JSON text), stored in the AI history
    input_tokens: int | None = None
    output_tokens: int | None = None


class ProviderError(Exception):
    """A failed attempt. ``transient`` failures may be retried on the same link."""

    transient = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        raw: str | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.raw = raw
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens

    @property
    def kind(self) -> str:
        return type(self).__name__


class TransientError(ProviderError):
    """Rate limited, overloaded, timed out or unreachable: worth another try after a wait."""

    transient = True


class PermanentError(ProviderError):
    """Bad key, bad request, unknown model: the same call would fail again."""


class SchemaError(PermanentError):
    """The reply did not fit the task's schema (or the model refused); never stored."""


def http_error(status: int, message: str, *, headers=None, raw: str | None = None) -> ProviderError:
    """The right error for an HTTP status, with the provider's Retry-After if it sent one."""
    cls = TransientError if is_transient_status(status) else PermanentError
    return cls(
        f"HTTP {status}: {message}"[:500],
        status=status,
        retry_after=parse_retry_after(headers),
        raw=raw,
    )


def parse_retry_after(headers) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date)."""
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


class Sharded:
    """Round-robin over a few SDK clients, each with a slice of the connection budget."""

    def __init__(self, settings, build: Callable[[int], object]) -> None:
        shards = max(1, settings.ai_http_client_shards)
        per_shard = max(1, settings.ai_http_max_connections // shards)
        self.clients = [build(per_shard) for _ in range(shards)]
        self.next = itertools.cycle(self.clients).__next__


class Provider(ABC):
    """A strategy that calls one kind of model API."""

    name: str
    # genai-prices provider id for cost lookups; None = no price table (cost unknown).
    price_provider: str | None = None

    @abstractmethod
    async def generate(self, request: ProviderRequest) -> ProviderReply: ...

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections (the process is shutting down or the loop is going away)."""
