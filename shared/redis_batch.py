"""Calls of one Lua script made at the same moment, sent to Redis as one pipeline.

redis-py's asyncio client spends about 0.2 ms of CPU on every command it sends on its own
(connection pool, retry and timeout wrappers), more than the whole rest of a cached read
(docs/benchmarks.md, "Hot paths"). Requests that arrive together, as they do under load, each
add their call here and wait; the calls queued during one turn of the event loop go out in the
next turn as a single pipeline. A call is only ever sent *after* it was made, so a batched
read sees every write that finished before the request asked; with one request at a time a
batch simply holds one call.
"""

from __future__ import annotations

import asyncio

import redis.exceptions


class ScriptBatcher:
    def __init__(self, redis, source: str) -> None:
        self.redis = redis
        self.script = redis.register_script(source)
        self._calls: list[tuple[list, list, asyncio.Future]] = []
        self._tasks: set[asyncio.Task] = set()

    async def __call__(self, keys: list, args: list):
        """The script's reply for ``keys`` and ``args`` (its error is raised here)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._calls.append((keys, args, future))
        if len(self._calls) == 1:
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        calls, self._calls = self._calls, []
        task = asyncio.get_running_loop().create_task(self._send(calls))
        self._tasks.add(task)  # a running task needs a strong reference
        task.add_done_callback(self._tasks.discard)

    async def _send(self, calls: list) -> None:
        try:
            replies = await self._pipeline(calls)
            if any(isinstance(r, redis.exceptions.NoScriptError) for r in replies):
                await self.redis.script_load(self.script.script)  # after a SCRIPT FLUSH or restart
                replies = await self._pipeline(calls)
        except Exception as exc:  # every waiting request gets the failure
            for _, _, future in calls:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), reply in zip(calls, replies, strict=True):
            if future.done():
                continue  # its request was cancelled (the client went away)
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _pipeline(self, calls: list) -> list:
        pipe = self.redis.pipeline(transaction=False)
        for keys, args, _ in calls:
            pipe.evalsha(self.script.sha, len(keys), *keys, *args)
        return await pipe.execute(raise_on_error=False)
