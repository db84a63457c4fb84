"""SQLAlchemy 2 async: the declarative base, engines and sessions.

Commit happens only at the edges: the API's request dependency or ``session_scope()`` in an
actor or CLI command. Services and repositories flush, never commit.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import orjson
from sqlalchemy import MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from shared.config import Settings
from shared.queue import after_commit, discard_pending, pending_scope

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


def create_engine(settings: Settings) -> AsyncEngine:
    """An engine for the configured database (or the embedded SQLite file)."""
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        from pathlib import Path

        Path(settings.sqlite_path).resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - driver hook
            # WAL lets the API read while an in-process worker writes; foreign keys are off
            # by default in SQLite.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_async_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=False,
                               json_serializer=_json_dumps, json_deserializer=orjson.loads)


def _json_dumps(value) -> str:
    # orjson: the stdlib encoder was most of the cost of binding a job's JSON columns on the
    # enqueue hot path. Non-string keys become strings, as json.dumps makes them.
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        # What orjson refuses and json accepts, such as integers beyond 64 bits in a child's
        # avatar settings: a 500 otherwise (found by tests/security/test_fuzz_contract.py).
        return json.dumps(value)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def session_scope(
    factory: async_sessionmaker[AsyncSession], dispatcher
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, then send the jobs it enqueued; roll back on error.

    Jobs enqueued inside (``shared.queue.enqueue``) are held until the commit succeeds, so a
    worker never looks for a row that is not there yet; on rollback they are dropped.
    """
    with pending_scope() as pending:
        async with factory() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                discard_pending(pending)
                raise
        await after_commit(dispatcher, pending)
