"""Every actor module, imported once a broker is set (actors bind to it when declared)."""

from workers import generations, jobs  # noqa: F401

__all__ = ["generations", "jobs"]
