"""Every actor module, imported once a broker is set (actors bind to it when declared)."""

# Every model too: a flush resolves foreign keys across domains (jobs -> users), and an actor
# such as the reaper may be the first thing this process runs.
import shared.models  # noqa: F401
from workers import events, generations, grading, jobs  # noqa: F401

__all__ = ["events", "generations", "grading", "jobs"]
