"""What a batch item is expected to cost: the price table (genai-prices) times typical tokens.

Input tokens are the task's current template (system + prompt) at ~4 characters a token plus
the variables; output tokens are what a reply of that task typically runs to. The link priced
is the first of the task's route: the one that takes the traffic while it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from genai_prices import Usage, calc_price
from sqlalchemy.ext.asyncio import AsyncSession

from shared.ai import service as ai
from shared.ai.schemas import RouteLink
from shared.config import Settings

# A 2-4 section explanation with key points; five mixed questions with answers and rubrics.
TYPICAL_OUTPUT_TOKENS = {"explanation": 700, "questions": 900}
VARIABLES_TOKENS = 40  # topic, chapter, subject, analogy as filled in
# genai-prices' provider ids; ollama runs on your own hardware and offline costs nothing.
PRICE_PROVIDERS = {"openai": "openai", "gemini": "google"}


@dataclass(frozen=True)
class ItemEstimate:
    link: RouteLink | None
    input_tokens: int
    output_tokens: int
    usd: float


@lru_cache(maxsize=256)
def _per_token(price_provider: str, model: str) -> tuple[float, float] | None:
    try:
        per_in = calc_price(Usage(input_tokens=1_000_000), model, provider_id=price_provider)
        per_out = calc_price(Usage(output_tokens=1_000_000), model, provider_id=price_provider)
    except LookupError:
        return None
    return float(per_in.total_price) / 1e6, float(per_out.total_price) / 1e6


def price(link: RouteLink | None, input_tokens: int, output_tokens: int) -> float:
    """USD for these tokens on ``link``; 0 for unpriced links (offline, ollama, unknown models)."""
    if link is None or link.provider not in PRICE_PROVIDERS:
        return 0.0
    per = _per_token(PRICE_PROVIDERS[link.provider], link.model)
    if per is None:
        return 0.0
    return round(input_tokens * per[0] + output_tokens * per[1], 8)


async def per_item(session: AsyncSession, settings: Settings, kinds: list[str]
                   ) -> dict[str, ItemEstimate]:
    """The expected cost of one item of each kind, with the current routes and templates."""
    out = {}
    for kind in kinds:
        route = await ai.get_route(session, settings, kind)
        template = await ai.get_template(session, kind)
        link = route.chain[0] if route.chain else None
        input_tokens = (len(template.system) + len(template.template)) // 4 + VARIABLES_TOKENS
        output_tokens = TYPICAL_OUTPUT_TOKENS.get(kind, 700)
        out[kind] = ItemEstimate(link, input_tokens, output_tokens,
                                 price(link, input_tokens, output_tokens))
    return out
