"""Invites from chat: a message to forward (its own bubble in LINE and Telegram), listing and revoking them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import Inbound
from bot.line.messages import to_messages
from bot.telegram.render import to_outgoing
from conversations import Text
from storage.database import Database
from storage.schema import audit_log
from tests.bot.coordination_world import World, build_world


@pytest.fixture
async def world(database: Database, clock) -> World:
    world = await build_world(database, clock)
    await world.join("C-PROV", "coord-prov", "คุณประสาน")
    await world.join("C-A1", "coord-a1", "หัวหน้าทีม A1")
    await world.join("C-OTHER", "coord-other", "ผู้ประสานจังหวัดอื่น")
    return world


def _code_in(text: str) -> str:
    return next(line for line in text.splitlines() if len(line) == 11 and line[5] == "-")


async def test_an_invite_comes_with_a_message_to_forward_in_its_own_bubble(world: World) -> None:
    outcome = await world.engine.handle(Inbound("line", "C-A1", Text("รหัสเชิญ")))
    note, forward = outcome.replies
    code = _code_in(note.text)
    assert "ส่งต่อรหัสนี้" in note.text and "ผู้ที่ท่านต้องการเชิญ" in note.text
    assert "ผู้ที่เชิญ แล้ว" not in note.text
    assert forward.standalone and f"พิมพ์รหัสเชิญ {code}" in forward.text
    assert "PMQA 4.0" in forward.text and "LINE" in forward.text and "Telegram" in forward.text
    assert [m.text for m in to_messages(outcome.replies)] == [note.text, forward.text], "LINE: forwardable as is"
    assert [m.text for m in to_outgoing(outcome.replies)] == [note.text, forward.text]


async def test_coordinators_list_and_revoke_invites_in_their_scope(world: World) -> None:
    code = _code_in(await world.say("C-A1", "รหัสเชิญ"))
    listed = await world.say("C-PROV", "รหัสเชิญ ดู")
    assert code in listed and "เข้าร่วมแล้ว 0 จาก 50 คน" in listed, "a province sees its agencies' invites"
    assert code not in await world.say("C-OTHER", "รหัสเชิญ ดู")
    assert "ไม่พบรหัสเชิญ" in await world.say("C-OTHER", f"รหัสเชิญ ยกเลิก {code}"), "outside their scope"
    world.invites["fresh"] = code
    await world.join("O-NEW", "fresh", "ผู้ตอบใหม่")
    assert "ยกเลิกรหัสเชิญ" in await world.say("C-A1", f"รหัสเชิญ ยกเลิก {code.lower()}")
    assert "ถูกยกเลิกไปแล้ว" in await world.say("C-A1", f"รหัสเชิญ ยกเลิก {code}")
    assert code not in await world.say("C-A1", "รหัสเชิญ ดู"), "only usable codes are listed"
    assert "รหัสเชิญนี้ถูกยกเลิกแล้วค่ะ" in await world.join("O-LATE", "fresh", "มาทีหลัง")
    assert "ความคืบหน้า" in await world.say("O-NEW", "ความคืบหน้า"), "who joined before keeps their access"
    async with world.db.engine.connect() as conn:
        actions = [row.action for row in await conn.execute(select(audit_log.c.action).order_by(audit_log.c.id))]
    assert "coord.InviteRevoke.refused" in actions and "coord.InviteRevoke" in actions
