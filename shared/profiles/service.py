"""A parent's child profiles. Anyone else's profile is simply not found (no existence leak)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared import cache
from shared.auth.tokens import Principal
from shared.errors import NotFound
from shared.profiles import repository
from shared.profiles.models import Profile
from shared.profiles.schemas import ProfileIn, ProfilePatch
from shared.queue import enqueue

NOT_FOUND = "Profile not found."


async def get_visible(session: AsyncSession, principal: Principal, profile_id: int) -> Profile:
    """The profile if ``principal`` may read it: its parent, the student itself, or an admin."""
    profile = await repository.get(session, profile_id)
    if profile is None:
        raise NotFound(NOT_FOUND)
    if principal.role == "admin":
        return profile
    if principal.role == "student" and principal.profile_id == profile.id:
        return profile
    if principal.role == "parent" and profile.parent_id == principal.user_id:
        return profile
    raise NotFound(NOT_FOUND)


async def get_owned(session: AsyncSession, principal: Principal, profile_id: int) -> Profile:
    """The profile if ``principal`` is its parent (the only one who may change it)."""
    profile = await repository.get(session, profile_id)
    if profile is None or principal.role != "parent" or profile.parent_id != principal.user_id:
        raise NotFound(NOT_FOUND)
    return profile


async def create(session: AsyncSession, principal: Principal, data: ProfileIn) -> Profile:
    return await repository.add(session, parent_id=principal.user_id, **data.model_dump())


async def list_own(session: AsyncSession, principal: Principal) -> list[Profile]:
    return await repository.list_for_parent(session, principal.user_id)


async def update(
    session: AsyncSession, principal: Principal, profile_id: int, patch: ProfilePatch
) -> Profile:
    profile = await get_owned(session, principal, profile_id)
    for field, value in patch.model_dump(exclude_unset=True).items():
        # null clears the per-child limit; for every other field null means "unchanged".
        if value is not None or field == "daily_generation_limit":
            setattr(profile, field, value)
    await session.flush()
    # Generation requests read a child's grade and daily cap from the read cache.
    cache.invalidate(cache.profile_key(profile.id))
    return profile


async def delete(session: AsyncSession, principal: Principal, profile_id: int) -> None:
    """Delete a child and, after the commit, its events from the Parquet store too."""
    profile = await get_owned(session, principal, profile_id)
    await repository.delete(session, profile)
    cache.invalidate(cache.profile_key(profile_id))
    enqueue("events.erase_profile", queue_name="events", profile_id=profile_id)
