"""Issue 11, item 3 through the engine: what a coordinator or an officer types is read against the buttons
they were shown last — buttons the shell drew (a reminder's preview, a status) included — and that memory
is in the stored session, so it holds across restarts (a new Engine on the same database)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import Engine, Inbound
from conversations import Text
from conversations import coordinator_texts as ct
from criteria import default_bank
from storage.database import Database
from storage.schema import reminders
from tests.bot.coordination_world import World, build_world


@pytest.fixture
async def world(database: Database, clock) -> World:
    world = await build_world(database, clock)
    await world.join("C-PROV", "coord-prov", "คุณประสาน")
    await world.join("O-A1", "off-a1", "สมชาย ใจดี")
    return world


async def _reminder_status(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.scalar(select(reminders.c.status))


@pytest.mark.parametrize("typed", ["1", "ส่งคำเตือน"])
async def test_a_coordinator_sends_a_reminder_by_typing_1_or_its_label(world: World, typed: str) -> None:
    assert "ตัวอย่างคำเตือน" in await world.say("C-PROV", "เตือน")
    said = await world.say("C-PROV", typed)
    assert "รับคำสั่งแล้ว" in said, said  # not the status (the menu's 1), not "not understood"
    assert await _reminder_status(world.db) != "draft"


async def test_typed_cancel_under_the_preview_sends_nothing(world: World) -> None:
    await world.say("C-PROV", "เตือน")
    said = await world.say("C-PROV", "ยกเลิก")
    assert ct.MENU in said and "ไม่เข้าใจ" not in said, said
    assert await _reminder_status(world.db) == "draft"


async def test_after_status_2_is_the_reminder_shown_there_even_after_a_restart(world: World, clock) -> None:
    assert "สถานะ" in await world.say("C-PROV", "สถานะ")  # answered after the commit, with its own buttons
    world.engine = Engine(world.db, default_bank(), clock=clock)  # a restart: nothing kept in memory
    said = await world.say("C-PROV", "2")
    assert "ตัวอย่างคำเตือน" in said, said  # เตือนผู้ยังไม่เสร็จ, not สรุปผล (the menu's 2)


async def test_an_officer_gets_a_hint_for_0_300_and_a_question_number(world: World) -> None:
    for typed in ("0", "300", "ข้อ 2", "u"):
        outcome = await world.engine.handle(Inbound("line", "O-A1", Text(typed)))
        assert not outcome.facts, typed
        assert "พิมพ์ตัวเลข 1–5" in outcome.replies[0].text
    outcome = await world.engine.handle(Inbound("line", "O-A1", Text("4")))
    assert [getattr(f, "code", None) for f in outcome.facts] == ["3"]
