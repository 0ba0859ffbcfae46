"""Submissions through the engine and the database (issue 11, defect 1): nothing sent is withdrawn silently.

The coordinator's สถานะ, the agency's report and the news line all read the same `submissions` rows;
a reopened submission counts with its answers as they were sent until the officer sends again."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine import Inbound
from conversations import Tap, Text
from conversations import texts as t
from criteria import default_bank
from storage import repository as repo
from storage.database import Database
from storage.reporting import load_round_report
from storage.schema import submissions
from tests.bot.coordination_world import World, build_world


async def _world(database: Database, clock) -> World:
    world = await build_world(database, clock)
    await world.join("C-A1", "coord-a1", "หัวหน้าทีม A1")
    await world.join("O-A1", "off-a1", "สมชาย ใจดี")
    await world.join("O-A1-2", "off-a1", "วิภา ขยัน")
    return world


async def _sent(world: World) -> list[tuple]:
    async with world.db.engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(
            select(submissions.c.user_id, submissions.c.reopened_at.is_(None)).order_by(submissions.c.user_id))]


async def _report_answers(world: World, clock, user: int) -> dict[str, str]:
    async with world.db.engine.connect() as conn:
        report = await load_round_report(conn, default_bank(), world.agencies["A1"], None, clock())
    assert report is not None
    agency = next(a for a in report.agencies if a.code == "A1")
    return dict(next(r for r in agency.respondents if r.user_id == user).answers)


async def test_back_and_edit_after_submitting_keep_the_officer_finished(database: Database, clock) -> None:
    world = await _world(database, clock)
    await world.answer_all("O-A1")
    clock.advance(minutes=1)
    assert "เสร็จแล้ว 1" in await world.say("C-A1", "สถานะ")
    await world.say("O-A1", "ย้อนกลับ")
    await world.say("O-A1", "แก้ไข")
    await world.say("O-A1", "1")  # หมวด 1
    await world.say("O-A1", "1")  # its first answered question, on screen now
    status = await world.say("C-A1", "สถานะ")
    assert "เสร็จแล้ว 1" in status
    assert "ยังไม่เสร็จ (1): วิภา ขยัน" in status, "only the one who never sent"
    assert len(await _sent(world)) == 1


async def test_reopening_shows_edit_after_send_and_the_report_keeps_the_sent_answers(database: Database,
                                                                                  clock) -> None:
    world = await _world(database, clock)
    await world.answer_all("O-A1")
    officer = await world.user_id("line", "O-A1")
    sent = await _report_answers(world, clock, officer)
    clock.advance(minutes=5)
    await world.say("O-A1", "ย้อนกลับ")  # the last question, answered with its first option
    asking = await world.say("O-A1", "2")  # a different answer
    assert t.REOPEN_CONFIRM in asking
    assert (await _sent(world))[0][1] is True, "not reopened before the officer confirms"
    clock.advance(minutes=1)
    reopened = await world.engine.handle(Inbound("line", "O-A1", Text(t.BTN_REOPEN)))  # the button's label typed
    assert any(c.data == "c:submit" for r in reopened.replies for c in r.choices), "the last question: review"
    assert (await _sent(world))[0][1] is False
    status = await world.say("C-A1", "สถานะ")
    assert "แก้ไขหลังส่ง (1): สมชาย ใจดี" in status
    assert "เสร็จแล้ว 0" in status and "ยังไม่เสร็จ (1): วิภา ขยัน" in status
    assert await _report_answers(world, clock, officer) == sent, "the agency's results use what was sent"
    async with world.db.engine.connect() as conn:
        assessment = (await repo.load_session(conn, officer)).assessment_id
        current = await repo.current_answers(conn, assessment, officer)
    assert current != sent
    clock.advance(minutes=1)
    resent = await world.engine.handle(Inbound("line", "O-A1", Tap("c:submit")))
    assert resent.replies[0].text == t.RESUBMITTED
    assert await _report_answers(world, clock, officer) == current
    assert "เสร็จแล้ว 1" in await world.say("C-A1", "สถานะ")


async def test_a_closed_round_refuses_edits_and_a_new_round_keeps_the_old_submission(database: Database,
                                                                                   clock) -> None:
    world = await _world(database, clock)
    await world.join("C-PROV", "coord-prov", "คุณประสาน")
    await world.answer_all("O-A1")
    officer = await world.user_id("line", "O-A1")
    sent = await _report_answers(world, clock, officer)
    assert "ปิดรอบ" in await world.say("C-PROV", f"รอบ ปิด {world.rounds['PROV']}")
    refused = await world.say("O-A1", "แก้ไข")
    assert t.ROUND_CLOSED.format(round="รอบปี 2570") in refused
    assert "สรุปผล" in await world.say("O-A1", "สรุป"), "a closed round's answers can still be read"
    assert await _sent(world) == [(officer, True)]
    clock.advance(days=1)
    assert "รอบใหม่" in await world.say("C-PROV", "รอบ เปิด 30/9/2570 รอบใหม่")
    assert "1.1" in await world.say("O-A1", "ทำต่อ")  # the new round starts at its first question
    assert await _sent(world) == [(officer, True)], "the last round's submission is still there"
    async with world.db.engine.connect() as conn:
        old = await load_round_report(conn, default_bank(), world.agencies["A1"], world.rounds["PROV"], clock())
    assert old is not None
    agency = next(a for a in old.agencies if a.code == "A1")
    mine = next(r for r in agency.respondents if r.user_id == officer)
    assert mine.submitted and dict(mine.answers) == sent
