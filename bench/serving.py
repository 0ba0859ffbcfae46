"""What the channel benchmarks share: a scratch database, `pmqa-bot serve` in its own process, an
agency with an open round and an invite code, and the latency summary."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import invite_codes
from storage import repository as repo
from storage.database import Database

POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def _postgres(statement: str) -> None:
    admin = Database(POSTGRES_ADMIN_URL)
    try:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@asynccontextmanager
async def scratch_database(kind: str, workdir: Path) -> AsyncIterator[str]:
    """A database URL for one run: a SQLite file in `workdir`, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        return
    name = f"bench_{os.getpid()}"
    await _postgres(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await _postgres(f'DROP DATABASE "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def serving(env: dict[str, str]) -> AsyncIterator[str]:
    """`pmqa-bot serve` in its own process, as in production; yields its base URL once healthy.

    The caller's loop keeps running the fake platform API while the server starts and stops.
    """
    port = _free_port()
    workdir = tempfile.mkdtemp()
    server = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, waited for in a thread below
        [sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=workdir,
        env={**os.environ, **env, "PMQA_LOG_LEVEL": "WARNING"})
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(300):
                try:
                    if (await probe.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield base
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait, 30)


async def seed_invite(url: str) -> str:
    """An agency with a year-long open round; returns an invite code for many officers."""
    db = Database(url)
    now = datetime.now().astimezone()
    try:
        async with db.transaction() as conn:
            agency = await repo.add_agency(conn, "BENCH", "หน่วยงานทดสอบ", None, now)
            await repo.open_round(conn, "รอบทดสอบ", agency, now.date(), now.date().replace(year=now.year + 1), now)
            return await invite_codes.create_invite(conn, agency, "officer", now, uses=100_000, days=30)
    finally:
        await db.dispose()


def latency_line(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    return f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
