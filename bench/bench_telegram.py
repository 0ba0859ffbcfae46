"""Telegram: time from an update to the bot's answer under N concurrent users.

    python bench/bench_telegram.py [--users 50] [--think 3] [--database sqlite|postgresql]

`pmqa-bot serve` runs in its own process in webhook mode; this process plays the Telegram Bot
API (tests/fakes) and the users.  In webhook mode the bot handles an update and sends its answer
before returning 200, so the webhook's response time is the time to the answer.  Each user
starts, consents, joins, answers the minimum path (30) with inline buttons and submits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serving import latency_line, scratch_database, seed_invite, serving  # bench/ is the script's folder

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import callback_update, message_update

TOKEN = "123456:BENCH-TOKEN"
SECRET = "bench-secret"




async def _user(http: httpx.AsyncClient, fake: FakeTelegramApi, chat: int, code: str, latencies: list[float],
                think: float) -> bool:
    async def post(update: dict) -> None:
        fake.observe(update)
        started = time.perf_counter()
        response = await http.post("/webhooks/telegram", content=json.dumps(update),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()

    def keyboard() -> tuple[int, list[dict]]:
        for message in reversed(fake.messages(chat)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return message["message_id"], [b for row in rows for b in row]
        raise AssertionError("no keyboard")

    await post(message_update(chat, "/start"))
    message_id, buttons = keyboard()
    await post(callback_update(chat, buttons[0]["callback_data"], message_id,
                               message_text=fake.message(chat, message_id)["text"]))
    await post(message_update(chat, code))
    for _ in range(40):
        message_id, buttons = keyboard()
        button = next((b for b in buttons if b["callback_data"] == "c:submit"), buttons[0])
        if think:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))
        await post(callback_update(chat, button["callback_data"], message_id,
                                   message_text=fake.message(chat, message_id)["text"]))
        if button["callback_data"] == "c:submit":
            return True
    return False


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=3.0)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    async with scratch_database(args.database, Path(tempfile.mkdtemp())) as url, \
            FakeTelegramApi(token=TOKEN) as fake:
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
               "TELEGRAM_WEBHOOK_SECRET": SECRET, "PMQA_PUBLIC_URL": "https://bench.invalid",
               "PMQA_DATABASE_URL": url, "PTB_TIMEDELTA": "true"}
        async with serving(env) as base:
            code = await seed_invite(url)
            latencies: list[float] = []
            async with httpx.AsyncClient(base_url=base, timeout=120) as http:
                started = time.perf_counter()
                users = [_user(http, fake, 50_000 + n, code, latencies, args.think) for n in range(args.users)]
                done = await asyncio.gather(*users)
                elapsed = time.perf_counter() - started
        print(f"Telegram webhook, {args.database}, {args.users} concurrent users, think {args.think:g} s: "
              f"{len(latencies)} updates in {elapsed:.1f} s; update → answer {latency_line(latencies)}")
        print(f"completed assessments: {sum(done)}/{args.users}; limit violations: {len(fake.violations)}; "
              f"429s: {len(fake.refused)}")

if __name__ == "__main__":
    asyncio.run(main())
