"""All SQL of the AI domain: model routes and prompt template versions."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.ai.models import ModelRoute, PromptTemplate


async def list_routes(session: AsyncSession) -> list[ModelRoute]:
    return list((await session.scalars(select(ModelRoute))).all())


async def get_route(session: AsyncSession, task: str) -> ModelRoute | None:
    return await session.get(ModelRoute, task)


async def save_route(
    session: AsyncSession, *, task: str, chain: list[dict], user_id: int | None
) -> ModelRoute:
    route = await session.get(ModelRoute, task)
    if route is None:
        route = ModelRoute(task=task, chain=chain, updated_by=user_id)
        session.add(route)
    else:
        route.chain = chain
        route.updated_by = user_id
    await session.flush()
    return route


async def delete_route(session: AsyncSession, task: str) -> bool:
    result = await session.execute(delete(ModelRoute).where(ModelRoute.task == task))
    return result.rowcount > 0


async def latest_templates(session: AsyncSession) -> dict[str, PromptTemplate]:
    """The highest version of every task's template, in one query."""
    newest = (
        select(PromptTemplate.task, func.max(PromptTemplate.version).label("version"))
        .group_by(PromptTemplate.task)
        .subquery()
    )
    rows = await session.scalars(
        select(PromptTemplate).join(
            newest,
            (PromptTemplate.task == newest.c.task) & (PromptTemplate.version == newest.c.version),
        )
    )
    return {row.task: row for row in rows}


async def latest_template(session: AsyncSession, task: str) -> PromptTemplate | None:
    return await session.scalar(
        select(PromptTemplate)
        .where(PromptTemplate.task == task)
        .order_by(PromptTemplate.version.desc())
        .limit(1)
    )


async def template_versions(session: AsyncSession, task: str) -> list[PromptTemplate]:
    rows = await session.scalars(
        select(PromptTemplate)
        .where(PromptTemplate.task == task)
        .order_by(PromptTemplate.version.desc())
    )
    return list(rows.all())


async def add_template(
    session: AsyncSession, *, task: str, system: str, template: str, user_id: int | None
) -> PromptTemplate:
    """Store a new version (one above the highest); the unique (task, version) pair makes two
    concurrent edits collide instead of both claiming the same number."""
    current = await session.scalar(
        select(func.max(PromptTemplate.version)).where(PromptTemplate.task == task)
    )
    row = PromptTemplate(
        task=task,
        version=(current or 0) + 1,
        system=system,
        template=template,
        created_by=user_id,
    )
    session.add(row)
    await session.flush()
    return row
