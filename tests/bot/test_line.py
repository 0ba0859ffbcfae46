"""LINE end to end: signed webhook bodies → our Starlette app → the real AsyncMessagingApi → a fake
LINE API on 127.0.0.1 that enforces LINE's limits on every message."""

from __future__ import annotations

import asyncio
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
from storage.schema import answers, outbound_spend, users
from tests.fakes.line_api import FakeLineApi
from tests.fakes.line_webhook import (
    body,
    follow_event,
    group_source,
    message_event,
    postback_event,
    redelivered,
    sign,
    text_event,
    unfollow_event,
)

SECRET = "test-channel-secret"
TOKEN = "test-token"
USER = "U" + "a" * 32
PUBLIC = "https://pmqa.example.go.th"


@dataclass
class Line:
    fake: FakeLineApi
    http: httpx.AsyncClient
    app: Any

    async def post(self, *events: dict[str, Any], signature: str | None = "sign") -> httpx.Response:
        raw = body(*events)
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Line-Signature"] = sign(raw, SECRET)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        return await self.http.post("/webhooks/line", content=raw, headers=headers)

    def token(self, user: str = USER) -> str:
        return self.fake.issue_reply_token(user)

    async def say(self, text: str, user: str = USER) -> list[dict[str, Any]]:
        before = len(self.fake.sent_to(user))
        response = await self.post(text_event(user, text, self.token(user)))
        assert response.status_code == 200
        return self.fake.sent_to(user)[before:]

    async def tap(self, data: str, user: str = USER) -> list[dict[str, Any]]:
        before = len(self.fake.sent_to(user))
        response = await self.post(postback_event(user, data, self.token(user)))
        assert response.status_code == 200
        return self.fake.sent_to(user)[before:]

    @property
    def db(self):  # type: ignore[no-untyped-def]
        return self.app.state.services.db


def quick_replies(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item["action"] for item in messages[-1].get("quickReply", {}).get("items", [])]


def tap_data(messages: list[dict[str, Any]], label: str) -> str:
    return next(a["data"] for a in quick_replies(messages) if a["displayText"] == label)  # the label shows its number


@pytest.fixture
async def line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Line]:
    async with FakeLineApi(access_token=TOKEN) as fake:
        for key, value in {
            "PMQA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'line.db'}",
            "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "LINE_API_BASE_URL": fake.base_url, "PMQA_PUBLIC_URL": PUBLIC,
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)
        fake.set_profile(USER, "สมหญิง ใจดี")
        app = create_app(Settings())
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield Line(fake, http, app)
        assert fake.violations == [], "every message the bot sent must respect LINE's limits"
        assert fake.server_errors == []


async def _invite(line: Line) -> str:
    now = line.app.state.services.clock()
    async with line.db.transaction() as conn:
        agency = await repo.add_agency(conn, "AG", "สำนักงานสาธารณสุขจังหวัดน่าน", None, now)
        today = now.date()
        await repo.open_round(conn, "รอบประเมิน 2569", agency, today, today.replace(year=today.year + 1), now)
        return await invite_codes.create_invite(conn, agency, "officer", now, uses=10, days=30)


async def _joined(line: Line) -> list[dict[str, Any]]:
    code = await _invite(line)
    await line.post(follow_event(USER, line.token()))
    welcome = line.fake.sent_to(USER)
    await line.tap(tap_data(welcome, "ยินยอม"))
    return await line.say(code)


async def test_a_whole_assessment_from_follow_to_summary_costs_no_push(line: Line) -> None:
    code = await _invite(line)
    response = await line.post(follow_event(USER, line.token()))
    assert response.status_code == 200
    welcome = line.fake.sent_to(USER)
    assert "คุณสมหญิง ใจดี" in welcome[0]["text"], "the display name comes from the profile API"
    assert [a["label"] for a in quick_replies(welcome)] == ["1 ยินยอม", "2 ไม่ยินยอม"]

    asked = await line.tap(tap_data(welcome, "ยินยอม"))
    assert "รหัสเชิญ" in asked[0]["text"]
    messages = await line.say(invite_codes.format_invite_code(code))
    assert "เข้าร่วมหน่วยงาน สำนักงานสาธารณสุขจังหวัดน่าน" in messages[0]["text"]
    answered = 0
    while "ตอบครบทุกข้อแล้ว" not in messages[-1]["text"]:
        actions = quick_replies(messages)
        assert actions[0]["label"] in ("1 ยังไม่มี", "1 ยังไม่มีตัวชี้วัด") and len(actions) <= 13
        messages = await line.tap(actions[0]["data"])  # the lowest answer
        answered += 1
    assert answered == 30
    done = await line.tap(tap_data(messages, "ส่งคำตอบ"))
    kinds = [m["type"] for m in done]
    assert kinds == ["text", "flex", "image", "text"]
    assert "สรุปผลการประเมิน" in done[1]["altText"]
    image_url = done[2]["originalContentUrl"]
    assert image_url.startswith(f"{PUBLIC}/charts/")
    chart = await line.http.get(image_url.removeprefix(PUBLIC))
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    assert line.fake.push_count == 0, "a completed assessment spends no push message"
    async with line.db.engine.connect() as conn:
        assert len((await conn.execute(select(answers))).all()) == 30


async def test_forged_and_missing_signatures_are_refused_and_not_processed(line: Line) -> None:
    event = text_event(USER, "สวัสดี", line.token())
    assert (await line.post(event, signature="Zm9yZ2Vk")).status_code == 400
    assert (await line.post(event, signature=None)).status_code == 400
    assert line.fake.calls_to("/message/reply") == []
    async with line.db.engine.connect() as conn:
        assert (await conn.execute(select(users))).all() == []


