"""Reminders: the schedule under a fixed clock, caps and quiet hours, concurrent sweeps, crash resume,
and fan-outs of 2,000 people through the real SDKs to fakes that enforce the platforms' rate limits."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from bot.line.reminders import LineReminderSender
from bot.line.sender import LineSender
from bot.reminders import Reminders, SendResult, due_slot
from bot.telegram.reminders import TelegramReminderSender
from criteria import default_bank
from storage.database import Database
from storage.schema import reminder_sends, reminders, rounds, users
from tests.bot.coordination_world import BANGKOK, World, build_world
from tests.conftest import Clock
from tests.fakes.line_api import FakeLineApi
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "test-token"
TG_TOKEN = "123456:reminders"


class RecordingSender:
    """A platform that accepts everything and remembers who got what (for schedule tests)."""

    def __init__(self, batch_size: int = 500, idempotent: bool = True) -> None:
        self.batch_size = batch_size
        self.idempotent = idempotent
        self.received: list[tuple[str, str]] = []

    async def send(self, recipients: Sequence[str], text: str, retry_key: str) -> SendResult:
        self.received += [(r, text) for r in recipients]
        return SendResult(sent=frozenset(recipients))

    def who(self) -> Counter[str]:
        return Counter(r for r, _ in self.received)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """Bangkok wall time, `day_offset` days after the test clock's day (24 Nov 2026)."""
    base = datetime(2026, 11, 24, hour, minute, tzinfo=BANGKOK) + timedelta(days=day_offset)
    return base.astimezone(UTC)


@pytest.fixture
async def world(database: Database, clock: Clock) -> World:
    world = await build_world(database, clock)  # rounds close on day 10
    await world.join("C-PROV", "coord-prov", "ผู้ประสานงานจังหวัด")
    for user, invite, name in (("O-A1", "off-a1", "สมชาย"), ("O-A2", "off-a2", "สมหญิง"), ("O-B1", "off-b1", "คนนอก")):
        await world.join(user, invite, name)
    return world


def _reminders(world: World, sender: RecordingSender) -> Reminders:
    return Reminders(world.db, default_bank(), world.clock, "Asia/Bangkok", {"line": sender})  # type: ignore[arg-type]


def test_slots_are_7_3_and_1_days_before_closing_at_nine() -> None:
    opens, closes = date(2026, 11, 1), date(2026, 11, 30)
    assert due_slot(opens, closes, datetime(2026, 11, 23, 8, 59, tzinfo=BANGKOK)) is None
    assert due_slot(opens, closes, datetime(2026, 11, 23, 9, 0, tzinfo=BANGKOK)) == closes - timedelta(days=7)
    assert due_slot(opens, closes, datetime(2026, 11, 28, 12, 0, tzinfo=BANGKOK)) == closes - timedelta(days=3)
    assert due_slot(opens, closes, datetime(2026, 11, 30, 19, 0, tzinfo=BANGKOK)) == closes - timedelta(days=1)
    assert due_slot(opens, closes, datetime(2026, 12, 1, 9, 0, tzinfo=BANGKOK)) is None  # closed
    # a round opened two days before closing only gets the last reminder
    assert due_slot(closes - timedelta(days=2), closes, datetime(2026, 11, 29, 9, 0, tzinfo=BANGKOK)) == \
        closes - timedelta(days=1)


async def test_the_schedule_reaches_only_those_who_have_not_finished(world: World, clock: Clock) -> None:
    await world.answer_all("O-A2")  # finished: never reminded
    await world.answer_all("O-A1", submit=False)  # answered everything but did not submit: reminded
    sender = RecordingSender()
    service = _reminders(world, sender)
    clock.now = at(3, 8, 59)
    await service.sweep()
    assert sender.received == []  # 7 days before closing is day 3, at 09:00
    clock.now = at(3, 9, 0)
    report = await service.sweep()
    assert sender.who() == Counter({"O-A1": 1, "O-B1": 1})
    assert report.sent == 2
    assert all("ปิดรับ 4 ธ.ค. 2569 (อีก 7 วัน)" in text for _, text in sender.received)
    clock.now = at(3, 15, 0)
    await service.sweep()  # the same slot again: nothing new
    assert sender.who() == Counter({"O-A1": 1, "O-B1": 1})
    for day in (7, 9):  # 3 days and 1 day before closing
        clock.now = at(day, 9, 30)
        await service.sweep()
    assert sender.who() == Counter({"O-A1": 3, "O-B1": 3})
    assert "วันสุดท้าย" not in sender.received[-1][1] and "(อีก 1 วัน)" in sender.received[-1][1]


