"""Coordinators through the real server: Telegram and LINE against their fakes, with a fixed daytime clock.

Exports arrive when ready (a document in Telegram, an expiring download link in LINE); a reminder a
coordinator confirms wakes the server's reminder loop and reaches the officer who has not finished.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from bot.settings import Settings
from bot.web import create_app
from storage import invite_codes
from storage import repository as repo
from tests.conftest import Clock
from tests.fakes.line_api import FakeLineApi
from tests.fakes.line_webhook import body, postback_event, sign, text_event
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import callback_update, message_update

TG_TOKEN = "123456:COORD-TOKEN"
TG_SECRET = "coordinator-secret"
LINE_SECRET = "line-secret"
LINE_TOKEN = "line-token"
PUBLIC = "https://pmqa.example.go.th"
COORDINATOR_CHAT, OFFICER_CHAT = 8001, 8002


async def _seed(app: Any, clock: Clock) -> dict[str, str]:
    now = clock()
    async with app.state.services.db.transaction() as conn:
        prov = await repo.add_agency(conn, "NAN", "จังหวัดน่าน", None, now)
        agency = await repo.add_agency(conn, "NAN-AGRI", "สำนักงานเกษตรจังหวัดน่าน", prov, now)
        today = now.date()
        await repo.open_round(conn, "รอบประเมิน 2570", prov, today, today.replace(year=today.year + 1), now)
        return {"coordinator": await invite_codes.create_invite(conn, prov, "coordinator", now, uses=1, days=7),
                "officer": await invite_codes.create_invite(conn, agency, "officer", now, uses=9, days=7)}


@pytest.fixture
async def telegram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeTelegramApi, Any, Any]]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clock = Clock()  # 10:00 in Bangkok: inside the reminder window
    async with FakeTelegramApi(token=TG_TOKEN) as fake:
        settings = Settings(PMQA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", TELEGRAM_BOT_TOKEN=TG_TOKEN,
                            TELEGRAM_API_BASE_URL=fake.base_url, TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
                            PMQA_PUBLIC_URL=PUBLIC, TELEGRAM_CHAT_RATE=1000)
        async with _serving(settings, clock) as (app, http):
            yield fake, app, http
        assert fake.violations == []


@asynccontextmanager
async def _serving(settings: Settings, clock: Clock) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(settings, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield app, http


async def _tg(fake: FakeTelegramApi, http: httpx.AsyncClient, update: dict[str, Any]) -> None:
    fake.observe(update)
    response = await http.post("/webhooks/telegram", content=json.dumps(update),
                               headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
    assert response.status_code == 200


async def _tg_join(fake: FakeTelegramApi, http: httpx.AsyncClient, chat: int, code: str) -> None:
    await _tg(fake, http, message_update(chat, "/start"))
    await _tg(fake, http, message_update(chat, "1"))  # ยอมรับ, typed
    await _tg(fake, http, message_update(chat, code))


async def test_telegram_export_arrives_as_a_workbook(telegram: tuple[FakeTelegramApi, Any, Any]) -> None:
    fake, app, http = telegram
    codes = await _seed(app, app.state.services.clock)
    await _tg_join(fake, http, COORDINATOR_CHAT, codes["coordinator"])
    await _tg_join(fake, http, OFFICER_CHAT, codes["officer"])
    await _tg(fake, http, message_update(OFFICER_CHAT, "1"))  # one answer, so the agency has a result
    await _tg(fake, http, message_update(COORDINATOR_CHAT, "/export"))
    assert "กำลังจัดทำไฟล์ Excel" in fake.sent_texts(COORDINATOR_CHAT)[-1]
    await fake.wait_for("sendDocument", timeout=30)
    call = fake.calls_of("sendDocument")[0]
    upload = call.files["document"]
    assert upload.filename.startswith("pmqa-NAN-round-") and upload.filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(upload.data))
    assert workbook.sheetnames[0] == "ภาพรวม"
    assert str(OFFICER_CHAT) not in "".join(str(c.value) for s in workbook for r in s.iter_rows() for c in r
                                            if c.value is not None), "no platform user id in the file"


async def test_telegram_reminder_confirmed_in_chat_reaches_the_officer(
        telegram: tuple[FakeTelegramApi, Any, Any]) -> None:
    fake, app, http = telegram
    codes = await _seed(app, app.state.services.clock)
    await _tg_join(fake, http, COORDINATOR_CHAT, codes["coordinator"])
    await _tg_join(fake, http, OFFICER_CHAT, codes["officer"])
    before = len(fake.sent_texts(OFFICER_CHAT))
    await _tg(fake, http, message_update(COORDINATOR_CHAT, "เตือน ขอให้ส่งภายในสัปดาห์นี้นะคะ"))
    preview = fake.messages(COORDINATOR_CHAT)[-1]
    assert "ส่งถึง 1 คน" in preview["text"] and "LINE 0 · Telegram 1" in preview["text"]
    send = preview["reply_markup"]["inline_keyboard"][0][0]
    assert send["text"] == "1 ส่งคำเตือน"
    await _tg(fake, http, callback_update(COORDINATOR_CHAT, send["callback_data"], preview["message_id"],
                                          message_text=preview["text"], reply_markup=preview["reply_markup"]))
    await fake.wait_until(lambda: len(fake.sent_texts(OFFICER_CHAT)) > before, timeout=15)
    reminder = fake.messages(OFFICER_CHAT)[-1]
    assert "ยังไม่เสร็จ" in reminder["text"] and "ขอให้ส่งภายในสัปดาห์นี้นะคะ" in reminder["text"]
    assert reminder["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "c:resume"
    assert not any(text.startswith("⏰") for text in fake.sent_texts(COORDINATOR_CHAT)), "coordinators are not reminded"


@pytest.fixture
async def line(tmp_path: Path) -> AsyncIterator[tuple[FakeLineApi, Any, Any]]:
    clock = Clock()
    async with FakeLineApi(access_token=LINE_TOKEN) as fake:
        settings = Settings(PMQA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'l.db'}",
                            LINE_CHANNEL_SECRET=LINE_SECRET, LINE_CHANNEL_ACCESS_TOKEN=LINE_TOKEN,
                            LINE_API_BASE_URL=fake.base_url, PMQA_PUBLIC_URL=PUBLIC)
        async with _serving(settings, clock) as (app, http):
            yield fake, app, http
        assert fake.violations == []


async def _line(fake: FakeLineApi, http: httpx.AsyncClient, event: dict[str, Any]) -> None:
    raw = body(event)
    response = await http.post("/webhooks/line", content=raw, headers={
        "Content-Type": "application/json", "X-Line-Signature": sign(raw, LINE_SECRET)})
    assert response.status_code == 200


async def test_line_export_arrives_as_an_expiring_download_link(line: tuple[FakeLineApi, Any, Any]) -> None:
    fake, app, http = line
    codes = await _seed(app, app.state.services.clock)
    user = "U" + "c" * 32
    for event in (text_event(user, "เริ่ม", fake.issue_reply_token(user)),
                  postback_event(user, "c:accept", fake.issue_reply_token(user)),
                  text_event(user, codes["coordinator"], fake.issue_reply_token(user)),
                  text_event(user, "ส่งออก", fake.issue_reply_token(user))):
        await _line(fake, http, event)
    for _ in range(300):
        texts = [m.get("text", "") for m in fake.sent_to(user)]
        if any("ดาวน์โหลดได้ภายใน" in text for text in texts):
            break
        await asyncio.sleep(0.1)
    link = next(t for t in texts if "ดาวน์โหลดได้ภายใน" in t).split("\n")[-1]
    assert link.startswith(f"{PUBLIC}/files/") and link.endswith(".xlsx")
    response = await http.get(link.removeprefix(PUBLIC))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "ภาพรวม"
    guessed = await http.get("/files/not-a-token/pmqa.xlsx")
    assert guessed.status_code == 404
    app.state.services.clock.advance(days=8)  # type: ignore[attr-defined]
    assert (await http.get(link.removeprefix(PUBLIC))).status_code == 404, "the link expires"


async def test_remind_command_line_dry_run_and_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`pmqa-bot remind` for cron: --dry-run lists, a real run sends through Telegram (a fake here)."""
    from bot.admin_cli import _remind
    from bot.services import services

    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clock = Clock()
    async with FakeTelegramApi(token=TG_TOKEN) as fake:
        settings = Settings(PMQA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", TELEGRAM_BOT_TOKEN=TG_TOKEN,
                            TELEGRAM_API_BASE_URL=fake.base_url)
        async with services(settings, clock=clock) as built:
            now = clock()
            async with built.db.transaction() as conn:
                agency = await repo.add_agency(conn, "AG", "สำนักงานเกษตรจังหวัด", None, now)
                today = now.date()
                from datetime import timedelta

                await repo.open_round(conn, "รอบ", agency, today, today + timedelta(days=7), now)  # due today 09:00
                user = await repo.create_user(conn, "telegram", str(OFFICER_CHAT), "สมชาย", now, agency_id=agency)
                await repo.update_user(conn, user.id, consent_at=now)
            assert await _remind(built, argparse.Namespace(dry_run=True)) == 0
            out = capsys.readouterr().out
            assert "1 reminder(s) due" in out and "1 to send (telegram 1)" in out
            assert fake.calls_of("sendMessage") == []
            assert await _remind(built, argparse.Namespace(dry_run=False)) == 0
            assert "sent 1" in capsys.readouterr().out
            assert "ปิดรับ" in fake.sent_texts(OFFICER_CHAT)[0]
            assert await _remind(built, argparse.Namespace(dry_run=False)) == 0
            assert "0 reminder(s)" in capsys.readouterr().out
            assert len(fake.sent_texts(OFFICER_CHAT)) == 1, "a second run repeats nothing"
