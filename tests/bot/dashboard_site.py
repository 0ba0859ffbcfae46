"""The real server (uvicorn, the whole Starlette app) on 127.0.0.1 with the fake LINE API, people who
join and answer through signed LINE webhooks, and Chromium from Debian driven by Playwright's plain API.

    PROV ── A1, A2        OTHER ── B1
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from bot.settings import Settings
from bot.web import create_app
from storage import invite_codes
from storage import repository as repo
from tests.conftest import Clock
from tests.fakes.line_api import FakeLineApi
from tests.fakes.line_webhook import body, follow_event, postback_event, sign, text_event

SECRET = "dashboard-secret"
TOKEN = "dashboard-token"
CHROMIUM = shutil.which("chromium")  # Debian's package; Playwright's own download is not reachable here
SCREENS = Path(__file__).resolve().parents[2] / "screens"
BANGKOK = ZoneInfo("Asia/Bangkok")
LINK = re.compile(r"http://127\.0\.0\.1:\d+/dashboard/signin/\S+")


def line_user(n: int) -> str:
    return "U" + f"{n:032x}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    fake: FakeLineApi
    http: httpx.AsyncClient
    app: Any
    clock: Clock
    base: str
    invites: dict[str, str] = field(default_factory=dict)
    agencies: dict[str, int] = field(default_factory=dict)

    async def post(self, user: str, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Post one signed event and wait for the bot's reply (sent after the response, in the background)."""
        before = len(self.fake.sent_to(user))
        raw = body(event)
        response = await self.http.post("/webhooks/line", content=raw, headers={
            "Content-Type": "application/json", "X-Line-Signature": sign(raw, SECRET)})
        assert response.status_code == 200, response.text
        for _ in range(400):  # until the reply arrived; not a timing assertion
            if len(self.fake.sent_to(user)) > before:
                break
            await asyncio.sleep(0.025)
        return self.fake.sent_to(user)[before:]

    async def say(self, user: str, text: str) -> list[dict[str, Any]]:
        return await self.post(user, text_event(user, text, self.fake.issue_reply_token(user)))

    async def join(self, user: str, invite: str, name: str) -> None:
        self.fake.set_profile(user, name)
        await self.post(user, follow_event(user, self.fake.issue_reply_token(user)))
        await self.post(user, postback_event(user, "c:accept", self.fake.issue_reply_token(user)))
        await self.say(user, self.invites[invite])

    async def answer(self, user: str, count: int) -> None:
        for _ in range(count):
            await self.say(user, "1")

    async def link(self, user: str) -> str:
        texts = [m.get("text", "") for m in await self.say(user, "แดชบอร์ด")]
        found = LINK.search("\n".join(texts))
        assert found, texts
        return found.group(0)

    @property
    def db(self) -> Any:
        return self.app.state.services.db


async def build(site: Site) -> None:
    now = site.clock()
    today = now.astimezone(BANGKOK).date()
    async with site.db.transaction() as conn:
        prov = await repo.add_agency(conn, "PROV", "สำนักงานจังหวัดน่าน", None, now)
        other = await repo.add_agency(conn, "OTHER", "สำนักงานจังหวัดแพร่", None, now)
        site.agencies = {
            "PROV": prov, "OTHER": other,
            "A1": await repo.add_agency(conn, "A1", "สำนักงานเกษตรจังหวัดน่าน", prov, now),
            "A2": await repo.add_agency(conn, "A2", "สำนักงานสาธารณสุขจังหวัดน่าน", prov, now),
            "B1": await repo.add_agency(conn, "B1", "สำนักงานพัฒนาชุมชนจังหวัดแพร่", other, now),
        }
        for code in ("PROV", "OTHER"):
            await repo.open_round(conn, "รอบประเมิน ปีงบประมาณ 2570", site.agencies[code], today,
                                  today + timedelta(days=12), now)
        for name, agency, role in (("coord-prov", "PROV", "coordinator"), ("coord-a1", "A1", "coordinator"),
                                   ("off-a1", "A1", "officer"), ("off-a2", "A2", "officer"),
                                   ("off-b1", "B1", "officer")):
            site.invites[name] = await invite_codes.create_invite(conn, site.agencies[agency], role, now, uses=50, days=30)


@contextlib.asynccontextmanager
async def running_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeLineApi(access_token=TOKEN) as fake:
        for key, value in {
            "PMQA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dashboard.db'}",
            "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": fake.base_url,
            "PMQA_PUBLIC_URL": base, "PMQA_REMINDERS": "false", "PMQA_LINE_ID": "@pmqa-nan",
            "PMQA_TELEGRAM_BOT": "pmqa_nan_bot",
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.chdir(tmp_path)
        clock = Clock()
        app = create_app(Settings(), clock=clock)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                               lifespan="on"))
        task = asyncio.create_task(server.serve())
        try:
            for _ in range(300):  # until it listens; not a timing assertion
                if server.started:
                    break
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
            async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as http:
                site = Site(fake, http, app, clock, base)
                await build(site)
                yield site
        finally:
            server.should_exit = True
            await task
        assert fake.violations == []


@dataclass
class Browser:
    page: Any
    context: Any
    errors: list[str]

    async def shoot(self, name: str) -> None:
        """Screenshots at phone and projector width into screens/ (looked at by hand, not committed)."""
        SCREENS.mkdir(exist_ok=True)
        size = self.page.viewport_size
        for width in (390, 1280):
            await self.page.set_viewport_size({"width": width, "height": 900})
            await self.page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
        await self.page.set_viewport_size(size)


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: apt-get install -y chromium fonts-thai-tlwg (see .ci/run)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page = await context.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield Browser(page, context, errors)
        finally:
            await browser.close()
