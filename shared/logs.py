"""Logging for every process: one JSON object per line, carrying the correlation ids.

``configure`` installs the formatter on the root logger's handlers (creating one on stderr if
there is none), so it also takes over handlers another tool set up first, such as the ones
Dramatiq's CLI gives each worker process.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from shared import context
from shared.config import Settings
from shared.secrets import mask, secrets_of

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class _Masking:
    """Replaces every configured secret (API keys, the JWT secret) with ``***`` in a line."""

    secrets: tuple[str, ...] = ()

    def mask(self, line: str) -> str:
        return mask(line, self.secrets)


class JsonFormatter(_Masking, logging.Formatter):
    """``{"ts", "level", "logger", "message", "pid", request_id?, job_id?, exc?}`` per line."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        out.update(context.current())
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return self.mask(json.dumps(out, default=str, ensure_ascii=False))


class TextFormatter(_Masking, logging.Formatter):
    """Plain text for a person at a terminal, with the ids appended when set."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = context.current()
        return self.mask(line + "".join(f" {k}={v}" for k, v in ids.items()))


def configure(settings: Settings, *, fmt: str | None = None) -> None:
    """Format every root handler as ``fmt`` (default: the configured ``log_format``)."""
    formatter = JsonFormatter() if (fmt or settings.log_format) == "json" else TextFormatter()
    formatter.secrets = secrets_of(settings)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(formatter)
    root.setLevel(settings.log_level.upper())
