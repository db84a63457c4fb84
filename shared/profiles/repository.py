from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.profiles.models import Profile


async def get(session: AsyncSession, profile_id: int) -> Profile | None:
    return await session.get(Profile, profile_id)


async def generation_limits(session: AsyncSession, profile_ids: set[int]) -> dict[int, Row]:
    """(id, current_grade, daily_generation_limit) of the profiles among ``profile_ids`` that
    exist, by id: one query, plain rows."""
    if not profile_ids:
        return {}
    rows = await session.execute(
        select(Profile.id, Profile.current_grade, Profile.daily_generation_limit)
        .where(Profile.id.in_(profile_ids)))
    return {row.id: row for row in rows}


async def list_for_parent(session: AsyncSession, parent_id: int) -> list[Profile]:
    rows = await session.scalars(
        select(Profile).where(Profile.parent_id == parent_id).order_by(Profile.id)
    )
    return list(rows)


async def add(session: AsyncSession, **fields) -> Profile:
    profile = Profile(**fields)
    session.add(profile)
    await session.flush()
    return profile


async def delete(session: AsyncSession, profile: Profile) -> None:
    await session.delete(profile)
    await session.flush()
