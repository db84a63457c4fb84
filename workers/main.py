"""Worker entry point for ``dramatiq workers.main`` (what ``studyforge worker`` runs).

Sets up the broker from settings in each worker process, then declares every actor on it.
"""

from __future__ import annotations

import logging

from shared.ai.defaults import describe_configuration
from shared.config import get_settings
from workers.broker import setup_broker

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
broker = setup_broker(get_settings())
logging.getLogger("studyforge.worker").info("AI: %s", describe_configuration(get_settings()))

import workers.actors  # noqa: E402,F401
