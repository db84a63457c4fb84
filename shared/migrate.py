"""Run Alembic migrations programmatically (``studyforge migrate``, ``studyforge dev``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", settings.effective_database_url.replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (blocking; call it off the event loop).

    The history is kept linear (tests/test_migrations.py checks there is one head): work that
    branched from the same revision is re-chained when it merges.
    """
    if settings.is_sqlite:
        Path(settings.sqlite_path).resolve().parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), revision)
