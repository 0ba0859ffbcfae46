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
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import repository as repo
from storage.database import Database
from tests.fakes.line_api import FakeLineApi
from tests.fakes.line_webhook import body, follow_event, postback_event, sign, text_event

SECRET = "bench-secret"
TOKEN = "bench-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    workdir = tempfile.mkdtemp()
    schema = f"bench_line_{os.getpid()}"
    if args.database == "sqlite":
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}"
    else:
        admin = Database("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{schema}"'))
        await admin.dispose()
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{schema}"
    async with FakeLineApi(access_token=TOKEN) as fake:
        os.environ.update({"LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
                           "LINE_API_BASE_URL": fake.base_url, "PMQA_PUBLIC_URL": "https://bench.invalid",
                           "PMQA_DATABASE_URL": url})
        port = _free_port()
        # The server runs in its own process, as in production; this process plays LINE and the phones.
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=workdir,  # noqa: ASYNC220
                                  env={**os.environ, "PMQA_LOG_LEVEL": "WARNING"})
        async with httpx.AsyncClient() as probe:
            for _ in range(200):
                try:
                    if (await probe.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        db = Database(url)
        now = repo.datetime.now(repo.datetime.now().astimezone().tzinfo)
        async with db.transaction() as conn:
            agency = await repo.add_agency(conn, "BENCH", "หน่วยงานทดสอบ", None, now)
            await repo.open_round(conn, "รอบทดสอบ", agency, now.date(), now.date().replace(year=now.year + 1), now)
            code = await repo.create_invite(conn, agency, "officer", now, uses=100_000, days=30)
        await db.dispose()
        latencies: list[float] = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            started = time.perf_counter()
            officers = [_officer(http, fake, f"U{n:032x}", code, latencies, args.think) for n in range(args.users)]
            await asyncio.gather(*officers)
            elapsed = time.perf_counter() - started
        server.terminate()
        await asyncio.to_thread(server.wait, 30)  # the loop must keep serving the fake meanwhile
        latencies.sort()
        completed = sum(1 for n in range(args.users)
                        if any(m.get("type") == "flex" for m in fake.sent_to(f"U{n:032x}")))
        print(f"LINE webhook, {args.database}, {args.users} concurrent officers, think {args.think:g} s: "
              f"{len(latencies)} webhooks in "
              f"{elapsed:.1f} s; latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
        print(f"completed assessments: {completed}/{args.users}; push messages spent: {fake.push_count} "
              f"({fake.push_count / max(completed, 1):.2f} per completed assessment); "
              f"LINE limit violations: {len(fake.violations)}")
    if args.database == "postgresql":
        admin = Database("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{schema}" WITH (FORCE)'))
        await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
