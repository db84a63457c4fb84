"""The migration history stays linear and runs both ways on SQLite (Postgres runs it per test run)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory

from shared.config import Settings
from shared.migrate import alembic_config, upgrade


def test_one_head(tmp_path):
    script = ScriptDirectory.from_config(alembic_config(Settings(sqlite_path=str(tmp_path / "x.db"))))
    assert len(script.get_heads()) == 1, "re-chain migrations that branched from the same revision"


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path):
    settings = Settings(sqlite_path=str(tmp_path / "m.sqlite3"), database_url="")
    upgrade(settings)
    command.downgrade(alembic_config(settings), "base")
    upgrade(settings)
