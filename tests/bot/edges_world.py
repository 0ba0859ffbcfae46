"""One server with both webhooks on (LINE and Telegram, against their fakes) on the test's database
(SQLite or PostgreSQL), for the edge tests: hostile bodies, dead letters, a database that goes away."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.web import create_app
from storage.database import Database
from storage.schema import dead_letters, processed_events
from tests.fakes.line_api import FakeLineApi
from tests.fakes.line_webhook import sign
from tests.fakes.telegram_api import FakeTelegramApi

LINE_SECRET = "edge-channel-secret"
LINE_TOKEN = "edge-line-token"
TELEGRAM_TOKEN = "123456:EDGE-TOKEN"
TELEGRAM_SECRET = "edge-secret-token"
PUBLIC = "https://pmqa.example.go.th"


@dataclass
class Edges:
    http: httpx.AsyncClient
    app: Any
    line_fake: FakeLineApi
    telegram_fake: FakeTelegramApi

    @property
    def db(self) -> Database:
        db: Database = self.app.state.services.db
        return db

    async def line(self, raw: bytes, *, signed: bool = True) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        headers["X-Line-Signature"] = sign(raw, LINE_SECRET) if signed else "Zm9yZ2Vk"
        return await self.http.post("/webhooks/line", content=raw, headers=headers)

    async def telegram(self, update: Any) -> httpx.Response:
        raw = update if isinstance(update, bytes) else json.dumps(update).encode()
        if isinstance(update, dict):
            self.telegram_fake.observe(update)
        return await self.http.post("/webhooks/telegram", content=raw,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})

    async def claimed(self, channel: str) -> set[str]:
        """The event ids whose transaction committed."""
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(select(processed_events.c.event_id).where(processed_events.c.channel == channel))
            return {row.event_id for row in rows}

    async def dead(self, channel: str | None = None) -> list[Any]:
        query = select(dead_letters).order_by(dead_letters.c.id)
        if channel is not None:
            query = query.where(dead_letters.c.channel == channel)
        async with self.db.engine.connect() as conn:
            return list((await conn.execute(query)).all())


@asynccontextmanager
async def edge_server(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      **settings: str) -> AsyncIterator[Edges]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    # The app opens its own handle on the test's database (its own schema on PostgreSQL).
    monkeypatch.setattr("bot.services.Database", lambda url: database.another())
    async with FakeLineApi(access_token=LINE_TOKEN) as line_fake, FakeTelegramApi(token=TELEGRAM_TOKEN) as tg_fake:
        for key, value in {
            "LINE_CHANNEL_SECRET": LINE_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
            "LINE_API_BASE_URL": line_fake.base_url, "PMQA_PUBLIC_URL": PUBLIC,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": tg_fake.base_url,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "TELEGRAM_CHAT_RATE": "1000", "PMQA_REMINDERS": "false",
            **settings,
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)
        app = create_app(Settings())
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield Edges(http, app, line_fake, tg_fake)
        assert line_fake.server_errors == [] and tg_fake.server_errors == [], "the fakes must not have crashed"


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that carry a traceback or an error: none may come from hostile input."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
