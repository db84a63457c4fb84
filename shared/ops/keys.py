"""Every Redis key the operations code reads or writes, in one place.

Dramatiq's Redis broker owns the first group (see dramatiq/brokers/redis/dispatch.lua); the
second group is ours, kept under the same namespace so one broker namespace is one system.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_QUEUE = "default"


def canonical(queue: str) -> str:
    """``default.DQ`` -> ``default``: delayed messages belong to their queue."""
    return queue[:-3] if queue.endswith(".DQ") else queue


@dataclass(frozen=True)
class Keys:
    ns: str

    # --- Dramatiq's layout ---------------------------------------------------------------
    def queue(self, q: str) -> str:
        """List of ready message ids."""
        return f"{self.ns}:{q}"

    def msgs(self, q: str) -> str:
        """Hash message id -> encoded message (ready and fetched-but-unacked)."""
        return f"{self.ns}:{q}.msgs"

    def delayed_msgs(self, q: str) -> str:
        return f"{self.ns}:{q}.DQ.msgs"

    def dead(self, q: str) -> str:
        """Sorted set of dead-lettered message ids, scored by when they died (ms)."""
        return f"{self.ns}:{q}.XQ"

    def dead_msgs(self, q: str) -> str:
        return f"{self.ns}:{q}.XQ.msgs"

    def acks(self, worker_id: str, q: str) -> str:
        """Set of message ids a worker fetched from a queue and has not acked yet."""
        return f"{self.ns}:__acks__.{worker_id}.{q}"

    @property
    def heartbeats(self) -> str:
        """Sorted set worker id -> last dispatch call (ms); Dramatiq's only liveness signal."""
        return f"{self.ns}:__heartbeats__"

    # --- ours ----------------------------------------------------------------------------
    def dead_errors(self, q: str) -> str:
        """Hash dead message id -> JSON error, written by the worker middleware on nack."""
        return f"{self.ns}:{q}.XQ.errors"

    @property
    def queues(self) -> str:
        """Set of queue names declared by any worker that ever booted."""
        return f"{self.ns}:studyforge:queues"

    @property
    def workers(self) -> str:
        """Sorted set worker id -> last registry publish (ms)."""
        return f"{self.ns}:studyforge:workers"

    def worker(self, worker_id: str) -> str:
        """JSON: hostname, pid, started_at, queues, current messages; expires with a TTL."""
        return f"{self.ns}:studyforge:worker:{worker_id}"

    def job_message(self, job_id: str) -> str:
        """``queue|redis_message_id`` of a job's newest message, so the reaper can check it."""
        return f"{self.ns}:studyforge:job-msg:{job_id}"

    def stats_minute(self, minute: int) -> str:
        """Hash ``actor|outcome`` -> count for one minute (epoch seconds of its start)."""
        return f"{self.ns}:studyforge:stats:m:{minute}"

    def stats_hour(self, hour: int) -> str:
        return f"{self.ns}:studyforge:stats:h:{hour}"

    @property
    def stats_totals(self) -> str:
        """Hash ``actor|outcome`` -> count since Redis was last emptied (Prometheus counters)."""
        return f"{self.ns}:studyforge:stats:totals"

    @property
    def stats_durations(self) -> str:
        """Hash ``actor|run|<bucket>``, ``actor|wait|sum``... (Prometheus histograms)."""
        return f"{self.ns}:studyforge:stats:durations"

    @property
    def actors(self) -> str:
        """Set of actor names that ever recorded a message."""
        return f"{self.ns}:studyforge:actors"

    def samples(self, actor: str) -> str:
        """List of recent ``<ms> <run ms> <wait ms>`` samples (newest first, capped)."""
        return f"{self.ns}:studyforge:samples:{actor}"


def parse_job_message(value: bytes | str | None) -> tuple[str, str] | None:
    if not value:
        return None
    text = value.decode() if isinstance(value, bytes) else value
    queue, _, message_id = text.rpartition("|")
    return (queue, message_id) if queue and message_id else None
