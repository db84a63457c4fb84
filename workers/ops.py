"""The worker middleware that makes the queues observable and the logs correlated.

Per worker process it publishes a registry entry (host, pid, queues, running messages) with a
TTL; per message it sets the request and job ids for log records, records outcome counters and
durations (shared.ops.stats), keeps the job -> message index current for retries, and saves the
error of a dead-lettered message next to it. Redis failures here are logged, never raised: a
stats write must not fail a job.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime

from dramatiq.middleware import Middleware

from shared import context
from shared.config import Settings
from shared.ops import registry, stats
from shared.ops.keys import Keys, canonical
from shared.queue import JOB_MESSAGE_TTL

log = logging.getLogger("studyforge.worker.ops")

DEAD_ERROR_TTL = 7 * 86400


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class OpsMiddleware(Middleware):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = Keys(settings.broker_namespace)
        self.info: registry.WorkerInfo | None = None
        self.client = None
        self._lock = threading.Lock()
        self._running: dict[str, dict] = {}  # Dramatiq message id -> what the registry shows
        self._local = threading.local()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- worker lifetime -----------------------------------------------------------------
    def before_worker_boot(self, broker, worker) -> None:
        # Before the consumers start: a message can be dead-lettered on the very first fetch.
        self.client = broker.client
        queues = sorted(broker.get_declared_queues())
        self.info = registry.WorkerInfo(
            id=broker.broker_id, hostname=socket.gethostname(), pid=os.getpid(),
            started_at=_now_iso(), queues=queues, threads=worker.worker_threads)
        try:
            # Before the first fetch, so the reaper knows every queue a worker may hold.
            if queues:
                self.client.sadd(self.keys.queues, *queues)
            self.publish()
        except Exception:
            log.warning("could not register this worker in Redis", exc_info=True)
        self._stop.clear()
        self._thread = threading.Thread(target=self._refresh, name="ops-registry", daemon=True)
        self._thread.start()

    def after_worker_shutdown(self, broker, worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.info is not None:
            self._safely(lambda pipe: registry.withdraw(pipe, self.keys, self.info.id))

    def _refresh(self) -> None:
        while not self._stop.wait(self.settings.worker_registry_interval_seconds):
            try:
                self.publish()
            except Exception:  # a Redis blip must not kill the thread
                log.warning("worker registry refresh failed", exc_info=True)

    def publish(self, pipe=None) -> None:
        if self.info is None:
            return
        with self._lock:
            self.info.current = list(self._running.values())
            own = pipe is None
            if own:  # (a pipeline with no commands yet is falsy: compare with None)
                pipe = self.client.pipeline(transaction=False)
            registry.publish(pipe, self.keys, self.info, now_ms=int(time.time() * 1000),
                             ttl_seconds=self.settings.worker_registry_ttl_seconds)
        if own:
            pipe.execute()

    # --- per message ---------------------------------------------------------------------
    def before_process_message(self, broker, message) -> None:
        job_id = message.kwargs.get("job_id")
        request_id = message.options.get("request_id")
        self._local.tokens = context.bind(request=request_id, job=job_id)
        self._local.started = time.time()
        with self._lock:
            self._running[message.message_id] = {
                "message_id": message.options.get("redis_message_id", message.message_id),
                "actor": message.actor_name, "queue": canonical(message.queue_name),
                "job_id": job_id, "request_id": request_id, "started_at": _now_iso()}
        # No Redis call here: the refresh thread publishes the list within an interval, and
        # the reaper leaves a running job alone for a grace period longer than that interval.
        # (Publishing here too cost a round trip per message: bench/ops_middleware.py.)

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        started = getattr(self._local, "started", None)
        now = time.time()
        run_s = None if started is None else now - started
        wait_s = None
        if started is not None:
            ready_ms = max(message.message_timestamp, message.options.get("eta") or 0)
            wait_s = started - ready_ms / 1000

        def write(pipe) -> None:
            stats.record(pipe, self.keys, message.actor_name, "processed", now=now,
                         run_s=run_s, wait_s=wait_s)
            if exception is not None:
                stats.record(pipe, self.keys, message.actor_name, "failed", now=now)

        with self._lock:
            self._running.pop(message.message_id, None)
        self._safely(write)
        self._unbind()

    def after_skip_message(self, broker, message) -> None:
        with self._lock:
            self._running.pop(message.message_id, None)
        self._unbind()

    def _unbind(self) -> None:
        tokens = getattr(self._local, "tokens", None)
        if tokens is not None:
            context.unbind(tokens)
            self._local.tokens = None
        self._local.started = None

    def after_enqueue(self, broker, message, delay) -> None:
        # Retries re-enqueue with a delay, and the worker moves due messages from the delay
        # queue back to the queue: each is a new Redis message id the index must follow.
        job_id = message.kwargs.get("job_id")

        def write(pipe) -> None:
            if delay and message.options.get("retries"):
                stats.record(pipe, self.keys, message.actor_name, "retried", now=time.time())
            if job_id:
                pipe.set(self.keys.job_message(job_id),
                         f"{message.queue_name}|{message.options['redis_message_id']}",
                         ex=JOB_MESSAGE_TTL)

        self._safely(write)

    def after_nack(self, broker, message) -> None:
        exc = getattr(message, "_exception", None)
        queue = canonical(message.queue_name)
        error = {"type": type(exc).__name__ if exc else None,
                 "message": str(exc)[:2000] if exc else "Rejected by the worker.",
                 "traceback": message.options.get("traceback")}

        def write(pipe) -> None:
            stats.record(pipe, self.keys, message.actor_name, "dead", now=time.time())
            pipe.hset(self.keys.dead_errors(queue), message.options["redis_message_id"],
                      json.dumps(error))
            pipe.expire(self.keys.dead_errors(queue), DEAD_ERROR_TTL)

        self._safely(write)

    def _safely(self, fill) -> None:
        if self.client is None:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            fill(pipe)
            pipe.execute()
        except Exception:
            log.warning("could not write queue statistics to Redis", exc_info=True)
