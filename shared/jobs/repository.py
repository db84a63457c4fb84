from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.jobs.models import FINAL_STATUSES, Job


async def get(session: AsyncSession, job_id: str) -> Job | None:
    return await session.get(Job, job_id)


async def add(session: AsyncSession, **fields) -> Job:
    job = Job(**fields)
    session.add(job)
    await session.flush()
    return job


# The worker's writes go through Core on the table, not ORM-enabled UPDATEs: the ORM's bulk
# update machinery cost about 1 ms of CPU per statement, several statements per job, and these
# statements never need the identity map.
_jobs = Job.__table__


async def add_many(session: AsyncSession, rows: list[dict]) -> None:
    """Insert jobs (dicts with the same keys) in one statement: no ORM objects to build.

    On PostgreSQL the rows travel as one array per column through ``unnest``: an executemany
    ran SQLAlchemy's per-row parameter machinery for each job, a measured share of the API's
    CPU on ``POST /generations`` (docs/benchmarks.md, "Hot paths"). Each value still goes
    through its column type's own bind processing (UTC timestamps, JSON), as it would there.
    """
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        await connection.execute(insert(_jobs), rows)
        return
    names = tuple(rows[0])
    sql, processors = _unnest_insert(connection.dialect, names)
    arrays = tuple(
        [row[name] for row in rows] if process is None else [process(row[name]) for row in rows]
        for name, process in zip(names, processors, strict=True)
    )
    await connection.exec_driver_sql(sql, arrays)


@functools.cache
def _unnest_insert(dialect, names: tuple[str, ...]) -> tuple[str, list]:
    """The INSERT ... SELECT FROM unnest statement for these columns, and their processors."""
    columns = [_jobs.c[name] for name in names]
    arrays = ", ".join(f"${i}::{column.type.compile(dialect=dialect)}[]"
                       for i, column in enumerate(columns, 1))
    sql = f"INSERT INTO {_jobs.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
    return sql, [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]


async def claim(
    session: AsyncSession, job_id: str, *, now: datetime, max_attempts: int,
    stage: str | None = None, progress: float | None = None,
) -> Job | None:
    """Mark a job running and return it as claimed; None if it is final, spent or missing.

    One conditional UPDATE ... RETURNING, so two deliveries of one message cannot both start it
    from a final state, and the worker needs no separate read. ``stage``/``progress`` let the
    claim also record the job's first stage (one transaction instead of two).
    """
    values: dict = {"status": "running", "started_at": now, "attempts": _jobs.c.attempts + 1,
                    "updated_at": now}
    if stage is not None:
        values["stage"] = stage
    if progress is not None:
        values["progress"] = progress
    row = (await session.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.status.not_in(FINAL_STATUSES),
               _jobs.c.attempts < max_attempts)
        .values(**values)
        .returning(*_jobs.c)
    )).mappings().first()
    return None if row is None else Job(**row)


async def state(session: AsyncSession, job_id: str) -> tuple[str, int] | None:
    """(status, attempts) of a job, or None if there is no such job."""
    row = (await session.execute(
        select(_jobs.c.status, _jobs.c.attempts).where(_jobs.c.id == job_id))).first()
    return None if row is None else (row.status, row.attempts)


async def finish(session: AsyncSession, job_id: str, *, now: datetime, **values) -> bool:
    """Move a job to a final state, only if it is not final yet (the exactly-once gate)."""
    result = await session.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.status.not_in(FINAL_STATUSES))
        .values(finished_at=now, updated_at=now, **values)
    )
    return result.rowcount == 1


async def set_progress(
    session: AsyncSession, job_id: str, *, progress: float, stage: str, now: datetime
) -> None:
    await session.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.status == "running")
        .values(progress=progress, stage=stage, updated_at=now)
    )


async def stale_queued(session: AsyncSession, *, before: datetime, limit: int = 500) -> list[Job]:
    query = (
        select(Job)
        .where(Job.status == "queued", Job.updated_at < before)
        .order_by(Job.created_at)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def stale_running(session: AsyncSession, *, before: datetime, limit: int = 500) -> list[Job]:
    query = (
        select(Job)
        .where(Job.status == "running", Job.updated_at < before)
        .order_by(Job.updated_at)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def unclaim(session: AsyncSession, job_id: str, *, attempts: int, now: datetime) -> bool:
    """Put a running job back to queued, only if nobody claimed it again since we looked.

    Every claim bumps ``attempts``, so matching the attempts we saw is the optimistic lock.
    """
    result = await session.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.status == "running", _jobs.c.attempts == attempts)
        .values(status="queued", stage="requeued", progress=0.0, updated_at=now)
    )
    return result.rowcount == 1


async def timings_since(session: AsyncSession, *, since: datetime, limit: int = 20_000):
    """(kind, created_at, started_at, finished_at) of jobs that ran and finished since ``since``."""
    query = (
        select(Job.kind, Job.created_at, Job.started_at, Job.finished_at)
        .where(Job.finished_at >= since, Job.started_at.is_not(None),
               Job.stage.is_distinct_from("cached"))
        .order_by(Job.finished_at.desc())
        .limit(limit)
    )
    return (await session.execute(query)).all()
