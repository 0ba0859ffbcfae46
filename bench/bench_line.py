"""LINE webhook latency under N concurrent officers, and push messages spent per assessment.

    python bench/bench_line.py [--users 50] [--database sqlite|postgresql]

A real uvicorn server on 127.0.0.1 runs the app; a fake LINE API (tests/fakes) answers the
bot's replies.  Each officer follows, consents, joins, answers the minimum path (30) and
submits — every step a signed webhook POST.  Latency is the webhook's response time (what LINE
waits for); replies are sent after the response.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serving import latency_line, scratch_database, seed_invite, serving  # bench/ is the script's folder

from tests.fakes.line_api import FakeLineApi
from tests.fakes.line_webhook import body, follow_event, postback_event, sign, text_event

SECRET = "bench-secret"
TOKEN = "bench-token"




async def _officer(http: httpx.AsyncClient, fake: FakeLineApi, user: str, code: str, latencies: list[float],
                   think: float) -> None:
    async def post(event: dict) -> None:
        raw = body(event)
        started = time.perf_counter()
        response = await http.post("/webhooks/line", content=raw, headers={"X-Line-Signature": sign(raw, SECRET)})
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()

    def last_actions() -> list[dict]:
        sent = fake.sent_to(user)
        if sent and sent[-1].get("quickReply"):
            return [i["action"] for i in sent[-1]["quickReply"]["items"]]
        return []

    async def answered_since(count: int) -> list[dict]:
        for _ in range(2000):  # replies go out just after the 200; wait for them
            if len(fake.sent_to(user)) > count and last_actions():
                return last_actions()
            await asyncio.sleep(0.005)
        raise TimeoutError(f"{user} got no answer")

    count = len(fake.sent_to(user))
    await post(follow_event(user, fake.issue_reply_token(user)))
    await answered_since(count)
    await post(postback_event(user, "c:accept", fake.issue_reply_token(user)))
    count = len(fake.sent_to(user))
    await post(text_event(user, code, fake.issue_reply_token(user)))
    while True:
        actions = await answered_since(count)
        target = next((a for a in actions if a["data"] == "c:submit"), actions[0])
        if think:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))
        count = len(fake.sent_to(user))
        await post(postback_event(user, target["data"], fake.issue_reply_token(user)))
        if target["data"] == "c:submit":
            return


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each officer takes to read a question before answering (0 = flat out)")
    args = parser.parse_args()
    async with scratch_database(args.database, Path(tempfile.mkdtemp())) as url, \
            FakeLineApi(access_token=TOKEN) as fake:
        env = {"LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": fake.base_url,
               "PMQA_PUBLIC_URL": "https://bench.invalid", "PMQA_DATABASE_URL": url}
        # The server runs in its own process, as in production; this process plays LINE and the phones.
        async with serving(env) as base:
            code = await seed_invite(url)
            latencies: list[float] = []
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                started = time.perf_counter()
                officers = [_officer(http, fake, f"U{n:032x}", code, latencies, args.think) for n in range(args.users)]
                await asyncio.gather(*officers)
                elapsed = time.perf_counter() - started
        completed = sum(1 for n in range(args.users)
                        if any(m.get("type") == "flex" for m in fake.sent_to(f"U{n:032x}")))
        print(f"LINE webhook, {args.database}, {args.users} concurrent officers, think {args.think:g} s: "
              f"{len(latencies)} webhooks in {elapsed:.1f} s; latency {latency_line(latencies)}")
        print(f"completed assessments: {completed}/{args.users}; push messages spent: {fake.push_count} "
              f"({fake.push_count / max(completed, 1):.2f} per completed assessment); "
              f"LINE limit violations: {len(fake.violations)}")

if __name__ == "__main__":
    asyncio.run(main())
