"""Expected failures of the AI domain."""

from __future__ import annotations

from shared.ai.schemas import TASKS
from shared.errors import AppError, NotFound


class UnknownTask(NotFound):
    def __init__(self, task: str) -> None:
        super().__init__(f"Unknown AI task {task!r}; tasks are: {', '.join(TASKS)}.")


class InvalidTemplate(AppError):
    status_code = 422


class InvalidRoute(AppError):
    status_code = 422
