"""Rules of the AI domain: effective routes per task, versioned prompt templates.

Services flush, never commit. After an edit commits, the caller calls ``announce_change`` so
every worker drops its cached routes and templates before its next job.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.ai import repository, templating
from shared.ai.defaults import DEFAULT_TEMPLATES, configured_providers, default_chain
from shared.ai.errors import InvalidRoute, InvalidTemplate, UnknownTask
from shared.ai.models import PromptTemplate
from shared.ai.schemas import TASKS, RouteIn, RouteOut, TemplateIn, TemplateOut
from shared.config import Settings

CONFIG_VERSION_KEY = "studyforge:ai:config-version"

_SETTING_FOR = {
    "gemini": "STUDYFORGE_GEMINI_API_KEY",
    "openai": "STUDYFORGE_OPENAI_API_KEY",
    "ollama": "STUDYFORGE_OLLAMA_HOST",
}


@dataclass(frozen=True)
class AIConfig:
    """Everything the chain needs from the database, loaded in two queries."""

    routes: dict[str, RouteOut]
    templates: dict[str, TemplateOut]


def require_task(task: str) -> str:
    if task not in TASKS:
        raise UnknownTask(task)
    return task


async def list_routes(session: AsyncSession, settings: Settings) -> list[RouteOut]:
    """The chain every task runs now: the admin's, or the default for this configuration."""
    stored = {route.task: route for route in await repository.list_routes(session)}
    out = []
    for task in TASKS:
        route = stored.get(task)
        if route is None:
            out.append(RouteOut(task=task, chain=default_chain(task, settings), source="default"))
        else:
            out.append(
                RouteOut(task=task, chain=route.chain, source="custom", updated_at=route.updated_at)
            )
    return out


async def get_route(session: AsyncSession, settings: Settings, task: str) -> RouteOut:
    require_task(task)
    route = await repository.get_route(session, task)
    if route is None:
        return RouteOut(task=task, chain=default_chain(task, settings), source="default")
    return RouteOut(task=task, chain=route.chain, source="custom", updated_at=route.updated_at)


async def set_route(
    session: AsyncSession, settings: Settings, *, task: str, body: RouteIn, user_id: int | None
) -> RouteOut:
    """Replace a task's chain; it runs exactly these links, in this order."""
    require_task(task)
    usable = set(configured_providers(settings))
    for link in body.chain:
        if link.provider not in usable:
            raise InvalidRoute(
                f"Provider {link.provider!r} is not configured on this server; set "
                f"{_SETTING_FOR[link.provider]} or choose one of: {', '.join(sorted(usable))}."
            )
    chain = [link.model_dump() for link in body.chain]
    route = await repository.save_route(session, task=task, chain=chain, user_id=user_id)
    return RouteOut(task=task, chain=body.chain, source="custom", updated_at=route.updated_at)


async def reset_route(session: AsyncSession, settings: Settings, *, task: str) -> RouteOut:
    """Drop the admin's chain so the task runs its default again."""
    require_task(task)
    await repository.delete_route(session, task)
    return RouteOut(task=task, chain=default_chain(task, settings), source="default")


def _template_out(row: PromptTemplate) -> TemplateOut:
    return TemplateOut(
        task=row.task,
        version=row.version,
        template=row.template,
        system=row.system,
        variables=sorted(templating.placeholders(row.template)),
        created_at=row.created_at,
    )


def _default_template(task: str) -> TemplateOut:
    system, template = DEFAULT_TEMPLATES[task]
    return TemplateOut(
        task=task,
        version=1,
        template=template,
        system=system,
        variables=sorted(templating.placeholders(template)),
    )


async def get_template(session: AsyncSession, task: str) -> TemplateOut:
    """The version jobs use now (the highest); the seed's text if none is stored."""
    require_task(task)
    row = await repository.latest_template(session, task)
    return _template_out(row) if row else _default_template(task)


async def template_versions(session: AsyncSession, task: str) -> list[TemplateOut]:
    require_task(task)
    rows = await repository.template_versions(session, task)
    return [_template_out(row) for row in rows] or [_default_template(task)]


async def put_template(
    session: AsyncSession, *, task: str, body: TemplateIn, user_id: int | None
) -> TemplateOut:
    """Store a new version of the task's template; earlier versions stay for the history."""
    require_task(task)
    try:
        templating.check(task, body.template)
    except ValueError as exc:
        raise InvalidTemplate(f"Template rejected: {exc}.") from exc
    if "{" in body.system or "}" in body.system:
        # The system text is sent as written; braces there are almost always a mistake.
        raise InvalidTemplate("Template rejected: placeholders belong in 'template', not 'system'.")
    row = await repository.add_template(
        session, task=task, system=body.system, template=body.template, user_id=user_id
    )
    return _template_out(row)


async def load_config(session: AsyncSession, settings: Settings) -> AIConfig:
    """Routes and current templates for every task (the chain caches this briefly)."""
    routes = {route.task: route for route in await list_routes(session, settings)}
    stored = await repository.latest_templates(session)
    templates = {
        task: _template_out(stored[task]) if task in stored else _default_template(task)
        for task in TASKS
    }
    return AIConfig(routes=routes, templates=templates)


async def announce_change(redis) -> None:
    """Tell every worker to reload routes and templates before its next job (after commit)."""
    await redis.incr(CONFIG_VERSION_KEY)


def default_config(settings: Settings) -> AIConfig:
    """Routes and templates as a fresh install has them, without reading the database."""
    return AIConfig(
        routes={
            task: RouteOut(task=task, chain=default_chain(task, settings), source="default")
            for task in TASKS
        },
        templates={task: _default_template(task) for task in TASKS},
    )
