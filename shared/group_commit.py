"""Group commit: units of work from concurrent requests, run together in one transaction.

Each ``POST /generations`` used to pay its own transaction: a connection checkout, a few
statements, a commit (a WAL flush) and a Redis round trip, with up to 40 transactions open at
once on a two-core machine. Here the requests that arrive together share one: a batch runs
``handler(session, items)`` once, commits once, then sends every message it enqueued in one
Redis pipeline, and only then answers each request. So a caller still hears "accepted" only
after its row is committed and its message is in Redis (or gets the error its own item caused).

If the batch as a whole fails (say one item holds a value the database refuses), every item is
run again on its own, so one bad request cannot fail the others. A Redis failure after the
commit is every item's error: the rows stay ``queued`` and the reaper sends their messages.

Batches overlap only outside their transactions: the next one starts as soon as the last one
has committed, while that one's messages are still being sent and its requests answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.queue import after_commit, pending_scope

# handler(session, items) -> one outcome per item: a result, or the exception for that item.
Handler = Callable[[AsyncSession, list[Any]], Awaitable[list[Any]]]


class GroupCommit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dispatcher, handler: Handler,
                 *, max_batch: int = 200, max_in_flight: int = 1) -> None:
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.handler = handler
        self.max_batch = max_batch
        # One transaction at a time by default: those arriving meanwhile form the next, larger
        # batch, so the per-batch statements are shared by more requests. Two in flight
        # measured the same within the noise of a shared machine (docs/benchmarks.md, "Hot
        # paths"); what did help was not waiting for the Redis push and the answers.
        self.max_in_flight = max_in_flight
        self._waiting: list[tuple[Any, asyncio.Future]] = []
        self._in_flight = 0
        self._scheduled = False
        self._tasks: set[asyncio.Task] = set()

    async def submit(self, item: Any) -> Any:
        """Run ``item`` in the next batch; its result once committed and sent, or its error."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        self._schedule()
        return await future

    def _schedule(self) -> None:
        # Start on the next turn of the event loop, so requests that arrived together go together.
        if self._waiting and not self._scheduled and self._in_flight < self.max_in_flight:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._start)

    def _start(self) -> None:
        self._scheduled = False
        if not self._waiting or self._in_flight >= self.max_in_flight:
            return
        batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
        self._in_flight += 1
        task = asyncio.get_running_loop().create_task(self._run_batch(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._schedule()

    async def _run_batch(self, batch: list[tuple[Any, asyncio.Future]]) -> None:
        handed_on = False

        def hand_on() -> None:
            # The next batch may start once this one's transaction is over: its statements
            # then overlap this batch's Redis push and the writing of its answers (each of
            # which otherwise sat on the critical path between two batches' queries).
            nonlocal handed_on
            if not handed_on:
                handed_on = True
                self._in_flight -= 1
                self._start()  # queued ahead of this batch's answers, so its query goes first

        try:
            outcomes = await self._run([item for item, _ in batch], committed=hand_on)
        finally:
            hand_on()
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            _settle(future, outcome)

    async def _run(self, items: list[Any], *, committed: Callable[[], None] | None = None
                   ) -> list[Any]:
        """One outcome per item: its result once committed and sent, or its exception.

        ``committed`` is called once the transaction has committed and its connection is
        back in the pool, before the messages are sent.
        """
        with pending_scope() as pending:
            try:
                async with self.sessions() as session:
                    outcomes = await self.handler(session, items)
                    await session.commit()
            except Exception as exc:
                if len(items) == 1:
                    return [exc]
                alone = await asyncio.gather(*(self._run([item]) for item in items))
                return [outcome for (outcome,) in alone]
            if committed is not None:
                committed()
            try:
                await after_commit(self.dispatcher, pending)
            except Exception as exc:
                return [exc] * len(items)
        return outcomes


def _settle(future: asyncio.Future, outcome: Any) -> None:
    if future.done():
        return  # the request went away (client disconnected)
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
