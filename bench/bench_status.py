"""A national coordinator's สถานะ and เตือน preview: 2,500 agencies × 10 officers with answers (the country),
timed end to end through `Coordination`, with the event loop's worst delay (a 50 ms heartbeat) meanwhile.

    python bench/bench_status.py [--agencies 2500] [--officers 10] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_export import seed  # bench/ is the script's folder
from serving import scratch_database

from bot.coordination import Coordination
from conversations.coordinating import RemindPreview, StatusRequest
from criteria import default_bank
from storage import repository as repo
from storage.database import Database

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


async def _heartbeat(worst: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.05)
        worst[0] = max(worst[0], time.perf_counter() - started - 0.05)


async def _timed(label: str, work: object) -> None:
    worst, stop = [0.0], asyncio.Event()
    beat = asyncio.create_task(_heartbeat(worst, stop))
    started = time.perf_counter()
    reply = await work  # type: ignore[misc]
    elapsed = time.perf_counter() - started
    stop.set()
    await beat
    print(f"  {label:28} {elapsed:6.2f} s, loop worst delay {worst[0] * 1000:5.0f} ms, reply {len(reply)} chars",
          flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=2500)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        async with scratch_database(args.database, Path(workdir)) as url:
            country, answers = await seed(url, args.agencies, args.officers)
            db = Database(url)
            try:
                async with db.transaction() as conn:
                    user = await repo.create_user(conn, "line", "U-coordinator", "ผู้ประสานงานระดับประเทศ", NOW,
                                                  role="coordinator", agency_id=country)
                coordination = Coordination(default_bank(), "Asia/Bangkok")
                print(f"{args.database}: {args.agencies} agencies × {args.officers} officers, {answers} answers")

                async def status() -> str:
                    async with db.read() as conn:
                        return (await coordination.answer(conn, user, StatusRequest(None), NOW)).replies[0].text

                async def preview() -> str:
                    async with db.transaction() as conn:
                        return (await coordination.answer(conn, user, RemindPreview(None), NOW)).replies[0].text

                await _timed("สถานะ (whole country)", status())
                await _timed("เตือน preview (whole country)", preview())
            finally:
                await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