async def test_quiet_hours_defer_and_a_missed_slot_is_sent_in_the_morning(world: World, clock: Clock) -> None:
    sender = RecordingSender()
    service = _reminders(world, sender)
    clock.now = at(3, 21, 0)  # the server was down at 09:00; it is evening now
    report = await service.sweep()
    assert report.deferred and sender.received == []
    clock.now = at(4, 7, 59)
    assert (await service.sweep()).deferred
    clock.now = at(4, 8, 0)
    await service.sweep()
    assert sender.who() == Counter({"O-A1": 1, "O-A2": 1, "O-B1": 1})


async def test_at_most_one_a_day_and_three_a_round(world: World, clock: Clock) -> None:
    sender = RecordingSender()
    service = _reminders(world, sender)
    world.engine.on_reminder_due = None
    clock.now = at(3, 9, 0)
    await service.sweep()  # automatic: everyone once
    clock.now = at(3, 10, 0)
    preview = await world.say("C-PROV", "เตือน ช่วยทำให้เสร็จด้วยนะคะ")
    assert preview.endswith("ยังส่งคำเตือนไม่ได้ค่ะ: 2 คนได้รับคำเตือนวันนี้แล้วหรือครบ 3 ครั้งในรอบนี้")
    clock.now = at(4, 10, 0)
    preview = await world.say("C-PROV", "เตือน ช่วยทำให้เสร็จด้วยนะคะ")
    assert "ส่งถึง 2 คน" in preview
    assert "ข้อความจากผู้ประสานงาน: ช่วยทำให้เสร็จด้วยนะคะ" in preview
    assert "รับคำสั่งแล้ว" in await world.say("C-PROV", "ยืนยัน")
    await service.sweep()
    assert sender.who() == Counter({"O-A1": 2, "O-A2": 2, "O-B1": 1})
    clock.now = at(7, 9, 0)
    await service.sweep()  # third for A1/A2, second for B1
    clock.now = at(9, 9, 0)
    await service.sweep()  # A1/A2 already had three this round
    assert sender.who() == Counter({"O-A1": 3, "O-A2": 3, "O-B1": 3})


async def test_a_later_deadline_moves_the_schedule(world: World, clock: Clock) -> None:
    sender = RecordingSender()
    service = _reminders(world, sender)
    clock.now = at(2, 10, 0)
    reply = await world.say("C-PROV", f"รอบ เลื่อน {world.rounds['PROV']} 14/12/2569")  # closes day 20 instead of 10
    assert "14 ธ.ค. 2569" in reply
    clock.now = at(3, 9, 0)
    await service.sweep()
    assert sender.who() == Counter({"O-B1": 1})  # only the other province still closes on day 10
    clock.now = at(13, 9, 0)
    await service.sweep()
    assert sender.who()["O-A1"] == 1 and "ปิดรับ 14 ธ.ค. 2569 (อีก 7 วัน)" in sender.received[-1][1]


async def test_a_reminder_confirmed_at_night_waits_for_the_morning(world: World, clock: Clock) -> None:
    sender = RecordingSender()
    service = _reminders(world, sender)
    clock.now = at(1, 21, 30)
    preview = await world.say("C-PROV", "เตือน")
    assert "08:00" in preview
    assert "08:00" in await world.say("C-PROV", "ใช่")
    await service.sweep()
    assert sender.received == []
    clock.now = at(2, 8, 5)
    await service.sweep()
    assert sender.who() == Counter({"O-A1": 1, "O-A2": 1})


