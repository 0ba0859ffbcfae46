"""Demo data: a ready-to-use agency for newcomers, and a demo province for trying reports."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from criteria.model import Bank
from criteria.scoring import applicable_questions
from storage import repository as repo

DEMO_AGENCY = "DEMO"
DEMO_INVITE = "DEMO"  # a fixed, guessable code is fine: it only ever opens the demo agency
DEMO_ROUND_DAYS = 30


async def ensure_starter(conn: AsyncConnection, now: datetime, tz: ZoneInfo) -> bool:
    """On an empty database, create a demo agency, an open round and the invite "DEMO"."""
    if await repo.count_agencies(conn):
        return False
    agency_id = await repo.add_agency(conn, DEMO_AGENCY, "หน่วยงานสาธิต", None, now)
    today = now.astimezone(tz).date()
    closes = today + timedelta(days=DEMO_ROUND_DAYS)
    await repo.open_round(conn, f"รอบสาธิต {today.year + 543}", agency_id, today, closes, now)
    await repo.create_invite(conn, agency_id, "officer", now, uses=1_000_000, days=3650, code=DEMO_INVITE)
    await repo.audit(conn, now, None, "demo.starter", DEMO_AGENCY, {})
    return True


PROVINCE = ("DEMO-PROV", "สำนักงานจังหวัดตัวอย่าง")
DEMO_AGENCIES = (
    ("DEMO-HEALTH", "สำนักงานสาธารณสุขจังหวัดตัวอย่าง"),
    ("DEMO-AGRI", "สำนักงานเกษตรจังหวัดตัวอย่าง"),
    ("DEMO-LAND", "สำนักงานที่ดินจังหวัดตัวอย่าง"),
    ("DEMO-EDU", "สำนักงานศึกษาธิการจังหวัดตัวอย่าง"),
)


async def seed_province(conn: AsyncConnection, bank: Bank, now: datetime, tz: ZoneInfo, *, seed: int = 2569,
                        officers: int = 3) -> dict[str, int]:
    """A demo province with agencies, officers and their (random but reproducible) answers."""
    rng = random.Random(seed)
    province = await repo.agency_by_code(conn, PROVINCE[0])
    province_id = province.id if province else await repo.add_agency(conn, *PROVINCE, None, now)
    today = now.astimezone(tz).date()
    round_id = await repo.open_round(conn, f"รอบประเมิน ปี {today.year + 543}", province_id, today,
                                     today + timedelta(days=45), now)
    counts = {"agencies": 0, "officers": 0, "answers": 0}
    for code, name in DEMO_AGENCIES:
        existing = await repo.agency_by_code(conn, code)
        agency_id = existing.id if existing else await repo.add_agency(conn, code, name, province_id, now)
        counts["agencies"] += 1
        assessment_id = await repo.assessment_for(conn, agency_id, round_id, bank.id, bank.version, now)
        maturity = rng.uniform(0.3, 0.9)
        for n in range(1, officers + 1):
            user = await repo.create_user(conn, "demo", f"{code}-{n}-{round_id}", f"เจ้าหน้าที่ {n} ({code})", now,
                                          agency_id=agency_id)
            await repo.update_user(conn, user.id, consent_at=now)
            answers = _random_answers(bank, rng, maturity)
            for question_id, value in answers.items():
                await repo.record_answer(conn, assessment_id, user.id, question_id, value, now)
            counts["officers"] += 1
            counts["answers"] += len(answers)
    await repo.audit(conn, now, None, "demo.province", PROVINCE[0], counts)
    return counts


def _random_answers(bank: Bank, rng: random.Random, maturity: float) -> dict[str, str]:
    answers: dict[str, str] = {}
    while True:
        pending = [q for q in applicable_questions(bank, answers) if q.id not in answers]
        if not pending:
            return answers
        for question in pending:
            options = [o for o in bank.scale_for(question).options if not o.unsure]
            index = min(len(options) - 1, max(0, round(rng.gauss(maturity * (len(options) - 1), 1.0))))
            answers[question.id] = "u" if rng.random() < 0.04 else options[index].code
