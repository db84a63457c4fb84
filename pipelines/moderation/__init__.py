"""Moderation before a child sees anything: every generated block and question passes here.

Three checks, all that are configured run, and any one flags:
- the built-in word and pattern list (always; ``builtin.py``),
- OpenAI's moderation endpoint when OpenAI is configured (``STUDYFORGE_MODERATION_OPENAI``),
- Llama Guard through Ollama when ``STUDYFORGE_MODERATION_LLAMA_GUARD_MODEL`` is set and Ollama
  is configured.
A check that cannot answer (timeout, outage) flags too: children's content fails closed and a
reviewer decides, rather than slipping through unchecked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from pipelines.moderation import builtin, remote
from shared.config import Settings


@dataclass
class Verdict:
    """What moderation said about one piece of content (a block and its questions)."""

    flagged: bool = False
    reasons: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"flagged": self.flagged, "reasons": self.reasons, "checks": self.checks}


async def moderate(items: list[tuple[str, str]], settings: Settings) -> Verdict:
    """Check ``items`` (label, text) with every configured check; labels name what was flagged."""
    items = [(label, text) for label, text in items if text and text.strip()]
    verdict = Verdict(checks=["builtin"])
    verdict.reasons += builtin.check(items)
    remote_checks = []
    if settings.moderation_openai and settings.openai_api_key:
        verdict.checks.append(f"openai/{settings.moderation_openai_model}")
        remote_checks.append(remote.openai_moderation(items, settings))
    if settings.moderation_llama_guard_model and settings.ollama_host:
        verdict.checks.append(f"ollama/{settings.moderation_llama_guard_model}")
        remote_checks.append(remote.llama_guard(items, settings))
    if items:
        for reasons in await asyncio.gather(*remote_checks):
            verdict.reasons += reasons
    verdict.flagged = bool(verdict.reasons)
    return verdict


def flatten(node) -> str:
    """Every string inside a JSON value, one per line (to moderate a body as one text)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return "\n".join(filter(None, (flatten(value) for value in node.values())))
    if isinstance(node, list):
        return "\n".join(filter(None, (flatten(item) for item in node)))
    return ""
