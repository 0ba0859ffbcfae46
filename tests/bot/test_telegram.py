"""Telegram end to end: a real PTB Application (polling, or our webhook route) against a fake Bot API on
127.0.0.1 that enforces Telegram's limits on every call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.web import create_app
from storage import invite_codes
from storage import repository as repo
from storage.schema import answers
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import (
    callback_update,
    document_update,
    edited_message_update,
    group_message_update,
    message_update,
    photo_update,
    sticker_update,
    voice_update,
)

TOKEN = "123456:TEST-TOKEN"
SECRET = "s3cret-token_for-tests"
CHAT = 7001


@dataclass
class Telegram:
    fake: FakeTelegramApi
    http: httpx.AsyncClient
    app: Any
    polling: bool

    async def send(self, update: dict[str, Any], *, expect_reply: bool = True) -> None:
        before = len(self.fake.calls_of("sendMessage"))
        if self.polling:
            self.fake.push_update(update)
        else:
            self.fake.observe(update)
            response = await self.http.post("/webhooks/telegram", content=json.dumps(update),
                                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert response.status_code == 200
        if expect_reply:
            await self.fake.wait_until(lambda: len(self.fake.calls_of("sendMessage")) > before, timeout=10)
            await asyncio.sleep(0.05 if self.polling else 0)  # let the rest of the reply arrive

    async def say(self, text: str, chat: int = CHAT) -> None:
        await self.send(message_update(chat, text))

    def last_keyboard(self, chat: int = CHAT) -> tuple[int, list[dict[str, Any]]]:
        for message in reversed(self.fake.messages(chat)):
            markup = message.get("reply_markup") or {}
            if markup.get("inline_keyboard"):
                return message["message_id"], [b for row in markup["inline_keyboard"] for b in row]
        raise AssertionError("no keyboard on screen")

    async def tap(self, label: str | None = None, *, index: int | None = None, chat: int = CHAT) -> int:
        message_id, buttons = self.last_keyboard(chat)
        button = buttons[index] if index is not None else next(b for b in buttons if b["text"].split(" ", 1)[-1] == label)
        message = self.fake.message(chat, message_id)
        await self.send(callback_update(chat, button["callback_data"], message_id, message_text=message["text"],
                                        reply_markup=message["reply_markup"]))
        return message_id

    @property
    def db(self):  # type: ignore[no-untyped-def]
        return self.app.state.services.db


async def _make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, polling: bool) -> AsyncIterator[Telegram]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as build_application does; keeps the env clean for other tests
    async with FakeTelegramApi(token=TOKEN) as fake:
        for key, value in {
            "PMQA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tg.db'}",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET, "PMQA_PUBLIC_URL": "https://pmqa.example.go.th",
            "TELEGRAM_CHAT_RATE": "1000",  # pacing has its own test; a 30-question run should not take a minute
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)
        app = create_app(Settings(), telegram_polling=polling)
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield Telegram(fake, http, app, polling)
        assert fake.violations == [], "every call must respect Telegram's limits"
        assert fake.server_errors == []


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Telegram]:
    async for built in _make(tmp_path, monkeypatch, request.param == "polling"):
        yield built


@pytest.fixture
async def webhook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Telegram]:
    async for built in _make(tmp_path, monkeypatch, polling=False):
        yield built


async def _invite(tg: Telegram) -> str:
    now = tg.app.state.services.clock()
    async with tg.db.transaction() as conn:
        agency = await repo.add_agency(conn, "AG", "สำนักงานพัฒนาชุมชนจังหวัดน่าน", None, now)
        today = now.date()
        await repo.open_round(conn, "รอบประเมิน 2569", agency, today, today.replace(year=today.year + 1), now)
        return await invite_codes.create_invite(conn, agency, "officer", now, uses=10, days=30)


async def _joined(tg: Telegram) -> None:
    code = await _invite(tg)
    await tg.say("/start")
    await tg.tap("ยินยอม")
    await tg.say(code)


async def test_a_whole_assessment_with_inline_buttons(tg: Telegram) -> None:
    code = await _invite(tg)
    await tg.say("/start")
    assert "สวัสดีค่ะ คุณสมชาย" in tg.fake.sent_texts(CHAT)[0]
    assert [c["command"] for c in tg.fake.get_commands(None, None)][:3] == ["start", "resume", "back"]
    await tg.tap("ยินยอม")
    await tg.say(invite_codes.format_invite_code(code))
    answered = 0
    while "ตอบครบทุกข้อแล้ว" not in tg.fake.sent_texts(CHAT)[-1]:
        tapped = await tg.tap(index=0)  # the lowest answer
        answered += 1
        edited = tg.fake.message(CHAT, tapped)
        assert "✅ ตอบแล้ว: ยังไม่มี" in edited["text"], "the tapped question shows the chosen answer"
        assert not (edited.get("reply_markup") or {}).get("inline_keyboard"), "…and loses its buttons"
    assert answered == 30
    await tg.tap("ส่งคำตอบ")
    await tg.fake.wait_for("sendPhoto", timeout=10)
    assert any("สรุปผลการประเมิน" in text for text in tg.fake.sent_texts(CHAT))
    photo = tg.fake.calls_of("sendPhoto")[0]
    (upload,) = photo.files.values()
    assert upload.size > 10_000
    assert len(tg.fake.callback_answers) == len(tg.fake.calls_of("answerCallbackQuery")) >= 32
    async with tg.db.engine.connect() as conn:
        assert len((await conn.execute(select(answers))).all()) == 30


async def test_a_wrong_or_missing_secret_is_refused(webhook: Telegram) -> None:
    update = message_update(CHAT, "/start")
    for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
        response = await webhook.http.post("/webhooks/telegram", content=json.dumps(update), headers=headers)
        assert response.status_code == 403
    assert webhook.fake.calls_of("sendMessage") == []


async def test_a_repeated_update_id_is_processed_once(webhook: Telegram) -> None:
    update = message_update(CHAT, "/start")
    await webhook.send(update)
    await webhook.send(update, expect_reply=False)
    assert len(webhook.fake.calls_of("sendMessage")) == 1  # welcome and consent merged in one message, once


async def test_an_old_keyboard_edits_its_own_question(webhook: Telegram) -> None:
    await _joined(webhook)
    first_id, buttons = webhook.last_keyboard()
    first = webhook.fake.message(CHAT, first_id)
    full = next(b for b in buttons if b["text"] == "4 ครบทั่วทั้งองค์การ")
    await webhook.tap(index=0)  # Q1.1B = ยังไม่มี → Q1.2B on screen
    await webhook.send(callback_update(CHAT, full["callback_data"], first_id, message_text=first["text"]))
    assert any("บันทึกการแก้ไขข้อ 1.1" in text for text in webhook.fake.sent_texts(CHAT))
    async with webhook.db.engine.connect() as conn:
        current = dict((await conn.execute(select(answers.c.question_id, answers.c.value)
                                           .where(answers.c.replaced_at.is_(None)))).all())
    assert current == {"Q1.1B": "3"}


async def test_stickers_photos_voice_documents_edits_and_groups(webhook: Telegram) -> None:
    await _joined(webhook)
    for update in (sticker_update(CHAT), photo_update(CHAT), voice_update(CHAT), document_update(CHAT)):
        await webhook.send(update)
        last = webhook.fake.sent_texts(CHAT)[-1]
        assert "อ่านได้เฉพาะข้อความและการแตะปุ่ม" in last
        assert "ระดับพื้นฐาน (ข้อ 1.1)" in last, "the current question comes back with the note"
    await webhook.send(edited_message_update(CHAT, "แก้แล้ว", 1))
    assert "ไม่อ่านข้อความที่แก้ไข" in webhook.fake.sent_texts(CHAT)[-1]
    await webhook.send(group_message_update(-100123, "/start"))
    assert "แชตส่วนตัว" in webhook.fake.sent_texts(-100123)[-1]
    async with webhook.db.engine.connect() as conn:
        assert (await conn.execute(select(answers))).all() == []


async def test_retry_after_is_waited_out_not_failed(webhook: Telegram) -> None:
    webhook.fake.fail_next("sendMessage", 429, retry_after=1)
    await webhook.say("/start")
    statuses = [c.status for c in webhook.fake.calls_of("sendMessage")]
    assert statuses[0] == 429 and 200 in statuses
    assert "PMQA 4.0" in webhook.fake.sent_texts(CHAT)[0]


async def test_many_people_at_once_each_in_order(webhook: Telegram) -> None:
    chats = [9000 + n for n in range(20)]
    await asyncio.gather(*(webhook.say("/start", chat) for chat in chats))
    for chat in chats:
        assert "PMQA 4.0" in webhook.fake.sent_texts(chat)[0]


async def test_sending_is_paced_per_chat_so_telegram_never_refuses(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """With Telegram's own limits enforced (1 message a second per chat), a burst of replies waits instead of
    failing: nothing is refused and everything arrives."""
    from telegram import Bot

    from bot.telegram.limits import ChatRateLimiter

    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with FakeTelegramApi(token=TOKEN, enforce_rate_limits=True, per_chat_per_second=1.0) as fake:
        limiter = ChatRateLimiter(per_chat_per_second=1.0, per_chat_burst=1)
        from telegram.ext import ExtBot

        bot = ExtBot(TOKEN, base_url=fake.api_base_url, rate_limiter=limiter)
        async with bot:
            started = asyncio.get_running_loop().time()
            await asyncio.gather(*(bot.send_message(CHAT, f"ข้อความที่ {n}") for n in range(4)))
            elapsed = asyncio.get_running_loop().time() - started
        assert fake.refused == []
        assert sorted(fake.sent_texts(CHAT)) == [f"ข้อความที่ {n}" for n in range(4)]
        assert elapsed >= 2.5, "four messages to one chat at one a second take about three seconds"
        assert isinstance(bot, Bot)
