"""jobs.repository.add_many: the PostgreSQL path (one array per column through unnest) stores
exactly what the ORM would have, values of every column type included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from shared.jobs import repository
from shared.jobs.models import Job


def _row(**overrides) -> dict:
    now = datetime.now(UTC)
    row = {"id": str(uuid.uuid4()), "kind": "explanation", "status": "queued", "progress": 0.25,
           "stage": "queued", "payload": {"topic": "Fractions ½ — é", "nested": {"n": [1, 2.5]}},
           "result": None, "error": None, "created_by": None, "profile_id": None,
           "cache_key": "k" * 64, "attempts": 0, "created_at": now, "updated_at": now,
           "started_at": None, "finished_at": None}
    return {**row, **overrides}


async def test_rows_read_back_as_written(app):
    # A naive timestamp means UTC (TZDateTime's own rule); another offset is converted.
    naive = datetime(2026, 1, 2, 3, 4, 5)
    paris = datetime(2026, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    rows = [_row(), _row(status="succeeded", result={"cached": True, "ids": [3]}, progress=1.0,
                         started_at=naive, finished_at=paris, error={"code": None})]
    async with app.state.sessions() as session:
        assert session.bind.dialect.name == "postgresql"  # the unnest path is what is tested
        await repository.add_many(session, rows)
        await session.commit()
    async with app.state.sessions() as session:
        for row in rows:
            job = await session.get(Job, row["id"])
            for name, value in row.items():
                if name in ("started_at", "finished_at") and value is not None:
                    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
                assert getattr(job, name) == value, name
        assert (await session.get(Job, rows[1]["id"])).started_at == naive.replace(tzinfo=UTC)


async def test_nothing_to_insert_is_a_no_op(app):
    async with app.state.sessions() as session:
        await repository.add_many(session, [])
