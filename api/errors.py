"""One place that turns failures into HTTP answers: expected ones 4xx, outages 503, never a raw 500."""

from __future__ import annotations

import logging

import redis.exceptions
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.errors import AppError

log = logging.getLogger("studyforge.api")

# Documented on every endpoint so generated clients and fuzzers know the error bodies.
ERROR_BODY = {"content": {"application/json": {"example": {"detail": "A message."}}}}


def _detail(status: int, message: str, headers=None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError) -> JSONResponse:
        return _detail(exc.status_code, exc.message, exc.headers)

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

    for exc_type in (OperationalError, InterfaceError, PoolTimeout, ConnectionError, OSError):
        app.add_exception_handler(exc_type, database_down)
