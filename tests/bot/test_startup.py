"""A restart is cheap: the server's module loads without the chart, workbook or migration libraries,
a database already at the head is checked with one query instead of Alembic, and the LINE SDK's
argument validators, built on first call rather than at import, still refuse a wrong argument."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import MIGRATIONS, alembic_config, at_head, script_head, upgrade

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> set[str]:
    """The top-level packages loaded by `code` in a fresh interpreter."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_server_module_loads_without_charts_workbooks_or_alembic() -> None:
    loaded = _modules_after("import bot.web")
    assert "linebot" in loaded  # the probe sees the server's real imports
    assert not loaded & {"matplotlib", "openpyxl", "alembic", "PIL"}


def test_the_quick_head_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert script_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert script_head() == sorted(p.name for p in (MIGRATIONS / "versions").glob("0*.py"))[-1][:4]


async def test_a_database_at_head_is_not_migrated_again(database: Database) -> None:
    assert await at_head(database)  # the fixture migrated it


async def test_a_fresh_or_behind_database_is_not_at_head(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        assert not await at_head(db)
        await upgrade(db, "0004")
        assert not await at_head(db)
        await upgrade(db)
        assert await at_head(db)
    finally:
        await db.dispose()


def test_a_restart_on_a_migrated_database_does_not_load_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    run = ("import asyncio\nfrom storage.database import Database\nfrom storage.migrate import upgrade\n"
           f"db = Database({url!r})\nasyncio.run(upgrade(db))\n")
    assert "alembic" in _modules_after(run)  # first start: the schema is created by Alembic
    assert "alembic" not in _modules_after(run)  # second start: one SELECT


def test_line_sdk_validators_still_refuse_a_wrong_argument() -> None:
    import pydantic.v1
    import pydantic.v1.decorator
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

    import bot.line  # noqa: F401 - loads the SDK the bot's way

    assert pydantic.v1.validate_arguments is pydantic.v1.decorator.validate_arguments  # put back

    async def call() -> None:
        client = AsyncApiClient(Configuration(access_token="x"))
        try:
            with pytest.raises(pydantic.v1.ValidationError):
                AsyncMessagingApi(client).reply_message("not a request")  # type: ignore[arg-type]
        finally:
            await client.close()

    asyncio.run(call())


def test_serve_listens_before_it_loads_the_app(tmp_path: Path) -> None:
    """During a restart the kernel queues requests on the bound socket instead of refusing them."""
    probe = """
import json, socket, sys
import uvicorn
seen = []
listen = socket.socket.listen
def recording(self, *args):
    seen.append(sorted(m for m in ("bot.web", "linebot", "telegram", "sqlalchemy.ext.asyncio") if m in sys.modules))
    return listen(self, *args)
socket.socket.listen = recording
uvicorn.Server.run = lambda self, sockets=None: seen.append(["run", len(sockets or [])])
from bot.cli import main
main(["serve", "--port", "0"])
print(json.dumps(seen))
"""
    env = {"PMQA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [[], ["run", 1]]
