"""HTTP request metrics (Prometheus), recorded for every request by ``api.edge``."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("studyforge_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("studyforge_http_request_seconds", "HTTP request latency", ["method", "route"])


def observe(scope, status: int, seconds: float) -> None:
    """Count one finished request under its route template and status."""
    # The route template, not the raw path, keeps label cardinality bounded.
    path = getattr(scope.get("route"), "path", "unmatched")
    REQUESTS.labels(scope["method"], path, str(status)).inc()
    LATENCY.labels(scope["method"], path).observe(seconds)
