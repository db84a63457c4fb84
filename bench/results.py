"""Benchmark figures as JSON, so `bench.run_all` can set each one beside its baseline and goal.

Each bench script calls `record(name, figures)` once, at the end, with the figures it printed
(medians, the baseline measured in the same run, and the sizes it ran at). When the environment
variable STUDYFORGE_BENCH_JSON names a file (run_all sets it for each script), the figures are
written there; run by hand without it, a script behaves exactly as before:

    STUDYFORGE_BENCH_JSON=/tmp/hot.json uv run python -m bench.hot_paths --rounds 1
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ENV = "STUDYFORGE_BENCH_JSON"


def record(bench: str, figures: dict) -> None:
    """Write this run's figures to $STUDYFORGE_BENCH_JSON, if set (no-op otherwise)."""
    path = os.environ.get(ENV)
    if not path:
        return
    from bench.common import machine

    out = {"bench": bench, "argv": sys.argv[1:], "machine": machine(), "figures": figures}
    Path(path).write_text(json.dumps(out, indent=1, default=str))
