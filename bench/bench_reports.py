"""Time a national coordinator's summary: load the report, compute the replies, draw the charts.

Run:  python bench/bench_reports.py [--db sqlite|postgresql|both] [--provinces 50] [--per-province 49]
                                    [--officers 10] [--no-previous]

Seeds a scratch database in bulk (sqlite3 executemany / asyncpg COPY): a country, `provinces` provinces
with `per-province` agencies each (2,500 agencies by default), `officers` officers in every agency, each
with a full answer set of 78 questions in the current round — and, unless --no-previous, in the previous
round too (3.9 million answer rows by default).  Then times, on a warm database:

* load_round_report for the whole country, one province and one agency;
* province_summary_replies for the country (pure: 25,000 respondents aggregated and scored);
* the radar, the 30-bar chart the chat sends, and, for comparison, one bar per agency (2,500 bars).

Not a test: the figures depend on the machine.  The chat shows the 30 weakest agencies because 2,500
bars in a 4,000 px image are 1.5 px rows — no name can be read — while the 30 weakest are the ones a
national coordinator calls; the full table goes to the export.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import scratch_database
from bot.charts import bar_png
from bot.media import chart_png
from conversations.model import Chart
from conversations.reporting import province_summary_replies
from criteria import default_bank
from storage.database import Database
from storage.migrate import upgrade
from storage.reporting import load_round_report

BANK = default_bank()
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
OFFICES = ["สำนักงานสาธารณสุขจังหวัด", "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัด", "สำนักงานเกษตรจังหวัด",
           "สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัด", "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด"]


def answer_set(seed: int) -> list[tuple[str, str]]:
    """All 78 questions (every Basic and Advance fully met, so every question applies), varied by seed."""
    given = []
    for n, question in enumerate(BANK.questions):
        if question.level == "result":
            given.append((question.id, ("150", "300", "400", "500")[(n + seed) % 4]))
        elif question.level == "significance":
            given.append((question.id, str((n + seed) % 4)))
        else:
            given.append((question.id, "3"))
    return given


class Plan:
    """Ids and rows of the seeded country, generated on the fly."""

    def __init__(self, provinces: int, per_province: int, officers: int, previous: bool) -> None:
        self.agencies: list[tuple[int, str, str, int | None]] = [(1, "TH", "ประเทศไทย", None)]
        for p in range(provinces):
            province_id = len(self.agencies) + 1
            self.agencies.append((province_id, f"P{p:03d}", f"สำนักงานจังหวัดที่ {p + 1}", 1))
            for a in range(per_province):
                self.agencies.append((len(self.agencies) + 1, f"P{p:03d}-{a:03d}",
                                      f"{OFFICES[a % len(OFFICES)]}ที่ {p + 1} หน่วย {a + 1}", province_id))
        self.officers = officers
        self.rounds = [(1, "รอบ 2569", date(2025, 11, 1), date(2026, 3, 31)),
                       (2, "รอบ 2570", date(2026, 11, 1), date(2027, 3, 31))] if previous else \
            [(2, "รอบ 2570", date(2026, 11, 1), date(2027, 3, 31))]
        self.answer_sets = [answer_set(seed) for seed in range(7)]

    @property
    def assessed(self) -> list[tuple[int, str, str, int | None]]:
        return self.agencies[1:]  # every agency below the country has officers

    def users(self) -> Iterator[tuple[Any, ...]]:
        user_id = 0
        for agency_id, *_ in self.assessed:
            for k in range(self.officers):
                user_id += 1
                yield (user_id, "line", f"U{user_id}", f"เจ้าหน้าที่ {k + 1}", "officer", agency_id, True, NOW)

    def assessments(self) -> Iterator[tuple[Any, ...]]:
        for round_id, *_ in self.rounds:
            for agency_id, *_ in self.assessed:
                yield (round_id * 100_000 + agency_id, agency_id, round_id, BANK.id, BANK.version, NOW)

    def answers(self) -> Iterator[tuple[Any, ...]]:
        answer_id = 0
        for round_id, *_ in self.rounds:
            user_id = 0
            for agency_id, *_ in self.assessed:
                for _ in range(self.officers):
                    user_id += 1
                    for question_id, value in self.answer_sets[(user_id + round_id) % 7]:
                        answer_id += 1
                        yield (answer_id, round_id * 100_000 + agency_id, user_id, question_id, value, NOW, None,
                               False)

    def sessions(self) -> Iterator[tuple[Any, ...]]:
        for user_id, _, _, _, _, agency_id, *_ in self.users():
            if user_id % 3:
                yield (user_id, 200_000 + agency_id, "done", None, "{}", 1, NOW)

    def submissions(self) -> Iterator[tuple[Any, ...]]:
        for user_id, assessment_id, *_ in self.sessions():
            yield (assessment_id, user_id, NOW, None)


TABLES = {
    "agencies": ("id", "code", "name", "parent_id", "created_at"),
    "rounds": ("id", "name", "agency_id", "opens_on", "closes_on", "created_at"),
    "users": ("id", "channel", "channel_user_id", "display_name", "role", "agency_id", "active", "created_at"),
    "assessments": ("id", "agency_id", "round_id", "bank_id", "bank_version", "created_at"),
    "answers": ("id", "assessment_id", "user_id", "question_id", "value", "answered_at", "replaced_at", "set_aside"),
    "conversation_sessions": ("user_id", "assessment_id", "phase", "position", "state", "version", "updated_at"),
    "submissions": ("assessment_id", "user_id", "submitted_at", "reopened_at"),
}


def rows(plan: Plan) -> dict[str, Callable[[], Iterator[tuple[Any, ...]]]]:
    def agencies() -> Iterator[tuple[Any, ...]]:
        return ((*a, NOW) for a in plan.agencies)

    def rounds() -> Iterator[tuple[Any, ...]]:
        # created a year apart, the later one current; both for the whole country
        return ((r[0], r[1], 1, r[2], r[3], NOW.replace(year=NOW.year - (2 - r[0]))) for r in plan.rounds)

    return {"agencies": agencies, "rounds": rounds, "users": plan.users, "assessments": plan.assessments,
            "answers": plan.answers, "conversation_sessions": plan.sessions,
            "submissions": plan.submissions}


def seed_sqlite(path: Path, plan: Plan) -> None:
    def plain(value: Any) -> Any:
        return value.replace(tzinfo=None).isoformat(sep=" ") if isinstance(value, datetime) else value

    with sqlite3.connect(path) as db:
        for table, make in rows(plan).items():
            columns = TABLES[table]
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            db.executemany(statement, ([plain(v) for v in row] for row in make()))
        db.execute("ANALYZE")


async def seed_postgres(url: str, plan: Plan) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        for table, make in rows(plan).items():
            records = list(make())
            if table == "conversation_sessions":
                records = [(*r[:4], r[4], *r[5:]) for r in records]
            await conn.copy_records_to_table(table, records=records, columns=list(TABLES[table]))
        for table in TABLES:
            if table not in ("conversation_sessions", "submissions"):
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    result = await call()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = await call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


async def bench_database(kind: str, plan: Plan, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        async with scratch_database(kind, Path(workdir)) as url:
            db = Database(url)
            await upgrade(db)
            start = time.perf_counter()
            if kind == "sqlite":
                await db.dispose()
                await asyncio.to_thread(seed_sqlite, Path(workdir) / "bench.db", plan)
                db = Database(url)
            else:
                await seed_postgres(url, plan)
            seeded = time.perf_counter() - start
            answers = len(plan.assessed) * plan.officers * len(BANK.questions) * len(plan.rounds)
            print(f"\n{kind}: seeded {len(plan.assessed):,} agencies, {len(plan.assessed) * plan.officers:,} "
                  f"officers, {answers:,} answers in {seeded:.1f} s")
            try:
                province = plan.agencies[1][0]
                agency = plan.agencies[2][0]
                for label, scope in (("country", 1), ("one province", province), ("one agency", agency)):
                    async def load(scope: int = scope) -> Any:
                        async with db.engine.connect() as conn:
                            return await load_round_report(conn, BANK, scope, None, NOW)
                    seconds, report = await timed(load, 1 if scope == 1 else repeat)
                    respondents = sum(len(a.respondents) for a in report.agencies)
                    print(f"  load_round_report, {label:>12}: {seconds * 1000:8.0f} ms "
                          f"({len(report.agencies):,} agencies, {respondents:,} respondents, "
                          f"previous round: {len(report.previous):,} agencies)")
                    if scope == 1:
                        country = report
            finally:
                await db.dispose()
    start = time.perf_counter()
    replies = province_summary_replies(BANK, country)
    print(f"  province_summary_replies, country: {(time.perf_counter() - start) * 1000:8.0f} ms "
          f"({len(replies)} replies, {max(len(r.text) for r in replies):,} characters at most)")
    render_charts(replies, repeat)


def render_charts(replies: Any, repeat: int) -> None:
    charts = [r.chart for r in replies if r.chart is not None]
    bars = next(c for c in charts if c.kind == "bar")
    radar = next(c for c in charts if c.kind == "radar")
    for label, chart in (("radar (2 series)", radar), (f"bars ({len(bars.labels)} weakest)", bars)):
        seconds, png = _render(functools.partial(chart_png, chart), repeat)
        print(f"  render {label:>22}: {seconds * 1000:8.0f} ms, {len(png) / 1024:.0f} KiB")


def render_every_agency(plan: Plan) -> None:
    names = [a[2] for a in plan.assessed]
    values = [150 + (i * 37) % 350 for i in range(len(names))]
    chart = Chart("bar", "ทุกหน่วยงาน", tuple(names), (("", tuple(float(v) for v in values)),), average=300.0)
    seconds, png = _render(lambda: bar_png(chart.labels, chart.series[0][1], title=chart.title,
                                           average=chart.average), 1)
    print(f"\n  for comparison, one bar per agency ({len(names):,} bars, unreadable): "
          f"{seconds * 1000:.0f} ms, {len(png) / 1024:.0f} KiB")


def _render(call: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    png = call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        png = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--provinces", type=int, default=50)
    parser.add_argument("--per-province", type=int, default=49)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-previous", action="store_true")
    parser.add_argument("--every-bar", action="store_true", help="also draw one bar per agency (slow)")
    args = parser.parse_args()
    plan = Plan(args.provinces, args.per_province, args.officers, not args.no_previous)
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        asyncio.run(bench_database(kind, plan, args.repeat))
    if args.every_bar:
        render_every_agency(plan)


if __name__ == "__main__":
    main()
