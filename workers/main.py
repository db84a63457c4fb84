"""Worker entry point for ``dramatiq workers.main`` (what ``studyforge worker`` runs).

Sets up the broker from settings in each worker process, then declares every actor on it.
"""

from __future__ import annotations

from shared import logs
from shared.config import get_settings
from workers.broker import setup_broker

settings = get_settings()
# Dramatiq's CLI has already given this process a handler (a pipe to the parent): format it.
logs.configure(settings)
broker = setup_broker(settings)

import workers.actors  # noqa: E402,F401
