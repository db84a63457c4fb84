"""The secrets this process holds, and masking them out of text it writes (logs, AI history).

A provider's error message may echo the key it was sent; what we store or log must not.
"""

from __future__ import annotations

from shared.config import Settings

MASK = "***"


def secrets_of(settings: Settings) -> tuple[str, ...]:
    values = (settings.openai_api_key, settings.gemini_api_key, settings.jwt_secret,
              settings.s3_secret_access_key)
    # Very short values would mask ordinary words; real keys are long.
    return tuple(v for v in values if v and len(v) >= 8)


def mask(text: str | None, secrets: tuple[str, ...]) -> str | None:
    if not text:
        return text
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text
