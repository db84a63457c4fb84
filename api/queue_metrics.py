"""Queue, worker and actor metrics for Prometheus, read from Redis at scrape time.

Gauges (depth per state, oldest message age, workers) come from the same snapshot as the
dashboard; counters and duration histograms are the ones every worker process adds into Redis
(shared.ops.stats), so one scrape of any API instance covers the whole fleet.
"""

from __future__ import annotations

import logging
import time

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from shared.config import Settings
from shared.ops import snapshot, stats
from shared.ops.keys import Keys

log = logging.getLogger("studyforge.api")


class _Static:
    """A collector that yields families computed beforehand (the scrape is async, collect not)."""

    def __init__(self, families) -> None:
        self.families = families

    def collect(self):
        return iter(self.families)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def collector(redis, settings: Settings) -> _Static:
    up = GaugeMetricFamily("studyforge_queue_metrics_up",
                           "1 if the queue metrics below could be read from Redis")
    try:
        families = await _families(redis, settings)
    except Exception as exc:
        log.warning("queue metrics unavailable: %s", exc)
        up.add_metric([], 0)
        return _Static([up])
    up.add_metric([], 1)
    try:
        families += await _ai_families(redis, settings)
    except Exception as exc:  # the queue figures are still worth reporting
        log.warning("AI provider metrics unavailable: %s", exc)
    return _Static([up, *families])


async def _ai_families(redis, settings: Settings) -> list:
    """Per provider/model over the AI chain's recent window: calls, errors, latency, circuit."""
    from pipelines.ai.reports import provider_stats  # API may read pipelines' reports

    window = settings.ai_stats_window_seconds
    labels = ["provider", "model"]
    calls = GaugeMetricFamily("studyforge_ai_calls_window", f"Model calls in the last {window}s",
                              labels=labels)
    errors = GaugeMetricFamily("studyforge_ai_errors_window",
                               f"Failed model calls in the last {window}s", labels=labels)
    p50 = GaugeMetricFamily("studyforge_ai_latency_p50_ms", "Model call latency, median", labels=labels)
    p95 = GaugeMetricFamily("studyforge_ai_latency_p95_ms", "Model call latency, 95th percentile",
                            labels=labels)
    circuit = GaugeMetricFamily("studyforge_ai_circuit_open",
                                "1 while the circuit breaker skips this link (open or half-open)",
                                labels=labels)
    for s in await provider_stats(redis, window_seconds=window):
        key = [s.provider, s.model or ""]
        calls.add_metric(key, s.calls)
        errors.add_metric(key, s.errors)
        if s.latency_p50_ms is not None:
            p50.add_metric(key, s.latency_p50_ms)
            p95.add_metric(key, s.latency_p95_ms)
        circuit.add_metric(key, 0 if s.circuit == "closed" else 1)
    return [calls, errors, p50, p95, circuit]


async def _families(redis, settings: Settings) -> list:
    keys = Keys(settings.broker_namespace)
    queues, workers = await snapshot.queues_and_workers(
        redis, keys, now_ms=int(time.time() * 1000),
        heartbeat_timeout_ms=settings.broker_heartbeat_timeout_ms)
    depth = GaugeMetricFamily("studyforge_queue_messages", "Messages per queue and state",
                              labels=["queue", "state"])
    age = GaugeMetricFamily("studyforge_queue_oldest_message_age_seconds",
                            "Age of the message at the head of the queue (0 when empty)",
                            labels=["queue"])
    for q in queues:
        for state in ("ready", "delayed", "in_flight", "stranded", "dead", "busy"):
            depth.add_metric([q.name, state], getattr(q, state))
        age.add_metric([q.name], q.oldest_age_seconds or 0.0)
    alive = GaugeMetricFamily("studyforge_workers", "Worker processes by heartbeat state",
                              labels=["state"])
    alive.add_metric(["alive"], sum(w.alive for w in workers))
    alive.add_metric(["dead"], sum(not w.alive for w in workers))

    pipe = redis.pipeline(transaction=False)
    pipe.hgetall(keys.stats_totals)
    pipe.hgetall(keys.stats_durations)
    totals, durations = await pipe.execute()
    messages = CounterMetricFamily("studyforge_actor_messages",
                                   "Messages per actor and outcome (processed, failed, retried, dead)",
                                   labels=["actor", "outcome"])
    for field, count in sorted((_text(k), int(v)) for k, v in totals.items()):
        actor, _, outcome = field.rpartition("|")
        messages.add_metric([actor, outcome], count)
    return [depth, age, alive, messages, *_histograms(durations)]


def _histograms(durations: dict) -> list:
    per: dict[tuple[str, str], dict[str, float]] = {}
    for raw_field, raw_value in durations.items():
        actor, kind, bucket = _text(raw_field).rsplit("|", 2)
        per.setdefault((actor, kind), {})[bucket] = float(raw_value)
    run = HistogramMetricFamily("studyforge_actor_run_seconds", "Time an actor ran per message",
                                labels=["actor"])
    wait = HistogramMetricFamily("studyforge_actor_queue_wait_seconds",
                                 "Time a message waited between ready and started", labels=["actor"])
    for (actor, kind), values in sorted(per.items()):
        cumulative, buckets = 0.0, []
        for le in [repr(b) for b in stats.BUCKETS] + ["+Inf"]:
            cumulative += values.get(le, 0.0)
            buckets.append((le, cumulative))
        (run if kind == "run" else wait).add_metric([actor], buckets, values.get("sum", 0.0))
    return [run, wait]
