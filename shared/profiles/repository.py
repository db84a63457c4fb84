from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.profiles.models import Profile


async def get(session: AsyncSession, profile_id: int) -> Profile | None:
    return await session.get(Profile, profile_id)


async def get_many(session: AsyncSession, profile_ids: set[int]) -> dict[int, Profile]:
    """The profiles among ``profile_ids`` that exist, by id, in one query."""
    if not profile_ids:
        return {}
    rows = await session.scalars(select(Profile).where(Profile.id.in_(profile_ids)))
    return {p.id: p for p in rows}


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
