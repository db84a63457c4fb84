"""Admin endpoints of the AI domain: routes, prompt templates, provider health.

``GET /admin/ai-history`` lives with the analytics endpoints (api/analytics.py): it reads the
Parquet store and the records still buffered in Redis.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks

from api.deps import AdminPrincipal, RedisDep, SessionDep, SettingsDep
from api.errors import ERROR_BODY
from pipelines.ai import reports
from shared.ai import service
from shared.ai.schemas import (
    ProviderStats,
    RouteIn,
    RouteOut,
    TemplateIn,
    TemplateOut,
)

router = APIRouter(prefix="/admin", tags=["admin: AI"],
                   responses={401: ERROR_BODY, 403: ERROR_BODY})
_TASK = {404: ERROR_BODY}
_EDIT = {404: ERROR_BODY, 422: ERROR_BODY}


def _announce_after_commit(background: BackgroundTasks, redis) -> None:
    # Background tasks run after the response, i.e. after the request's commit: a worker that
    # reloads on this signal is sure to read the new row.
    background.add_task(service.announce_change, redis)


@router.get("/model-routes", response_model=list[RouteOut])
async def list_routes(_: AdminPrincipal, session: SessionDep, settings: SettingsDep):
    """The chain of every task: the admin's, or the default built from configured providers."""
    return await service.list_routes(session, settings)


@router.get("/model-routes/{task}", response_model=RouteOut, responses=_TASK)
async def get_route(task: str, _: AdminPrincipal, session: SessionDep, settings: SettingsDep):
    return await service.get_route(session, settings, task)


@router.put("/model-routes/{task}", response_model=RouteOut, responses=_EDIT)
async def put_route(task: str, body: RouteIn, principal: AdminPrincipal, session: SessionDep,
                    settings: SettingsDep, redis: RedisDep, background: BackgroundTasks):
    """Replace a task's chain; the next job runs exactly these links, in order."""
    route = await service.set_route(session, settings, task=task, body=body,
                                    user_id=principal.user_id)
    _announce_after_commit(background, redis)
    return route


@router.delete("/model-routes/{task}", response_model=RouteOut, responses=_TASK)
async def reset_route(task: str, _: AdminPrincipal, session: SessionDep, settings: SettingsDep,
                      redis: RedisDep, background: BackgroundTasks):
    """Go back to the default chain for this task."""
    route = await service.reset_route(session, settings, task=task)
    _announce_after_commit(background, redis)
    return route


@router.get("/prompt-templates/{task}", response_model=TemplateOut, responses=_TASK)
async def get_template(task: str, _: AdminPrincipal, session: SessionDep):
    """The template jobs use now (its highest version)."""
    return await service.get_template(session, task)


@router.get("/prompt-templates/{task}/versions", response_model=list[TemplateOut],
            responses=_TASK)
async def template_versions(task: str, _: AdminPrincipal, session: SessionDep):
    """Every version of a task's template, newest first."""
    return await service.template_versions(session, task)


@router.put("/prompt-templates/{task}", response_model=TemplateOut, responses=_EDIT)
async def put_template(task: str, body: TemplateIn, principal: AdminPrincipal,
                       session: SessionDep, redis: RedisDep, background: BackgroundTasks):
    """Store a new version of the task's template; the next job uses it."""
    template = await service.put_template(session, task=task, body=body,
                                          user_id=principal.user_id)
    _announce_after_commit(background, redis)
    return template


@router.get("/providers", response_model=list[ProviderStats])
async def providers(_: AdminPrincipal, redis: RedisDep, settings: SettingsDep):
    """Per provider/model: circuit state, calls, error rate, p50/p95 latency (recent window)."""
    return await reports.provider_stats(redis, window_seconds=settings.ai_stats_window_seconds)