async def test_two_concurrent_sweeps_send_each_reminder_once(world: World, clock: Clock) -> None:
    """Two workers (two Database objects with their own pools, as two processes have) sweep at once."""
    await _add_officers(world, 300, channel="line")
    senders = [RecordingSender(batch_size=50), RecordingSender(batch_size=50)]
    other_db = world.db.another()
    workers = [Reminders(db, default_bank(), clock, "Asia/Bangkok", {"line": sender})
               for db, sender in zip((world.db, other_db), senders, strict=True)]
    clock.now = at(3, 9, 0)
    try:
        await asyncio.gather(*(w.sweep() for w in workers))
    finally:
        await other_db.dispose()
    together = senders[0].who() + senders[1].who()
    assert len(together) == 303 and set(together.values()) == {1}


async def _add_officers(world: World, count: int, *, channel: str, agency: str = "A1") -> list[str]:
    now = world.clock()  # type: ignore[operator]
    ids = [f"{channel}-{n}" if channel == "line" else str(700_000 + n) for n in range(count)]
    async with world.db.transaction() as conn:
        await conn.execute(insert(users), [
            {"channel": channel, "channel_user_id": uid, "display_name": f"ผู้ตอบ {n}", "role": "officer",
             "agency_id": world.agencies[agency], "categories": None, "consent_at": now, "active": True,
             "created_at": now} for n, uid in enumerate(ids)])
    return ids


# Fan-out to the real SDKs against fakes that enforce the limits ------------------------------------------


@pytest.fixture
async def line_fake() -> AsyncIterator[FakeLineApi]:
    async with FakeLineApi(access_token=TOKEN, rate_limits={"/v2/bot/message/multicast": 200}) as fake:
        yield fake


async def _line_sender(fake: FakeLineApi) -> tuple[LineReminderSender, object]:
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

    client = AsyncApiClient(Configuration(host=fake.base_url, access_token=TOKEN))
    return LineReminderSender(LineSender(AsyncMessagingApi(client), backoff=0.05)), client


async def test_line_fan_out_to_2000_reaches_everyone_once(world: World, clock: Clock,
                                                          line_fake: FakeLineApi) -> None:
    people = await _add_officers(world, 2000, channel="line")
    sender, client = await _line_sender(line_fake)
    line_fake.fail_next("/v2/bot/message/multicast", 500)  # retried with the same retry key
    line_fake.fail_next("/v2/bot/message/multicast", 429, retry_after=0)
    service = Reminders(world.db, default_bank(), clock, "Asia/Bangkok", {"line": sender})
    clock.now = at(3, 9, 0)
    try:
        report = await service.sweep()
    finally:
        await client.close()  # type: ignore[attr-defined]
    delivered = Counter(d.to for d in line_fake.deliveries if d.kind == "multicast")
    assert all(delivered[p] == 1 for p in people)
    # 2,002 in the province round in batches of ≤ 500 (5), and the other province's one officer (1)
    calls = line_fake.calls_to("/multicast")
    assert len([c for c in calls if c.status == 200]) == 6
    keys = [c.headers["x-line-retry-key"] for c in calls]
    assert len(set(keys)) == 6 and keys[0] == keys[1] == keys[2], "a retry repeats its batch's key"
    assert line_fake.refused == [] and line_fake.violations == []
    assert report.sent == 2003
    assert all(call.headers.get("x-line-retry-key") for call in line_fake.calls_to("/multicast"))


