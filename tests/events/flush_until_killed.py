"""Run a real flush that stops between publishing its Parquet files and acknowledging the
stream entries, until the test kills this process (SIGKILL): a crash at the worst moment.

Usage: python -m tests.events.flush_until_killed REDIS_URL DATA_DIR MARKER_FILE
"""

from __future__ import annotations

import json
import sys
import time

import redis

from pipelines.events.datasets import EVENTS
from pipelines.events.flush import flush_dataset
from pipelines.events.store import Store


def main() -> None:
    redis_url, data_dir, marker = sys.argv[1:4]

    def wait_to_be_killed(published: list[str]) -> None:
        with open(marker, "w") as fh:
            json.dump(published, fh)
        time.sleep(600)

    flush_dataset(
        redis.Redis.from_url(redis_url), Store.open(data_dir), EVENTS,
        batch_entries=7, lock_ttl=1.0, before_ack=wait_to_be_killed,
    )


if __name__ == "__main__":
    main()
