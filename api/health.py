from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

router = APIRouter(tags=["health"])

CHECK_TIMEOUT = 2.0


@router.get("/healthz")
async def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


async def _check(coro) -> str | None:
    try:
        await asyncio.wait_for(coro, CHECK_TIMEOUT)
        return None
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__


@router.get("/readyz", responses={503: {"description": "A dependency is down"}})
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database and Redis both answer; 503 naming what failed."""
    state = request.app.state

    async def db() -> None:
        async with state.sessions() as session:
            await session.execute(text("SELECT 1"))

    checks = {"database": await _check(db()), "redis": await _check(state.redis.ping())}
    down = {name: err for name, err in checks.items() if err}
    if down:
        detail = "Not ready: " + ", ".join(f"{n} is down ({e})" for n, e in down.items())
        return JSONResponse({"detail": detail, "checks": checks}, status_code=503)
    return JSONResponse({"status": "ready", "checks": {n: "ok" for n in checks}})


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
