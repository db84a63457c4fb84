"""The chapter and profile facts a batch of generation requests needs, read cache first.

Each batch needs every chapter's name and grade and every asking child's grade and daily cap.
Its two PostgreSQL lookups for them cost more of the API's CPU than anything else in the batch
but the insert (docs/benchmarks.md, "Hot paths"); at steady state one Redis call answers both.

The entries are versioned like every read-cache value (shared/cache.py): a chapter's under
its ``chapter:<id>`` version, which the curriculum import and content changes bump, a
profile's under ``profile:<id>``, which ``shared.profiles.service`` bumps on every update and
delete (after the commit, before the caller's answer). So no process reads a grade, a cap or a
deleted profile from the cache after that write was answered. Something not found is never
cached: it is looked up again next time.
"""

from __future__ import annotations

import contextlib
from typing import NamedTuple

import orjson
import redis.exceptions
from sqlalchemy.ext.asyncio import AsyncSession

from shared import cache
from shared.curriculum import repository as curriculum_repository
from shared.profiles import repository as profiles_repository

VARIANT = "generation-facts"


class ChapterFacts(NamedTuple):
    id: int
    chapter_name: str
    grade: int


class ProfileFacts(NamedTuple):
    id: int
    current_grade: int
    daily_generation_limit: int | None


async def load(
    session: AsyncSession, read_cache: cache.ReadCache | None, chapter_ids: set[int],
    profile_ids: set[int],
) -> tuple[dict[int, ChapterFacts], dict[int, ProfileFacts]]:
    """The chapters and profiles among the ids that exist, by id."""
    names = {cache.chapter_key(i): i for i in chapter_ids}
    profile_names = {cache.profile_key(i): i for i in profile_ids}
    found = await _cached(read_cache, [*names, *profile_names])
    chapters = {i: ChapterFacts(i, *orjson.loads(found[name][1]))
                for name, i in names.items() if found.get(name, ("", None))[1] is not None}
    profiles = {i: ProfileFacts(i, *orjson.loads(found[name][1]))
                for name, i in profile_names.items() if found.get(name, ("", None))[1] is not None}
    fills: dict[str, tuple[str, bytes]] = {}
    if missing := chapter_ids - chapters.keys():
        for row in (await curriculum_repository.names_and_grades(session, missing)).values():
            chapters[row.id] = ChapterFacts(row.id, row.chapter_name, row.grade)
            _fill(fills, found, cache.chapter_key(row.id), [row.chapter_name, row.grade])
    if missing := profile_ids - profiles.keys():
        for row in (await profiles_repository.generation_limits(session, missing)).values():
            profiles[row.id] = ProfileFacts(row.id, row.current_grade, row.daily_generation_limit)
            _fill(fills, found, cache.profile_key(row.id),
                  [row.current_grade, row.daily_generation_limit])
    if fills and read_cache is not None:
        with contextlib.suppress(redis.exceptions.RedisError):  # only a later shortcut is lost
            await read_cache.put_many(VARIANT, fills)
    return chapters, profiles


async def _cached(read_cache: cache.ReadCache | None, names: list[str]) -> dict:
    if read_cache is None:
        return {}
    try:
        return await read_cache.get_many(names, VARIANT)
    except redis.exceptions.RedisError:
        return {}  # a shortcut only: PostgreSQL answers without it


def _fill(fills: dict, found: dict, name: str, value: list) -> None:
    # Under the version read *before* the database was: if a write bumped it since, this
    # entry is filed under a version nobody reads any more.
    if name in found:
        fills[name] = (found[name][0], orjson.dumps(value))