async def test_telegram_fan_out_to_2000_is_paced_and_skips_those_who_blocked(
        world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    from telegram.ext import ExtBot

    from bot.telegram.limits import ChatRateLimiter

    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    people = await _add_officers(world, 2000, channel="telegram")
    # The fake refuses anything over its window; the real limit (30/s) is used by the benchmark — here both
    # sides are scaled up together so the test takes seconds, not a minute.
    async with FakeTelegramApi(token=TG_TOKEN, enforce_rate_limits=True, global_per_second=400) as fake:
        fake.block_chat(int(people[7]))
        fake.fail_next("sendMessage", 502, times=2)  # a gateway hiccup: retried with backoff
        bot = ExtBot(TG_TOKEN, base_url=fake.api_base_url, rate_limiter=ChatRateLimiter(overall_per_second=380))
        async with bot:
            service = Reminders(world.db, default_bank(), clock, "Asia/Bangkok",
                                {"telegram": TelegramReminderSender(bot, backoff=0.05)})
            clock.now = at(3, 9, 0)
            report = await service.sweep()
        assert fake.refused == []
        for person in people:
            expected = 0 if person == people[7] else 1
            assert len(fake.sent_texts(int(person))) == expected, person
        assert fake.messages(int(people[0]))[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == \
            "c:resume"
    assert report.sent == 1999 and report.blocked == 1
    async with world.db.engine.connect() as conn:
        assert await conn.scalar(select(users.c.active).where(users.c.channel_user_id == people[7])) is False


async def test_a_crash_mid_fan_out_resumes_without_double_sends(world: World, clock: Clock,
                                                                line_fake: FakeLineApi) -> None:
    people = await _add_officers(world, 1200, channel="line")
    real, client = await _line_sender(line_fake)

    class CrashAfterSecondBatch:
        batch_size, idempotent, calls = real.batch_size, True, 0

        async def send(self, recipients: Sequence[str], text: str, retry_key: str) -> SendResult:
            self.calls += 1
            result = await real.send(recipients, text, retry_key)
            if self.calls == 2:  # delivered, but the worker dies before recording it
                raise SystemExit("worker killed")
            return result

    clock.now = at(3, 9, 0)
    try:
        with pytest.raises(SystemExit):
            await Reminders(world.db, default_bank(), clock, "Asia/Bangkok",
                            {"line": CrashAfterSecondBatch()}).sweep()  # type: ignore[dict-item]
        async with world.db.engine.connect() as conn:
            states = Counter(row.status for row in await conn.execute(select(reminder_sends.c.status)))
        assert states["sent"] == 500 and states["sending"] == 500
        clock.advance(minutes=6)  # the dead worker's lease runs out
        report = await Reminders(world.db, default_bank(), clock, "Asia/Bangkok", {"line": real}).sweep()
    finally:
        await client.close()  # type: ignore[attr-defined]
    delivered = Counter(d.to for d in line_fake.deliveries if d.kind == "multicast")
    assert all(delivered[p] == 1 for p in people)  # the resent batch was recognised by its retry key (409)
    assert report.sent == 703  # the batch in flight (500), the rest of the province (202), the other (1)
    async with world.db.engine.connect() as conn:
        assert set(await conn.scalars(select(reminders.c.status))) == {"done"}


async def test_telegram_crash_mid_batch_is_not_resent(world: World, clock: Clock) -> None:
    """Telegram cannot tell what arrived: a batch cut short is marked unknown, never sent twice."""
    sender = RecordingSender(batch_size=1, idempotent=False)

    class Dies(RecordingSender):
        async def send(self, recipients: Sequence[str], text: str, retry_key: str) -> SendResult:
            await super().send(recipients, text, retry_key)
            raise SystemExit("worker killed")

    async with world.db.transaction() as conn:
        await conn.execute(update(users).where(users.c.channel == "line").values(channel="telegram"))
    dying = Dies(batch_size=1, idempotent=False)
    clock.now = at(3, 9, 0)
    with pytest.raises(SystemExit):
        await Reminders(world.db, default_bank(), clock, "Asia/Bangkok", {"telegram": dying}).sweep()  # type: ignore[dict-item]
    clock.advance(minutes=6)
    report = await Reminders(world.db, default_bank(), clock, "Asia/Bangkok", {"telegram": sender}).sweep()  # type: ignore[dict-item]
    together = dying.who() + sender.who()
    assert set(together.values()) == {1} and len(together) == 3
    assert report.unknown == 1


async def test_a_closed_round_is_not_reminded(world: World, clock: Clock) -> None:
    sender = RecordingSender()
    async with world.db.transaction() as conn:
        await conn.execute(update(rounds).values(closed_at=world.clock()))  # type: ignore[operator]
    clock.now = at(3, 9, 0)
    await _reminders(world, sender).sweep()
    assert sender.received == []


async def test_a_worker_without_chat_apps_leaves_reminders_for_one_that_has_them(world: World, clock: Clock) -> None:
    clock.now = at(3, 9, 0)
    await Reminders(world.db, default_bank(), clock, "Asia/Bangkok", {}).sweep()
    sender = RecordingSender()
    await _reminders(world, sender).sweep()
    assert sender.who() == Counter({"O-A1": 1, "O-A2": 1, "O-B1": 1})
