"""Worker entry point for ``dramatiq workers.main`` (what ``studyforge worker`` runs).

Sets up the broker from settings in each worker process, then declares every actor on it.
"""

from __future__ import annotations

import logging

from shared import logs
from shared.ai.defaults import describe_configuration
from shared.config import get_settings
from workers.broker import setup_broker

settings = get_settings()
# Dramatiq's CLI has already given this process a handler (a pipe to the parent): format it.
logs.configure(settings)
broker = setup_broker(settings)
logging.getLogger("studyforge.worker").info("AI: %s", describe_configuration(settings))

import workers.actors  # noqa: E402,F401
