"""`pmqa-bot dead-letters`: what an IT officer sees of the events the server kept aside."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from storage import dead_letters
from storage.database import Database


async def _keep(url: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as conn:
            await dead_letters.record(conn, "line", "01J0000000000000000000000A", "source.userId is not U + 32 hex "
                                      "digits", '{"userId": "U\\ud800' + "x" * 3_000 + '"}',
                                      datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
            await dead_letters.record(conn, "telegram", None, "not JSON: nested too deeply", b"[[[[\xff",
                                      datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    finally:
        await db.dispose()


def test_dead_letters_are_listed_newest_first_in_local_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dl.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMQA_DATABASE_URL", url)
    assert main(["dead-letters"]) == 0
    assert "no dead letters" in capsys.readouterr().out
    asyncio.run(_keep(url))
    assert main(["dead-letters"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2026-12-02 10:00:00  telegram  -  not JSON: nested too deeply")
    assert "5 bytes: [[[[\\xff" in lines[1]
    assert lines[2].startswith("2026-12-01 10:00:00  line      01J0000000000000000000000A  source.userId")
    assert len(lines[3]) < 200, "a payload is cut short unless --full"
    assert main(["dead-letters", "--channel", "line", "--full"]) == 0
    (head, payload) = capsys.readouterr().out.splitlines()
    assert "line" in head and len(payload) > 1_900 and payload.endswith("…")
