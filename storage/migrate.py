"""Apply Alembic migrations: at every start and by `pmqa-bot db upgrade`.

A start on a database already at the head costs one SELECT: the head is read from the migration
files' `revision =` / `down_revision =` lines, and Alembic (about 0.3 s to import and load its
scripts) is only loaded when there is something to do or the quick answer is unsure.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from storage.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
PG_MIGRATION_LOCK = 720_418_001  # advisory lock id: several workers may start at once
_REVISION = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*["\']?([\w-]+|None)["\']?\s*$', re.MULTILINE)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def script_head() -> str | None:
    """The one head revision of the migration files, or None when they do not say plainly."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((key, value) for key, value in _REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found or "down_revision" not in found:
            return None  # e.g. a merge revision with a tuple: let Alembic decide
        revisions.add(found["revision"])
        if found["down_revision"] != "None":
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def at_head(db: Database) -> bool:
    head = script_head()
    if head is None:
        return False
    try:
        async with db.read() as connection:
            rows = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except Exception:  # no table yet (a fresh database), or anything odd: the full upgrade decides
        return False
    return list(rows) == [head]


async def upgrade(db: Database, revision: str = "head") -> None:
    if revision == "head" and await at_head(db):
        return
    async with db.transaction() as connection:
        if db.dialect == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})"))
        await connection.run_sync(_upgrade, revision)


def _upgrade(sync_connection: Any, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = sync_connection
    command.upgrade(config, revision)


async def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with db.engine.connect() as connection:
        return await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
