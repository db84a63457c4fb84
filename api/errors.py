"""One place that turns failures into HTTP answers: expected ones 4xx, outages 503, never a raw 500."""

from __future__ import annotations

import logging

import redis.exceptions
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.errors import AppError

log = logging.getLogger("studyforge.api")

# Documented on every endpoint so generated clients and fuzzers know the error bodies.
ERROR_BODY = {"content": {"application/json": {"example": {"detail": "A message."}}}}


_DATA_ERRORS = {"DataError"}


def _asyncpg_data_error() -> type:
    try:
        from asyncpg.exceptions import DataError as AsyncpgDataError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return ()
    return AsyncpgDataError


def _detail(status: int, message: str, headers=None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def error_response(exc: AppError) -> JSONResponse:
    """The answer to an expected failure (also used by api.hot outside the router)."""
    return _detail(exc.status_code, exc.message, exc.headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(redis.exceptions.RedisError)
    async def redis_down(_: Request, exc: Exception) -> JSONResponse:
        log.warning("redis unavailable: %s", exc)
        return _detail(503, "The queue and cache service (Redis) is unavailable; nothing was "
                            "accepted. Try again in a moment.", {"Retry-After": "5"})

    async def database_down(_: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return _detail(503, "The database is unavailable; nothing was saved. Try again in a "
                            "moment.", {"Retry-After": "5"})

    @app.exception_handler(DataError)
    async def unstorable(_: Request, exc: DataError) -> JSONResponse:
        # A value the schema let through but the database cannot store (out of range, bad
        # encoding): the request is at fault, so 422, and nothing was written.
        log.info("unstorable value: %s", exc.orig)
        return _detail(422, "A value in the request cannot be stored (out of range or not valid "
                            "text); nothing was saved.")

    @app.exception_handler(DBAPIError)
    async def driver_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # asyncpg's own data errors (e.g. a NUL byte in a parameter) arrive as a generic
        # DBAPIError; they are still the request's fault.
        cause = getattr(exc.orig, "__cause__", None) or exc.orig
        if type(cause).__name__ in _DATA_ERRORS or isinstance(cause, _asyncpg_data_error()):
            return await unstorable(request, exc)
        if exc.connection_invalidated:
            return await database_down(request, exc)
        log.exception("database error", exc_info=exc)
        return _detail(500, "Internal error: it has been logged.")

    for exc_type in (OperationalError, InterfaceError, PoolTimeout, ConnectionError, OSError):
        app.add_exception_handler(exc_type, database_down)
