"""Reminder fan-out to 2,000 officers who have not finished, on each platform, against fakes that enforce
the platforms' limits (LINE: multicast ≤ 500 ids and 200 requests/s; Telegram: 30 messages/s overall),
compared with the least time those limits allow.

    python bench/bench_reminders.py [--people 2000] [--backends sqlite postgresql] [--platforms line telegram]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serving import scratch_database  # bench/ is the script's folder
from sqlalchemy import insert

from bot.line.reminders import LineReminderSender
from bot.line.sender import LineSender
from bot.reminders import ChannelSender, Reminders
from criteria import default_bank
from storage import repository as repo
from storage.database import Database
from storage.migrate import upgrade
from storage.schema import users
from tests.fakes.line_api import FakeLineApi
from tests.fakes.telegram_api import FakeTelegramApi

BANGKOK = ZoneInfo("Asia/Bangkok")
LINE_MULTICAST_PER_SECOND = 200
TELEGRAM_PER_SECOND = 30.0
TG_TOKEN = "123456:bench"


async def _seed(db: Database, people: int, channel: str, now: datetime) -> None:
    async with db.transaction() as conn:
        agency = await repo.add_agency(conn, "AG", "สำนักงานเกษตรจังหวัด", None, now)
        today = now.astimezone(BANGKOK).date()
        await repo.open_round(conn, "รอบประเมิน", agency, today - timedelta(days=20), today + timedelta(days=7), now)
        ids = [f"U{n:032x}" if channel == "line" else str(900_000 + n) for n in range(people)]
        rows = [{"channel": channel, "channel_user_id": uid, "display_name": f"ผู้ตอบ {n}", "role": "officer",
                 "agency_id": agency, "categories": None, "consent_at": now, "active": True, "created_at": now}
                for n, uid in enumerate(ids)]
        for start in range(0, len(rows), 1000):
            await conn.execute(insert(users), rows[start:start + 1000])


async def _run(backend: str, platform: str, people: int) -> str:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=BANGKOK).astimezone(UTC)
    with tempfile.TemporaryDirectory() as workdir:
        async with scratch_database(backend, Path(workdir)) as url:
            db = Database(url)
            try:
                await upgrade(db)
                await _seed(db, people, platform, now)
                if platform == "line":
                    return await _line(db, people, now, backend)
                return await _telegram(db, people, now, backend)
            finally:
                await db.dispose()


async def _sweep(db: Database, sender: ChannelSender, platform: str, now: datetime) -> tuple[float, object]:
    service = Reminders(db, default_bank(), lambda: now, "Asia/Bangkok", {platform: sender})
    started = time.perf_counter()
    report = await service.sweep()
    return time.perf_counter() - started, report


async def _line(db: Database, people: int, now: datetime, backend: str) -> str:
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

    async with FakeLineApi(rate_limits={"/v2/bot/message/multicast": LINE_MULTICAST_PER_SECOND}) as fake:
        client = AsyncApiClient(Configuration(host=fake.base_url, access_token="test-token"))
        try:
            sender = LineReminderSender(LineSender(AsyncMessagingApi(client)))
            elapsed, report = await _sweep(db, sender, "line", now)
        finally:
            await client.close()
        requests = math.ceil(people / 500)
        floor = (requests - 1) / LINE_MULTICAST_PER_SECOND
        reached = len({d.to for d in fake.deliveries})
        return (f"LINE     {backend:10} {people} people: {elapsed:6.2f} s, {requests} multicasts, "
                f"minimum the limits allow {floor:.3f} s; reached {reached}, refused {len(fake.refused)}, "
                f"report {report}")


async def _telegram(db: Database, people: int, now: datetime, backend: str) -> str:
    from telegram.ext import ExtBot

    from bot.telegram.limits import ChatRateLimiter
    from bot.telegram.reminders import TelegramReminderSender

    os.environ.setdefault("PTB_TIMEDELTA", "true")
    async with FakeTelegramApi(token=TG_TOKEN, enforce_rate_limits=True,
                               global_per_second=TELEGRAM_PER_SECOND) as fake:
        bot = ExtBot(TG_TOKEN, base_url=fake.api_base_url,
                     rate_limiter=ChatRateLimiter(overall_per_second=TELEGRAM_PER_SECOND))
        async with bot:
            elapsed, report = await _sweep(db, TelegramReminderSender(bot), "telegram", now)
        floor = (people - 1) / TELEGRAM_PER_SECOND
        sent = len(fake.calls_of("sendMessage")) - len(fake.refused)
        return (f"Telegram {backend:10} {people} people: {elapsed:6.2f} s, minimum the limits allow {floor:.1f} s "
                f"({elapsed / floor:.3f}×); delivered {sent}, refused {len(fake.refused)}, report {report}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--platforms", nargs="+", default=["line", "telegram"])
    args = parser.parse_args()
    for platform in args.platforms:
        for backend in args.backends:
            print(await _run(backend, platform, args.people), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
