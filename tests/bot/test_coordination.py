"""Coordinators in chat: joining as one, every command, and who may do what (the authorization matrix)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.database import Database
from storage.schema import audit_log, invites, reminders, rounds
from tests.bot.coordination_world import World, build_world


@pytest.fixture
async def world(database: Database, clock) -> World:
    world = await build_world(database, clock)
    assert "ผู้ประสานงาน" in await world.join("C-PROV", "coord-prov", "คุณประสาน")
    await world.join("C-A1", "coord-a1", "หัวหน้าทีม A1")
    await world.join("C-OTHER", "coord-other", "ผู้ประสานจังหวัดอื่น")
    await world.join("O-A1", "off-a1", "สมชาย ใจดี")
    await world.join("O-A2", "off-a2", "สมหญิง รักงาน")
    await world.join("O-B1", "off-b1", "คนนอก จังหวัดอื่น")
    return world


async def _audit(db: Database) -> list:
    async with db.engine.connect() as conn:
        return list(await conn.execute(select(audit_log).where(audit_log.c.action.like("coord.%"))
                                       .order_by(audit_log.c.id)))


async def test_a_coordinator_joins_to_the_menu_and_is_not_asked_questions(world: World) -> None:
    text = await world.say("C-PROV", "เริ่ม")
    assert "เมนูผู้ประสานงาน" in text
    assert "หมวด" not in text  # no assessment question
    assert "สำหรับผู้ตอบ" not in text
    assert "ไม่ได้ตอบแบบประเมินเอง" in await world.say("C-PROV", "ข้าม")


async def test_status_of_a_province_lists_agencies_least_complete_first(world: World) -> None:
    await world.answer_all("O-A2")
    text = await world.say("C-PROV", "สถานะ")
    assert "จังหวัดตัวอย่าง" in text
    assert "เข้าร่วม 2 · เริ่มแล้ว 1 · เสร็จแล้ว 1" in text
    a1, a2 = text.index("สำนักงานเกษตรจังหวัด"), text.index("สำนักงานสาธารณสุขจังหวัด")
    assert a1 < a2  # A1 has done nothing: it comes first
    assert "0% สำนักงานเกษตรจังหวัด (A1) · เสร็จ 0/1" in text
    assert "100% สำนักงานสาธารณสุขจังหวัด (A2) · เสร็จ 1/1" in text
    assert "คนนอก" not in text and "จังหวัดอื่น" not in text


async def test_status_of_one_agency_names_who_has_not_finished(world: World) -> None:
    await world.join("O-A1-2", "off-a1", "วิภา ขยัน")
    await world.answer_all("O-A1-2")
    text = await world.say("C-A1", "/status")
    assert "ยังไม่เสร็จ (1): สมชาย ใจดี" in text
    assert "วิภา" not in text.split("ยังไม่เสร็จ")[1]


async def test_an_officer_sees_the_deadline_in_progress(world: World) -> None:
    text = await world.say("O-A1", "ความคืบหน้า")
    assert "ปิดรับ" in text and "2569" in text


async def test_invites_from_chat_are_scoped_and_assign_categories(world: World) -> None:
    text = await world.say("C-PROV", "รหัสเชิญ เจ้าหน้าที่ A2 หมวด 1,3")
    assert "สำนักงานสาธารณสุขจังหวัด" in text and "(หมวด 1, 3)" in text
    code = next(line for line in text.splitlines() if len(line) == 11 and line[5] == "-")
    world.invites["typed"] = code
    await world.join("NEW", "typed", "ผู้ตอบใหม่")
    progress = await world.say("NEW", "ความคืบหน้า")
    assert "หมวด 1" in progress and "หมวด 3" in progress and "หมวด 2" not in progress
    async with world.db.engine.connect() as conn:
        row = (await conn.execute(select(invites).where(invites.c.categories == "1,3"))).one()
    assert row.role == "officer" and row.expires_at > world.clock() + timedelta(days=13)
    raw = code.replace("-", "")
    assert len(raw) == 10  # 30^10 ≈ 2^49 ≥ 40 bits


async def test_a_coordinator_invite_from_chat_makes_a_coordinator(world: World) -> None:
    text = await world.say("C-PROV", "/invite coordinator A1")
    code = next(line for line in text.splitlines() if len(line) == 11 and line[5] == "-")
    world.invites["lead"] = code
    assert "ผู้ประสานงาน" in await world.join("LEAD2", "lead", "หัวหน้าใหม่")
    assert "สถานะ สำนักงานเกษตรจังหวัด" in await world.say("LEAD2", "สถานะ")


async def test_rounds_open_extend_close_and_list(world: World, clock) -> None:
    assert "มีรอบ" in await world.say("C-PROV", "รอบ เปิด 30/9/2570")  # one is open already
    before = await _state(world)
    # The province's round applies to A1: a second one would take over and hide its answers.
    refused = await world.say("C-A1", "รอบ เปิด 30/9/2570 รอบทดลองของเกษตร")
    assert "ไม่ได้ค่ะ" in refused and f"รอบ #{world.rounds['PROV']} \"รอบปี 2570\"" in refused
    assert await _state(world) == before
    assert "ปิดรอบ" in await world.say("C-PROV", f"รอบ ปิด {world.rounds['PROV']}")
    text = await world.say("C-A1", "รอบ เปิด 30/9/2570 รอบทดลองของเกษตร")
    assert "รอบทดลองของเกษตร" in text and "30 ก.ย. 2570" in text
    async with world.db.engine.connect() as conn:
        row = (await conn.execute(select(rounds).where(rounds.c.name == "รอบทดลองของเกษตร"))).one()
    assert row.closes_on.isoformat() == "2027-09-30"
    # …and the other way round: a province round cannot open over a round one of its agencies holds.
    assert f"รอบ #{row.id} \"รอบทดลองของเกษตร\"" in await world.say("C-PROV", "รอบ เปิด 30/9/2570 รอบใหม่")
    assert "15 ต.ค. 2570" in await world.say("C-A1", f"รอบ เลื่อน {row.id} 15/10/2570")
    listing = await world.say("C-A1", "รอบ")
    assert f"#{row.id} รอบทดลองของเกษตร" in listing and "รอบปี 2570" in listing
    assert "ปิดรอบ" in await world.say("C-A1", f"/round close {row.id}")
    assert "ปิดแล้ว" in await world.say("C-A1", "รอบ")
    assert "วันปิดรับต้องเป็นวันนี้" in await world.say("C-PROV", "รอบ เปิด 1/1/2560 A2")
    assert "รูปแบบคำสั่ง" in await world.say("C-PROV", "รอบ เปิด พรุ่งนี้")


# The authorization matrix -----------------------------------------------------------------------------
# Every coordinator command × (officer, coordinator in scope, coordinator out of scope).  "In scope" acts on
# A2 (beneath the province); "out of scope" is the other province's coordinator acting on A2.

COMMANDS = {
    "invite": "รหัสเชิญ เจ้าหน้าที่ A2",
    "round_open": "รอบ เปิด 30/9/2570 รอบของ A2 A2",
    "round_extend": "รอบ เลื่อน {prov_round} 30/9/2570",
    "round_close": "รอบ ปิด {prov_round}",
    "status": "สถานะ A2",
    "summary": "สรุป A2",
    "export": "ส่งออก A2",
    "remind": "เตือน",
}
REFUSED_OFFICER = "สำหรับผู้ประสานงานเท่านั้น"
REFUSED_SCOPE = ("ไม่อยู่ในความรับผิดชอบ", "ไม่พบรอบ", "ไม่ต้องเตือน")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("who", ["officer", "coordinator_in_scope", "coordinator_out_of_scope"])
async def test_authorization_matrix(world: World, command: str, who: str) -> None:
    user = {"officer": "O-A1", "coordinator_in_scope": "C-PROV", "coordinator_out_of_scope": "C-OTHER"}[who]
    text = COMMANDS[command].format(prov_round=world.rounds["PROV"])
    before = await _state(world)
    reply = await world.say(user, text)
    after = await _state(world)
    if who == "officer":
        assert REFUSED_OFFICER in reply
        assert after == before
        return
    audit = await _audit(world.db)
    if who == "coordinator_in_scope" and command == "round_open":
        # In scope, but the province's open round already applies to A2: one round at a time.
        assert "ยังเปิดอยู่" in reply
        assert after == before
        return
    if who == "coordinator_out_of_scope" and command == "remind":
        # "เตือน" names no agency: it reaches the coordinator's own scope only — the other
        # province's one officer, never A1's or A2's.
        assert "ส่งถึง 1 คน" in reply and "รอบจังหวัดอื่น" in reply
        return
    if who == "coordinator_out_of_scope":
        assert any(words in reply for words in REFUSED_SCOPE), reply
        assert after == before
        assert audit[-1].action.endswith(".refused")
        return
    assert not any(words in reply for words in (REFUSED_OFFICER, *REFUSED_SCOPE[:2])), reply
    assert audit[-1].action.startswith("coord.") and not audit[-1].action.endswith(".refused")
    assert audit[-1].actor_user_id == await world.user_id("line", "C-PROV")


async def _state(world: World) -> tuple:
    """Everything a coordinator command could change."""
    async with world.db.engine.connect() as conn:
        invite_count = len(list(await conn.execute(select(invites.c.id))))
        round_rows = tuple(tuple(r) for r in await conn.execute(
            select(rounds.c.id, rounds.c.closes_on, rounds.c.closed_at).order_by(rounds.c.id)))
        reminder_rows = len(list(await conn.execute(select(reminders.c.id))))
    return invite_count, round_rows, reminder_rows


async def test_an_agency_lead_cannot_change_the_province_round(world: World) -> None:
    reply = await world.say("C-A1", f"รอบ ปิด {world.rounds['PROV']}")
    assert "ไม่พบรอบ" in reply


async def test_forged_reminder_button_of_another_coordinator_is_refused(world: World) -> None:
    preview = await world.say("C-PROV", "เตือน")
    assert "ตัวอย่างคำเตือน" in preview
    async with world.db.engine.connect() as conn:
        draft = await conn.scalar(select(reminders.c.id))
    assert "ส่งไปแล้วหรือหมดอายุ" in await world.tap("C-OTHER", f"r:{draft}")
    assert "ปุ่มนี้ใช้ไม่ได้" in await world.tap("O-A1", f"r:{draft}")  # an officer's forged tap
    async with world.db.engine.connect() as conn:
        assert await conn.scalar(select(reminders.c.status)) == "draft"


async def test_bad_arguments_get_the_usage_in_thai(world: World) -> None:
    assert "รูปแบบคำสั่ง" in await world.say("C-PROV", "รหัสเชิญ หมวด 9")
    assert "รูปแบบคำสั่ง" in await world.say("C-PROV", "สถานะ A1 A2")
    assert "ไม่พบหน่วยงานรหัส NOPE" in await world.say("C-PROV", "สถานะ nope")


async def test_an_officers_summary_radar_shows_their_agency_beside_them(world: World) -> None:
    from bot.engine import Inbound
    from conversations import Text

    await world.join("O-A1-2", "off-a1", "วิภา ขยัน")
    await world.answer_all("O-A1-2")
    await world.say("O-A1", "1")  # one answer of their own
    outcome = await world.engine.handle(Inbound("line", "O-A1", Text("สรุป")))
    summary = next(reply for reply in outcome.replies if reply.summary)
    assert summary.chart is not None and summary.chart.kind == "radar"
    names = [name for name, _ in summary.chart.series]
    assert len(names) == 2, names  # the officer and the agency's aggregate
