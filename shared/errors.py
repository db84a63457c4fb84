"""One error hierarchy: expected failures carry a status code and a message a person can act on."""

from __future__ import annotations


class AppError(Exception):
    """Base of every expected failure; the API turns it into ``{"detail": message}``."""

    status_code = 400

    def __init__(self, message: str, *, status_code: int | None = None, headers=None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.headers = headers or {}


class NotFound(AppError):
    status_code = 404


class Forbidden(AppError):
    status_code = 403


class Unauthorized(AppError):
    status_code = 401

    def __init__(self, message: str = "Not authenticated: send a valid bearer token.") -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Conflict(AppError):
    status_code = 409


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, int(retry_after)))})
        self.retry_after = retry_after


class ServiceUnavailable(AppError):
    status_code = 503
