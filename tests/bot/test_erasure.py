"""ลบข้อมูลของฉัน also deletes the stored exports that may name the person: their links answer 404.

Through the real server and LINE's fake: a coordinator's export link works, the officer erases, the
link is gone; an export of another province, which cannot name the officer, keeps working.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from storage import repository as repo
from storage.schema import answers, audit_log, media, users
from tests.bot.test_coordinator_channels import PUBLIC, _line, _seed
from tests.bot.test_coordinator_channels import line as line  # the fixture
from tests.fakes.line_api import FakeLineApi
from tests.fakes.line_webhook import postback_event, text_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _say(fake: FakeLineApi, http: Any, user: str, text: str) -> None:
    await _line(fake, http, text_event(user, text, fake.issue_reply_token(user)))


async def _tap(fake: FakeLineApi, http: Any, user: str, data: str) -> None:
    await _line(fake, http, postback_event(user, data, fake.issue_reply_token(user)))


async def test_erasure_deletes_the_exports_that_name_the_person(line: tuple[FakeLineApi, Any, Any]) -> None:
    fake, app, http = line
    services = app.state.services
    codes = await _seed(app, services.clock)
    officer, coordinator = "U" + "a" * 32, "U" + "c" * 32
    await _say(fake, http, officer, "เริ่ม")
    await _tap(fake, http, officer, "c:accept")
    await _say(fake, http, officer, codes["officer"])
    for _ in range(5):
        await _say(fake, http, officer, "1")
    for step in ("เริ่ม", "c:accept", codes["coordinator"], "ส่งออก"):
        if step.startswith("c:"):
            await _tap(fake, http, coordinator, step)
        else:
            await _say(fake, http, coordinator, step)
    for _ in range(300):
        texts = [m.get("text", "") for m in fake.sent_to(coordinator)]
        if any("ดาวน์โหลดได้ภายใน" in text for text in texts):
            break
        await asyncio.sleep(0.1)
    link = next(t for t in texts if "ดาวน์โหลดได้ภายใน" in t).split("\n")[-1].removeprefix(PUBLIC)
    assert (await http.get(link)).status_code == 200
    async with services.db.transaction() as conn:
        other = await repo.add_agency(conn, "OTHER", "จังหวัดอื่น", None, services.clock())
    unrelated = (await app.state.media.file_url(b"other", "other.xlsx", XLSX, timedelta(days=7), agency_id=other)
                 ).removeprefix(PUBLIC)
    chart = await app.state.media.store(b"png", "image/png", "chart.png", timedelta(days=7))

    await _say(fake, http, officer, "ลบข้อมูลของฉัน")
    await _tap(fake, http, officer, "c:forget_yes")

    assert (await http.get(link)).status_code == 404, "the export that named the officer is gone"
    assert (await http.get(unrelated)).status_code == 200, "another province's export cannot name them"
    async with services.db.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(answers)) == 0
        assert await conn.scalar(select(users.c.id).where(users.c.channel_user_id == officer)) is None
        assert await conn.scalar(select(media.c.token).where(media.c.token == chart)) == chart, "charts stay"
        forgotten = (await conn.execute(select(audit_log.c.details).where(audit_log.c.action == "user.forgotten"))).one()
    assert forgotten.details == {"exports_deleted": 1}
