"""Migration 0008: a submitted session becomes a submission; one not submitted does not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.migrate import upgrade
from tests.conftest import BACKENDS, _drop_schema, make_database

WHEN = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_submitted_sessions_become_submissions(backend: str, tmp_path: Path) -> None:
    db, schema = await make_database(backend, tmp_path)
    try:
        await upgrade(db, "0007")
        async with db.transaction() as conn:
            await conn.execute(text("INSERT INTO agencies (id, code, name, created_at) VALUES (1, 'A', 'ก', :t)"),
                               {"t": WHEN})
            await conn.execute(text("INSERT INTO rounds (id, name, agency_id, opens_on, closes_on, created_at) "
                                    "VALUES (1, 'r', 1, :d, :d, :t)"), {"d": WHEN.date(), "t": WHEN})
            await conn.execute(text("INSERT INTO assessments (id, agency_id, round_id, bank_id, bank_version, "
                                    "created_at) VALUES (1, 1, 1, 'pmqa4', '1', :t)"), {"t": WHEN})
            for user, submitted in ((1, WHEN), (2, None)):
                await conn.execute(text("INSERT INTO users (id, channel, channel_user_id, role, active, created_at) "
                                        "VALUES (:u, 'line', :p, 'officer', true, :t)"),
                                   {"u": user, "p": f"U{user}", "t": WHEN})
                await conn.execute(text("INSERT INTO conversation_sessions (user_id, assessment_id, phase, state, "
                                        "version, submitted_at, updated_at) VALUES (:u, 1, 'done', '{}', 1, :s, :t)"),
                                   {"u": user, "s": submitted, "t": WHEN})
        await upgrade(db)
        async with db.engine.connect() as conn:
            rows = list(await conn.execute(text(
                "SELECT assessment_id, user_id, reopened_at FROM submissions ORDER BY user_id")))
        assert [tuple(row) for row in rows] == [(1, 1, None)]
    finally:
        await db.dispose()
        if schema:
            await _drop_schema(schema)
