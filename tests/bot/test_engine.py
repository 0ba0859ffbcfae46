"""The engine: one event, one transaction — dedupe, per-user order, facts made durable."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.engine import Engine, Inbound
from conversations import Start, Tap, Text, Unsupported
from criteria import default_bank
from criteria.scoring import score
from storage import invite_codes
from storage import repository as repo
from storage.database import Database
from storage.schema import answers, audit_log, users


async def _seed(db: Database, clock, *, uses: int = 10) -> str:
    async with db.transaction() as conn:
        agency = await repo.add_agency(conn, "AG", "สำนักงานทดสอบ", None, clock())
        await repo.open_round(conn, "รอบ 2569", agency, date(2026, 11, 1), date(2026, 12, 31), clock())
        return await invite_codes.create_invite(conn, agency, "officer", clock(), uses=uses, days=30)


@pytest.fixture
async def engine(database: Database, clock) -> Engine:
    return Engine(database, default_bank(), clock=clock)


async def _say(engine: Engine, text: str, user: str = "U1", event_id: str | None = None):
    return await engine.handle(Inbound("line", user, Text(text), event_id=event_id, display_name="สมศรี"))


async def _joined(engine: Engine, clock, user: str = "U1") -> None:
    code = await _seed(engine.db, clock)
    await engine.handle(Inbound("line", user, Start()))
    await _say(engine, "ยอมรับ", user)
    outcome = await _say(engine, invite_codes.format_invite_code(code).lower(), user)
    assert "เข้าร่วมหน่วยงาน สำนักงานทดสอบ" in outcome.replies[0].text
    assert outcome.replies[-1].question_id == "Q1.1B"


async def _stored(db: Database) -> dict[str, str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(answers.c.question_id, answers.c.value).where(answers.c.replaced_at.is_(None)))
        return {r.question_id: r.value for r in rows}


async def test_first_contact_consent_and_invite_lead_to_the_first_question(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    async with engine.db.engine.connect() as conn:
        user = (await conn.execute(select(users))).one()
        actions = [r.action for r in await conn.execute(select(audit_log))]
    assert user.consent_at is not None and user.agency_id is not None and user.display_name == "สมศรี"
    assert "invite.redeemed" in actions


async def test_a_wrong_invite_code_is_refused_politely_and_can_be_retyped(engine: Engine, clock) -> None:
    code = await _seed(engine.db, clock)
    await engine.handle(Inbound("line", "U1", Start()))
    await _say(engine, "ยอมรับ")
    refused = await _say(engine, "WRONG-CODE")
    assert "ไม่พบรหัสเชิญ" in refused.replies[0].text
    joined = await _say(engine, code)
    assert joined.replies[-1].question_id == "Q1.1B"


async def test_answers_are_stored_and_survive_a_new_engine(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    await _say(engine, "4")  # Q1.1B fully met → Q1.1A
    await _say(engine, "๒")  # Thai digit: Q1.1A "เริ่มทำบางส่วน"
    assert await _stored(engine.db) == {"Q1.1B": "3", "Q1.1A": "1"}
    restarted = Engine(engine.db, default_bank(), clock=clock)
    outcome = await restarted.handle(Inbound("line", "U1", Text("ทำต่อ")))
    assert outcome.replies[-1].question_id == "Q1.2B"


async def test_a_redelivered_event_is_answered_once(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    first = await _say(engine, "4", event_id="01HEVENT")
    again = await _say(engine, "4", event_id="01HEVENT")
    assert first.replies and not first.duplicate
    assert again.duplicate and again.replies == ()
    assert await _stored(engine.db) == {"Q1.1B": "3"}


async def test_two_taps_at_once_from_two_workers_record_one_answer(engine: Engine, clock) -> None:
    """Two server processes receive the same button tap at the same moment."""
    await _joined(engine, clock)
    prompt = await _say(engine, "ทำต่อ")
    full = next(c for c in prompt.replies[-1].choices if c.label == "ครบทั่วทั้งองค์การ")
    other_worker = Engine(engine.db.another(), default_bank(), clock=clock)
    try:
        outcomes = await asyncio.gather(
            engine.handle(Inbound("line", "U1", Tap(full.data), event_id="tap-a")),
            other_worker.handle(Inbound("line", "U1", Tap(full.data), event_id="tap-b")),
        )
    finally:
        await other_worker.db.dispose()
    async with engine.db.engine.connect() as conn:
        rows = await conn.scalar(select(func.count()).select_from(answers).where(answers.c.question_id == "Q1.1B"))
    assert rows == 1, "the second tap must not record a second answer"
    asked = [r.question_id for o in outcomes for r in o.replies if r.question_id]
    assert asked == ["Q1.1A"], "exactly one tap moved the conversation on; the other was a silent no-op"


async def test_one_users_concurrent_messages_apply_in_order(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    typed = ["4", "1", "2", "3", "1", "4"]
    await asyncio.gather(*(_say(engine, text, event_id=f"e{n}") for n, text in enumerate(typed)))
    assert await _stored(engine.db) == {
        "Q1.1B": "3", "Q1.1A": "0", "Q1.2B": "1", "Q1.3B": "2", "Q1.4B": "0", "Q2.1B": "3",
    }, "each message answered the question shown after the one before it"


async def test_a_crash_before_commit_loses_nothing_acknowledged(engine: Engine, clock, monkeypatch) -> None:
    await _joined(engine, clock)
    await _say(engine, "1", event_id="ok-1")  # acknowledged: Q1.1B

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(repo, "save_session", crash)
    with pytest.raises(RuntimeError):
        await _say(engine, "4", event_id="lost-2")
    monkeypatch.undo()
    assert await _stored(engine.db) == {"Q1.1B": "0"}, "the crashed event left nothing half-written"
    retried = await _say(engine, "4", event_id="lost-2")  # the platform redelivers it
    assert not retried.duplicate
    assert await _stored(engine.db) == {"Q1.1B": "0", "Q1.2B": "3"}


async def test_stickers_and_unknown_text_lose_nothing(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    await _say(engine, "4")
    sticker = await engine.handle(Inbound("line", "U1", Unsupported("sticker")))
    free_text = await _say(engine, "ไม่รู้สิ ขอคิดก่อน")
    assert "อ่านได้เฉพาะข้อความ" in sticker.replies[0].text and sticker.replies[-1].question_id == "Q1.1A"
    assert "ไม่เข้าใจ" in free_text.replies[0].text and free_text.replies[-1].question_id == "Q1.1A"
    assert await _stored(engine.db) == {"Q1.1B": "3"}


async def test_forget_erases_the_person(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    await _say(engine, "2")
    await _say(engine, "ลบข้อมูลของฉัน")
    done = await _say(engine, "ยืนยันลบข้อมูล")
    assert "ลบข้อมูลของท่านเรียบร้อย" in done.replies[0].text
    assert await _stored(engine.db) == {}
    async with engine.db.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(users)) == 0
    again = await _say(engine, "สวัสดี")
    assert "PMQA 4.0" in again.replies[0].text, "a forgotten person starts from the welcome"


async def test_a_new_round_starts_a_fresh_assessment(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    await _say(engine, "1")
    async with engine.db.transaction() as conn:
        agency = await repo.agency_by_code(conn, "AG")
        clock.advance(days=1)
        await repo.open_round(conn, "รอบ 2570", agency.id, date(2026, 11, 25), date(2027, 3, 31), clock())
    outcome = await _say(engine, "ทำต่อ")
    assert outcome.replies[-1].question_id == "Q1.1B"
    progress = await _say(engine, "ความคืบหน้า")
    assert "ตอบแล้ว 0 จาก" in progress.replies[0].text and "31 มี.ค. 2570" in progress.replies[0].text


async def test_the_summary_shows_the_change_since_the_persons_previous_round(engine: Engine, clock) -> None:
    await _joined(engine, clock)
    await _say(engine, "1")  # Q1.1B: ยังไม่มี
    async with engine.db.transaction() as conn:
        agency = await repo.agency_by_code(conn, "AG")
        clock.advance(days=1)
        await repo.open_round(conn, "รอบ 2570", agency.id, date(2026, 11, 25), date(2027, 3, 31), clock())
    await _say(engine, "ทำต่อ")
    await _say(engine, "4")  # Q1.1B in the new round: ครบทั่วทั้งองค์การ
    summary = next(r for r in (await _say(engine, "สรุป")).replies if r.summary)
    before, after = score(default_bank(), {"Q1.1B": "0"}), score(default_bank(), {"Q1.1B": "3"})
    rise = round(after.category(1).score) - round(before.category(1).score)
    assert f"หมวด 1 การนำองค์การ: {round(after.category(1).score)} ▲{rise}" in summary.text
    assert "▲▼ = เปลี่ยนจาก" in summary.text and "รอบ 2570" not in summary.text.split("▲▼ = เปลี่ยนจาก")[1]