async def test_a_redelivered_event_is_answered_once(line: Line) -> None:
    event = text_event(USER, "สวัสดี", line.token())
    await line.post(event)
    again = await line.post(redelivered(event))
    assert again.status_code == 200
    assert len(line.fake.calls_to("/message/reply")) == 1
    assert line.fake.push_count == 0


async def test_an_expired_reply_token_falls_back_to_a_recorded_push(line: Line) -> None:
    expired = line.fake.issue_reply_token(USER, ttl=0.0)  # e.g. LINE redelivered the event much later
    await line.post(text_event(USER, "สวัสดี", expired))
    assert [c.status for c in line.fake.calls_to("/message/reply")] == [400]
    pushes = line.fake.calls_to("/message/push")
    assert len(pushes) == 1
    assert len(pushes[0].headers["x-line-retry-key"]) == 36
    assert "PMQA 4.0" in line.fake.sent_to(USER)[0]["text"]
    async with line.db.engine.connect() as conn:
        spent = (await conn.execute(select(outbound_spend))).all()
    assert [(s.kind, s.purpose, s.recipients) for s in spent] == [("push", "reply_fallback", 1)]


async def test_429_then_success_is_retried(line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.line.sender.BACKOFF", 0.01)
    line.app.state.line.sender.backoff = 0.01
    line.fake.fail_next("/message/reply", 429, times=2)
    await line.post(text_event(USER, "สวัสดี", line.token()))
    statuses = [c.status for c in line.fake.calls_to("/message/reply")]
    assert statuses == [429, 429, 200]
    assert line.fake.push_count == 0


async def test_stickers_photos_and_groups_get_a_friendly_answer(line: Line) -> None:
    await _joined(line)
    for kind in ("sticker", "image", "video", "audio", "file", "location"):
        before = len(line.fake.sent_to(USER))
        await line.post(message_event(USER, kind, line.token()))
        sent = line.fake.sent_to(USER)[before:]
        assert "อ่านได้เฉพาะข้อความและการแตะปุ่ม" in sent[0]["text"], kind
        assert "ระดับพื้นฐาน (ข้อ 1.1)" in sent[-1]["text"], "the current question comes back"
    group = text_event(USER, "ประเมิน", line.token("Cgroup"), source=group_source("Cgroup", USER))
    await line.post(group)
    note = [c for c in line.fake.calls_to("/message/reply") if c.status == 200][-1].json["messages"][0]["text"]
    assert "แชตส่วนตัว" in note
    async with line.db.engine.connect() as conn:
        assert (await conn.execute(select(answers))).all() == []


async def test_an_old_button_is_applied_to_its_own_question_never_another(line: Line) -> None:
    first = await _joined(line)
    old_full = tap_data(first, "ครบทั่วทั้งองค์การ")
    await line.tap(tap_data(first, "ยังไม่มี"))  # Q1.1B = 0, now at Q1.2B
    sent = await line.tap(old_full)  # a tap on Q1.1B's old keyboard
    assert "บันทึกการแก้ไขข้อ 1.1" in sent[0]["text"]
    async with line.db.engine.connect() as conn:
        current = dict((await conn.execute(
            select(answers.c.question_id, answers.c.value).where(answers.c.replaced_at.is_(None)))).all())
    assert current == {"Q1.1B": "3"}


async def test_a_malformed_event_does_not_spoil_the_others(line: Line) -> None:
    broken = {"type": "message", "mode": "active"}  # no source, no webhookEventId
    response = await line.post(broken, text_event(USER, "สวัสดี", line.token()))
    assert response.status_code == 200
    assert "PMQA 4.0" in line.fake.sent_to(USER)[0]["text"]


async def test_unfollow_marks_the_person_inactive_and_keeps_answers(line: Line) -> None:
    await _joined(line)
    await line.tap(tap_data(line.fake.sent_to(USER), "ยังไม่มี"))
    await line.post(unfollow_event(USER))
    async with line.db.engine.connect() as conn:
        person = (await conn.execute(select(users))).one()
        kept = (await conn.execute(select(answers))).all()
    assert person.active is False or person.active == 0
    assert len(kept) == 1
    await line.post(follow_event(USER, line.token()))  # re-follow: active again, carries on
    async with line.db.engine.connect() as conn:
        assert (await conn.execute(select(users.c.active))).scalar_one()


async def test_health_and_unknown_chart_links(line: Line) -> None:
    health = await line.http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert (await line.http.get("/charts/not-a-token.png")).status_code == 404


async def test_rich_menu_is_created_with_its_image_and_set_as_default(line: Line) -> None:
    from bot.line.richmenu import create_rich_menu

    menu_id = await create_rich_menu(Settings())
    assert line.fake.default_rich_menu_id == menu_id
    mime, image = line.fake.rich_menu_images[menu_id]
    assert mime == "image/png" and len(image) < 1_000_000
    menu = line.fake.rich_menus[menu_id]
    labels = [area["action"]["label"] for area in menu["areas"]]
    assert labels == ["ทำต่อ", "ความคืบหน้า", "สรุปผล", "ช่วยเหลือ"]


async def test_fifty_people_at_once_are_all_answered(line: Line) -> None:
    people = [f"U{n:032d}" for n in range(50)]
    await asyncio.gather(*(line.post(text_event(p, "สวัสดี", line.token(p))) for p in people))
    for person in people:
        assert "PMQA 4.0" in line.fake.sent_to(person)[0]["text"]
