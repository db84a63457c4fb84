"""The FastAPI application: routers under /api/v1, health at the root, the built web app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api import (
    ai,
    analytics,
    auth,
    batches,
    curriculum,
    errors,
    events,
    generations,
    grading,
    health,
    jobs,
    ops,
    profiles,
    progress,
    review,
)
from api.edge import EdgeMiddleware
from api.hot import HotPathsMiddleware
from shared.cache import ReadCache
from shared.config import Settings, get_settings
from shared.db import create_engine, session_factory
from shared.limits import RequestLimiter
from shared.queue import Dispatcher
from shared.redis import async_client

API_PREFIX = "/api/v1"

Hook = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(settings: Settings | None = None, *, extra_lifespan: Hook | None = None) -> FastAPI:
    """Build the API; ``extra_lifespan`` lets ``studyforge dev`` run workers beside it."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.redis = async_client(settings)
        app.state.dispatcher = Dispatcher(app.state.redis, settings.broker_namespace)
        app.state.cache = ReadCache(app.state.redis, enabled=settings.read_cache)
        app.state.request_limiter = RequestLimiter(
            app.state.redis, settings.request_rate_limit, settings.request_rate_window_seconds)
        app.state.generation_requests = generations.group_commit(app)
        try:
            if extra_lifespan is None:
                yield
            else:
                async with extra_lifespan(app):
                    yield
        finally:
            await app.state.redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title="StudyForge",
        version="0.1.0",
        description="An open AI learning platform for school children.",
        lifespan=lifespan,
        # Bodies larger than this are refused with 413 before they are read whole.
        max_body_size=settings.max_request_bytes,
        # We export Prometheus metrics ourselves (api/metrics.py) and configure no OpenTelemetry;
        # left on, FastAPI looked up the global OTel providers on every request (~8% of a
        # cache hit's CPU in the profile).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    errors.install(app)

    v1 = APIRouter(prefix=API_PREFIX)
    for module in (auth, profiles, progress, curriculum, generations, grading, jobs, events,
                   analytics, ops, ai, batches, review):
        v1.include_router(module.router)
    v1.include_router(auth.me_router)
    app.include_router(v1)
    app.include_router(health.router)

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["*"], allow_headers=["*"], allow_credentials=True)
    # Inside the edge, so cache hits still get metrics, a request id and security headers.
    app.add_middleware(HotPathsMiddleware)
    app.add_middleware(EdgeMiddleware)
    _mount_frontend(app, Path(settings.frontend_dist))
    return app


def _mount_frontend(app: FastAPI, dist: Path) -> None:
    """Serve the built Vue app (``npm run build``) with history-mode fallback to index.html."""
    index = dist / "index.html"
    if not index.is_file():

        @app.get("/", include_in_schema=False)
        async def root() -> JSONResponse:
            return JSONResponse({"name": "StudyForge", "api": API_PREFIX, "docs": "/docs",
                                 "web_app": "not built: run `npm run build` in frontend/"})

        return
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    root = dist.resolve()
    # The built app is a handful of files: list them once instead of touching the disk per call.
    files = {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        if path in files:
            return FileResponse(files[path])
        if path.startswith(("api/", "healthz", "readyz", "metrics")):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        return FileResponse(index)
