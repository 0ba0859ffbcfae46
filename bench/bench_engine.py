"""Events per second through the engine (SQLite and PostgreSQL), and `pmqa-bot chat` start-up time.

    python bench/bench_engine.py [--users 20] [--answers 30] [--postgres URL]

Each simulated officer joins, then answers questions one event at a time; users run
concurrently (as webhook requests would), each user's events in order.  Figures are
printed, not asserted: timed tests flake on shared machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from bot.engine import Engine, Inbound
from conversations import Start, Text
from criteria import default_bank
from storage import invite_codes
from storage import repository as repo
from storage.database import Database
from storage.migrate import upgrade


async def _prepare(db: Database) -> str:
    await upgrade(db)
    from bot.engine import utc_now

    now = utc_now()
    async with db.transaction() as conn:
        agency = await repo.add_agency(conn, f"B{time.monotonic_ns()}", "หน่วยงานทดสอบความเร็ว", None, now)
        await repo.open_round(conn, "รอบทดสอบ", agency, date(2020, 1, 1), date(2099, 1, 1), now)
        return await invite_codes.create_invite(conn, agency, "officer", now, uses=100_000, days=30)


async def _officer(engine: Engine, user: str, code: str, answers: int, latencies: list[float]) -> None:
    events = [Start(), Text("ยอมรับ"), Text(code)] + [Text("3") for _ in range(answers)]
    for n, event in enumerate(events):
        started = time.perf_counter()
        await engine.handle(Inbound("bench", user, event, event_id=f"{user}-{n}"))
        latencies.append(time.perf_counter() - started)


async def run_engine(url: str, users: int, answers: int, connect_args: dict | None = None) -> dict[str, float]:
    db = Database(url, connect_args=connect_args)
    try:
        code = await _prepare(db)
        engine = Engine(db, default_bank())
        latencies: list[float] = []
        prefix = f"u{time.monotonic_ns()}"
        started = time.perf_counter()
        await asyncio.gather(*(_officer(engine, f"{prefix}-{n}", code, answers, latencies) for n in range(users)))
        elapsed = time.perf_counter() - started
    finally:
        await db.dispose()
    latencies.sort()
    return {
        "events": len(latencies),
        "seconds": elapsed,
        "events_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def chat_startup(runs: int = 5) -> list[float]:
    """Seconds from launching `pmqa-bot chat` to the first question on screen (returning user)."""
    with tempfile.TemporaryDirectory() as workdir:
        command = [sys.executable, "-m", "bot", "chat", "--user", "bench"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PMQA_")}
        subprocess.run(command, input="ยอมรับ\nDEMO\n", text=True, cwd=workdir, env=env, capture_output=True,
                       check=True)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=workdir,
                                    env=env)
            assert proc.stdout is not None and proc.stdin is not None
            for line in proc.stdout:
                if "1) ยังไม่มี" in line:
                    times.append(time.perf_counter() - started)
                    break
            proc.stdin.close()
            proc.wait()
            proc.stdout.close()
    return times


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--answers", type=int, default=30)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        sqlite = await run_engine(f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}", args.users, args.answers)
    print(_line("SQLite", sqlite))

    schema = f"bench_{os.getpid()}"
    admin = Database(args.postgres)
    try:
        async with admin.transaction() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OSError as error:
        print(f"PostgreSQL: skipped ({error})")
    else:
        try:
            pg = await run_engine(args.postgres, args.users, args.answers,
                                  {"server_settings": {"search_path": schema}})
            print(_line("PostgreSQL", pg))
        finally:
            async with admin.transaction() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()

    startup = chat_startup()
    print(f"pmqa-bot chat → first question: median {statistics.median(startup) * 1000:.0f} ms "
          f"(min {min(startup) * 1000:.0f}, max {max(startup) * 1000:.0f}, {len(startup)} runs)")


def _line(name: str, figures: dict[str, float]) -> str:
    return (f"{name:<10} {figures['events']:.0f} events in {figures['seconds']:.2f} s = "
            f"{figures['events_per_s']:.0f} events/s; latency p50 {figures['p50_ms']:.1f} ms, "
            f"p99 {figures['p99_ms']:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
