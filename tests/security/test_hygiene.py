"""Security headers, CORS limited to configured origins, request size limits, secrets masked."""

from __future__ import annotations

import io
import logging

import httpx

from api.app import create_app
from shared import logs


async def test_security_headers(client):
    r = await client.get("http://test/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"


async def test_cors_only_for_configured_origins(settings):
    app = create_app(settings.model_copy(update={"cors_origins": ["https://app.example.org"]}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            preflight = {"Access-Control-Request-Method": "POST"}
            ok = await c.options("/api/v1/generations", headers={**preflight, "Origin": "https://app.example.org"})
            assert ok.headers["access-control-allow-origin"] == "https://app.example.org"
            evil = await c.options("/api/v1/generations", headers={**preflight, "Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in evil.headers
    # And with none configured (the default), no CORS headers at all.
    r = await httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)),
                                base_url="http://t").get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


async def test_oversized_body_is_413(settings, api):
    app = create_app(settings.model_copy(update={"max_request_bytes": 10_000}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.post("/api/v1/auth/register", content=b"{" + b" " * 20_000 + b"}",
                             headers={"content-type": "application/json"})
            assert r.status_code == 413


def test_configured_secrets_never_reach_a_log_line(settings):
    secret = "sk-live-" + "A1b2" * 8
    masked = settings.model_copy(update={"openai_api_key": secret})
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers = [handler]
    try:
        logs.configure(masked, fmt="json")
        logging.getLogger("studyforge.test").error("provider said: bad key %s", secret)
        logs.configure(masked, fmt="text")
        logging.getLogger("studyforge.test").error("again %s", secret)
    finally:
        root.handlers, level = saved
        root.setLevel(level)
    out = stream.getvalue()
    assert secret not in out and out.count("***") == 2
