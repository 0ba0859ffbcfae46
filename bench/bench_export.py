"""The Excel export at national scale: 2,500 agencies under one parent × 10 officers, every officer through
a whole adaptive path (30–78 answers), 80 % submitted.

    python bench/bench_export.py [--agencies 2500] [--officers 10] [--database sqlite|postgresql|both]

Seeding uses bulk inserts.  The export runs in a child process (so its peak RSS is the export's alone)
with a 50 ms heartbeat task on the same event loop: the heartbeat's worst lateness is how long a chat
message would have waited while the export was being built.  For comparison the child also runs the
loader directly on the event loop, which is what `export_workbook` avoids.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bench.serving import scratch_database
from bot.demo import _random_answers
from criteria import default_bank
from storage.database import Database
from storage.migrate import upgrade
from storage.schema import agencies, answers, assessments, conversation_sessions, rounds, submissions, users

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
CHUNK = 20_000
HEARTBEAT = 0.05


async def seed(url: str, n_agencies: int, officers: int) -> tuple[int, int]:
    """(parent agency id, answer rows) after bulk-inserting the country."""
    bank = default_bank()
    rng = random.Random(2569)
    db = Database(url)
    await upgrade(db)
    try:
        async with db.transaction() as conn:
            await conn.execute(insert(agencies), [{"code": "TH", "name": "ประเทศไทย", "parent_id": None,
                                                   "created_at": NOW}])
            parent = int(await conn.scalar(select(agencies.c.id).where(agencies.c.code == "TH")) or 0)
            await conn.execute(insert(agencies), [
                {"code": f"AG{n:05d}", "name": f"สำนักงานทดสอบที่ {n} จังหวัดตัวอย่าง", "parent_id": parent,
                 "created_at": NOW} for n in range(1, n_agencies + 1)])
            await conn.execute(insert(rounds), [{"name": "รอบประเมิน 2570", "agency_id": parent,
                                                 "opens_on": date(2026, 11, 1), "closes_on": date(2027, 3, 31),
                                                 "created_at": NOW}])
            round_id = await conn.scalar(select(rounds.c.id))
            ids = [row.id for row in await conn.execute(select(agencies.c.id).where(agencies.c.parent_id == parent)
                                                        .order_by(agencies.c.id))]
            await conn.execute(insert(assessments), [
                {"agency_id": a, "round_id": round_id, "bank_id": bank.id, "bank_version": bank.version,
                 "created_at": NOW} for a in ids])
            await conn.execute(insert(users), [
                {"channel": "line", "channel_user_id": f"U{a:05d}{k:02d}{'f' * 24}", "display_name": f"เจ้าหน้าที่ {k}",
                 "role": "officer", "agency_id": a, "active": True, "created_at": NOW}
                for a in ids for k in range(1, officers + 1)])
            assessment_of = {row.agency_id: row.id for row in await conn.execute(select(assessments))}
            people = list(await conn.execute(select(users.c.id, users.c.agency_id)))
            rows: list[dict[str, Any]] = []
            total = 0
            for user_id, agency_id in people:
                given = _random_answers(bank, rng, rng.uniform(0.4, 1.0))
                rows += [{"assessment_id": assessment_of[agency_id], "user_id": user_id, "question_id": q,
                          "value": v, "answered_at": NOW, "set_aside": False} for q, v in given.items()]
                if len(rows) >= CHUNK:
                    total += len(rows)
                    await conn.execute(insert(answers), rows)
                    rows = []
            total += len(rows)
            if rows:
                await conn.execute(insert(answers), rows)
            await conn.execute(insert(conversation_sessions), [
                {"user_id": user_id, "assessment_id": assessment_of[agency_id], "phase": "done", "position": None,
                 "state": {}, "version": 1, "updated_at": NOW}
                for user_id, agency_id in people])
            await conn.execute(insert(submissions), [
                {"assessment_id": assessment_of[agency_id], "user_id": user_id, "submitted_at": NOW,
                 "reopened_at": None}
                for user_id, agency_id in people if rng.random() < 0.8])
        return parent, total
    finally:
        await db.dispose()


# The child: one export under a heartbeat ----------------------------------------------------------------


async def _heartbeat(worst: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        due = loop.time() + HEARTBEAT
        await asyncio.sleep(HEARTBEAT)
        worst[0] = max(worst[0], loop.time() - due)


async def _watched(work: Any) -> tuple[Any, float, float]:
    """(result, seconds, worst heartbeat lateness) of awaiting `work`."""
    worst, stop = [0.0], asyncio.Event()
    beat = asyncio.create_task(_heartbeat(worst, stop))
    await asyncio.sleep(HEARTBEAT * 2)
    started = time.perf_counter()
    result = await work
    elapsed = time.perf_counter() - started
    stop.set()
    await beat
    return result, elapsed, worst[0]


async def child(url: str, agency_id: int, mode: str) -> dict[str, Any]:
    from bot.export import build_workbook, export_workbook
    from storage.reporting import load_round_report

    bank = default_bank()
    db = Database(url)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        if mode == "export":
            exported, seconds, worst = await _watched(export_workbook(db, bank, agency_id, None, NOW))
            assert exported is not None
            out = Path(tempfile.gettempdir()) / exported[0]
            out.write_bytes(exported[1])
            figures = {"file": str(out), "bytes": len(exported[1])}
        else:  # the loader on the event loop, then the build alone (for the breakdown)
            async def load() -> Any:
                async with db.engine.connect() as conn:
                    return await load_round_report(conn, bank, agency_id, None, NOW)

            report, seconds, worst = await _watched(load())
            started = time.perf_counter()
            data = build_workbook(bank, report, generated_at=NOW, timezone="Asia/Bangkok")
            figures = {"build_seconds": time.perf_counter() - started, "bytes": len(data),
                       "respondents": sum(len(a.respondents) for a in report.agencies)}
    finally:
        await db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "worst_heartbeat_ms": worst * 1000, "baseline_mb": baseline / 1024,
            "peak_mb": peak / 1024, **figures}


def _run_child(url: str, agency_id: int, mode: str) -> dict[str, Any]:
    output = subprocess.run([sys.executable, __file__, "--child", url, str(agency_id), mode],
                            check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


async def bench(kind: str, n_agencies: int, officers: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        async with scratch_database(kind, Path(workdir)) as url:
            started = time.perf_counter()
            parent, total = await seed(url, n_agencies, officers)
            print(f"{kind}: seeded {n_agencies} agencies × {officers} officers, {total:,} answers "
                  f"in {time.perf_counter() - started:.0f} s")
            exported = await asyncio.to_thread(_run_child, url, parent, "export")
            print(f"  export_workbook: {exported['seconds']:.1f} s, peak RSS {exported['peak_mb']:.0f} MB "
                  f"(after imports {exported['baseline_mb']:.0f} MB), file {exported['bytes'] / 1e6:.1f} MB, "
                  f"heartbeat worst lateness {exported['worst_heartbeat_ms']:.0f} ms")
            split = await asyncio.to_thread(_run_child, url, parent, "split")
            print(f"  breakdown: loader on the event loop {split['seconds']:.1f} s (heartbeat worst lateness "
                  f"{split['worst_heartbeat_ms']:.0f} ms — what the worker thread avoids), "
                  f"build_workbook {split['build_seconds']:.1f} s; peak RSS {split['peak_mb']:.0f} MB")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, agency_id, mode = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        print(json.dumps(asyncio.run(child(url, agency_id, mode))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=2500)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        asyncio.run(bench(kind, args.agencies, args.officers))


if __name__ == "__main__":
    main()
