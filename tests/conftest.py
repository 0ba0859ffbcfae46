"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and a controllable clock.

PostgreSQL comes from PMQA_TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432,
database `test`).  Each test gets its own schema, dropped afterwards.  Without a server the
PostgreSQL cases skip with the reason, except under CI (CI=true) or PMQA_REQUIRE_POSTGRES=1,
where they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import upgrade

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def postgres_url() -> str:
    return os.environ.get("PMQA_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("PMQA_REQUIRE_POSTGRES") == "1"


class Clock:
    """A clock the test moves by hand; aware UTC like the real one."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _postgres_database() -> tuple[Database, str]:
    import asyncpg  # the driver's own error types tell "no server" from "broken test"

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(postgres_url())
    try:
        async with admin.transaction() as conn:
            from sqlalchemy import text

            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        await admin.dispose()
        message = f"PostgreSQL not reachable at {postgres_url()}: {error!r}"
        if postgres_required():
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)
    await admin.dispose()
    return Database(postgres_url(), connect_args={"server_settings": {"search_path": schema}}), schema


async def _drop_schema(schema: str) -> None:
    from sqlalchemy import text

    admin = Database(postgres_url())
    async with admin.transaction() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def make_database(backend: str, tmp_path: Path) -> tuple[Database, str | None]:
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'pmqa.db'}"), None
    return await _postgres_database()


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    db, schema = await make_database(request.param, tmp_path)
    try:
        await upgrade(db)
        yield db
    finally:
        await db.dispose()
        if schema:
            await _drop_schema(schema)
