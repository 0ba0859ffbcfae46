"""Coordinators hear who submitted at the top of their next reply (no push), and officers' attempts at
coordinator commands are audited — both through the real engine."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import Inbound
from conversations import Text
from storage.database import Database
from storage.schema import audit_log
from tests.bot.coordination_world import World, build_world


@pytest.fixture
async def world(database: Database, clock) -> World:
    world = await build_world(database, clock)
    await world.join("C-PROV", "coord-prov", "คุณประสาน")
    await world.join("C-A1", "coord-a1", "หัวหน้าทีม A1")
    await world.join("O-A1", "off-a1", "สมชาย ใจดี")
    await world.join("O-A2", "off-a2", "สมหญิง รักงาน")
    await world.join("O-B1", "off-b1", "คนนอก จังหวัดอื่น")
    return world


async def test_a_coordinator_hears_once_who_submitted_in_their_scope(world: World) -> None:
    assert "ส่งคำตอบ" not in (await world.say("C-PROV", "สถานะ")).split("\n")[0]
    world.clock.advance(minutes=5)  # type: ignore[attr-defined]
    await world.answer_all("O-A2")
    await world.answer_all("O-B1")  # another province: not news for PROV
    await world.answer_all("O-A1", submit=False)  # answered, not sent: not news either
    world.clock.advance(minutes=5)  # type: ignore[attr-defined]
    outcome = await world.engine.handle(Inbound("line", "C-PROV", Text("สถานะ")))
    first = outcome.replies[0].text
    assert first == "📬 ตั้งแต่ครั้งก่อน มีผู้ส่งคำตอบ 1 คน: สมหญิง รักงาน (A2)"
    assert "สถานะ จังหวัดตัวอย่าง" in outcome.replies[1].text, "the news rides on the reply that was asked for"
    again = await world.say("C-PROV", "สถานะ")
    assert "📬" not in again, "each submission is announced once"
    a1 = await world.say("C-A1", "สถานะ")
    assert "📬" not in a1, "A2's submission is outside A1's scope"
    world.clock.advance(minutes=1)  # type: ignore[attr-defined]
    await world.tap("O-A1", "c:submit")
    world.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert "มีผู้ส่งคำตอบ 1 คน: สมชาย ใจดี\n" in await world.say("C-A1", "ช่วยเหลือ") + "\n", \
        "an officer of the coordinator's own agency is named without a code"


async def test_officers_never_get_the_news_line(world: World) -> None:
    await world.answer_all("O-A2")
    assert "📬" not in await world.say("O-A1", "ความคืบหน้า")


async def test_an_officer_typing_a_coordinator_command_is_refused_and_audited(world: World) -> None:
    text = await world.say("O-A1", "สถานะ A2")
    assert "สำหรับผู้ประสานงานเท่านั้น" in text
    await world.say("O-A1", "รหัสเชิญ ผู้ประสานงาน")
    officer = await world.user_id("line", "O-A1")
    async with world.db.engine.connect() as conn:
        rows = list(await conn.execute(select(audit_log).where(audit_log.c.action.like("coord.%"))
                                       .order_by(audit_log.c.id)))
    assert [(r.action, r.actor_user_id) for r in rows] == [("coord.status.refused", officer),
                                                            ("coord.invite.refused", officer)]
    assert rows[0].details["role"] == "officer" and "ผู้ประสานงาน" in rows[0].details["reason"]
