"""Demo data: a ready-to-use agency for newcomers, and a demo province for trying reports."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.invites import INVITE_TERMS
from criteria.model import Bank
from criteria.scoring import applicable_questions, next_question
from storage import invite_codes
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
    await invite_codes.create_invite(conn, agency_id, "officer", now, uses=1_000_000, days=3650, code=DEMO_INVITE)
    await repo.audit(conn, now, None, "demo.starter", DEMO_AGENCY, {})
    return True


PROVINCE = ("DEMO-PROV", "สำนักงานจังหวัดตัวอย่าง")
DEMO_AGENCIES = (
    ("DEMO-HEALTH", "สำนักงานสาธารณสุขจังหวัดตัวอย่าง"),
    ("DEMO-AGRI", "สำนักงานเกษตรจังหวัดตัวอย่าง"),
    ("DEMO-LAND", "สำนักงานที่ดินจังหวัดตัวอย่าง"),
    ("DEMO-EDU", "สำนักงานศึกษาธิการจังหวัดตัวอย่าง"),
)
# Share of each agency's officers who (submitted, are part-way); the rest have joined but not started.
# A province where some agencies are done and some have barely begun is what a coordinator really sees.
PROGRESS = ((1.0, 0.0), (2 / 3, 1 / 3), (1 / 3, 1 / 3), (0.0, 1 / 3))
MATURITY = (0.93, 0.8, 0.65, 0.5)  # how far along each agency's practice is: one reaches พื้นฐาน, the rest not yet
PART_WAY = 0.4  # a part-way officer has answered about this share of their questions
FIRST_NAMES = ("สมชาย", "สมหญิง", "วิภา", "ประเสริฐ", "กมลวรรณ", "ธนพล", "อรุณี", "ชัยวัฒน์", "นงลักษณ์", "สุรเชษฐ์")
LAST_NAMES = ("ใจดี", "รักงาน", "ขยันดี", "มั่นคง", "ศรีสุข", "แสงทอง", "บุญมา", "วงศ์ไทย", "พรหมมา", "ทองคำ")
DEMO_CHANNEL = "demo"  # demo officers cannot be messaged: reminders count them as without a chat app


@dataclass(frozen=True, slots=True)
class DemoProvince:
    created: bool  # False: it was already there and nothing was added
    code: str
    name: str
    agencies: int = 0
    submitted: int = 0
    part_way: int = 0
    not_started: int = 0
    answers: int = 0
    round_id: int | None = None
    round_name: str | None = None
    closes_on: date | None = None
    coordinator_invite: str | None = None  # a usable code, as shown (XXXXX-XXXXX)
    officer_invite: str | None = None
    officer_agency: str | None = None


async def seed_province(conn: AsyncConnection, bank: Bank, now: datetime, tz: ZoneInfo, *, seed: int = 2569,
                        officers: int = 3) -> DemoProvince:
    """Once: a demo province with four agencies, an open round, officers in every state (submitted,
    part-way, not started) with reproducible answers, and a coordinator and an officer invite.
    A second call adds nothing and returns the invites still usable."""
    existing = await repo.agency_by_code(conn, PROVINCE[0])
    if existing is not None:
        return await _existing(conn, existing, now)
    rng = random.Random(seed)
    province_id = await repo.add_agency(conn, *PROVINCE, None, now)
    today = now.astimezone(tz).date()
    round_name = f"รอบประเมิน ปี {today.year + 543}"
    closes = today + timedelta(days=45)
    round_id = await repo.open_round(conn, round_name, province_id, today, closes, now)
    counts = {"submitted": 0, "part_way": 0, "not_started": 0, "answers": 0}
    names = iter(f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7 + i // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
                 for i in range(len(FIRST_NAMES) * len(LAST_NAMES)))
    first_agency = ""
    for index, (code, name) in enumerate(DEMO_AGENCIES):
        agency_id = await repo.add_agency(conn, code, name, province_id, now)
        first_agency = first_agency or code
        assessment_id = await repo.assessment_for(conn, agency_id, round_id, bank.id, bank.version, now)
        maturity = MATURITY[index % len(MATURITY)]
        for n, state in enumerate(_states(officers, *PROGRESS[index % len(PROGRESS)]), 1):
            answered_at = now - timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600))
            user = await repo.create_user(conn, DEMO_CHANNEL, f"{code}-{n}", next(names, f"เจ้าหน้าที่ {n}"),
                                          answered_at, agency_id=agency_id)
            await repo.update_user(conn, user.id, consent_at=answered_at)
            answers = _random_answers(bank, rng, maturity)
            if state == "part_way":
                answers = _first(bank, answers, max(1, int(len(answers) * PART_WAY)))
            elif state == "not_started":
                answers = {}
            for question_id, value in answers.items():
                await repo.record_answer(conn, assessment_id, user.id, question_id, value, answered_at)
            await _session(conn, bank, user.id, assessment_id, answers,
                           answered_at if state == "submitted" else None, answered_at)
            counts[state] += 1
            counts["answers"] += len(answers)
    coordinator_uses, coordinator_days = INVITE_TERMS["coordinator"]
    officer_uses, officer_days = INVITE_TERMS["officer"]
    coordinator = await invite_codes.create_invite(conn, province_id, "coordinator", now, uses=coordinator_uses,
                                           days=coordinator_days)
    officer_agency = await repo.agency_by_code(conn, first_agency)
    officer = await invite_codes.create_invite(conn, officer_agency.id, "officer", now, uses=officer_uses,
                                               days=officer_days)
    await repo.audit(conn, now, None, "demo.province", PROVINCE[0], counts)
    return DemoProvince(True, *PROVINCE, agencies=len(DEMO_AGENCIES), submitted=counts["submitted"],
                        part_way=counts["part_way"], not_started=counts["not_started"], answers=counts["answers"],
                        round_id=round_id, round_name=round_name, closes_on=closes,
                        coordinator_invite=invite_codes.format_invite_code(coordinator),
                        officer_invite=invite_codes.format_invite_code(officer), officer_agency=first_agency)


async def _existing(conn: AsyncConnection, province: Any, now: datetime) -> DemoProvince:
    tree = [a.id for a in await repo.subtree(conn, province.id)]
    usable = await invite_codes.usable_invites(conn, tree, now)
    coordinator = next((row for row in usable if row.role == "coordinator"), None)
    officer = next((row for row in usable if row.role == "officer"), None)
    return DemoProvince(False, province.code, province.name,
                        coordinator_invite=(None if coordinator is None
                                            else invite_codes.format_invite_code(coordinator.code)),
                        officer_invite=None if officer is None else invite_codes.format_invite_code(officer.code),
                        officer_agency=None if officer is None else officer.agency_code)


def _states(officers: int, submitted: float, part_way: float) -> list[str]:
    done = min(officers, round(officers * submitted))
    started = min(officers - done, round(officers * part_way))
    return ["submitted"] * done + ["part_way"] * started + ["not_started"] * (officers - done - started)


def _first(bank: Bank, answers: dict[str, str], count: int) -> dict[str, str]:
    """The first `count` answers in the order the bot asks them (a part-way officer stopped there)."""
    kept: dict[str, str] = {}
    while len(kept) < count and (question := next_question(bank, kept)) is not None and question.id in answers:
        kept[question.id] = answers[question.id]
    return kept


async def _session(conn: AsyncConnection, bank: Bank, user_id: int, assessment_id: int, answers: dict[str, str],
                   submitted_at: datetime | None, at: datetime) -> None:
    """The conversation state the engine would have left: done and submitted, or waiting at the next question."""
    pending = next_question(bank, answers)
    phase = "done" if submitted_at is not None else "answering"
    row = repo.SessionRow(assessment_id, phase, None if submitted_at else (pending.id if pending else None),
                          {"skipped": [], "set_aside": {}}, 1)
    await repo.save_session(conn, user_id, row, expected_version=None, now=at)
    if submitted_at is not None:
        await repo.submit(conn, assessment_id, user_id, submitted_at)


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
