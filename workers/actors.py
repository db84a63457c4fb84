"""Every actor module, imported once a broker is set (actors bind to it when declared)."""

from workers import events, generations, jobs  # noqa: F401

__all__ = ["events", "generations", "jobs"]
