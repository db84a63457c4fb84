"""What a generation produced, before moderation decides where it goes."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.ai.chain import ChainFailed, TaskResult
from shared.content.schemas import QuestionRecord


class GenerationFailed(Exception):
    """The generation cannot finish; ``code``/``message`` end the job ``failed``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    @classmethod
    def from_chain(cls, exc: ChainFailed) -> GenerationFailed:
        return cls(exc.code, exc.message)


@dataclass
class Produced:
    type: str
    content_json: dict
    model: str
    # (label, text) pairs for the moderation step; a label names what a reviewer should look at.
    to_moderate: list[tuple[str, str]]
    questions: list[QuestionRecord] = field(default_factory=list)
    results: list[TaskResult] = field(default_factory=list)  # every chain run, for cost
    extra: dict = field(default_factory=dict)  # more fields for the job's result

    @property
    def cost_usd(self) -> float | None:
        costs = [result.cost_usd for result in self.results]
        return None if any(cost is None for cost in costs) else round(sum(costs), 8)

    @property
    def attempts(self) -> int:
        return sum(len(result.attempts) for result in self.results)
