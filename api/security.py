"""Security headers on every response.

The web app is served from the same origin as the API, so the Content-Security-Policy can be
strict: scripts only from our own files, no framing. Swagger UI (/docs, /redoc) loads its
assets from a CDN, so it gets the headers without the policy.
"""

from __future__ import annotations

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
WITH_CSP = [*COMMON, (b"content-security-policy", CSP.encode())]
DOCS = ("/docs", "/redoc")


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every response to ``path`` gets (``api.edge`` adds them)."""
    return COMMON if path.startswith(DOCS) else WITH_CSP
