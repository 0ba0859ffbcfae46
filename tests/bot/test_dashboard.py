"""The coordinators' dashboard in a real browser (Chromium from Debian, Playwright's plain API) against
the real server, with people joining and answering through signed LINE webhooks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import select

from conversations import coordinator_texts as ct
from storage import invite_codes
from storage.schema import audit_log, dashboard_links, dashboard_sessions
from tests.bot.dashboard_site import Browser, Site, chromium, line_user, running_site

COORD_PROV = line_user(1)
COORD_A1 = line_user(2)
OFF_A1 = line_user(11)
OFF_A2 = line_user(12)
OFF_B1 = line_user(13)


@pytest.fixture
async def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    async with running_site(tmp_path, monkeypatch) as built:
        await built.join(COORD_PROV, "coord-prov", "ประสาน จังหวัด")
        await built.join(COORD_A1, "coord-a1", "ประสาน เกษตร")
        await built.join(OFF_A1, "off-a1", "สมชาย เกษตร")
        await built.join(OFF_A2, "off-a2", "สมหญิง สาธารณสุข")
        await built.join(OFF_B1, "off-b1", "สมศรี แพร่")
        await built.answer(OFF_A2, 4)
        yield built


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as opened:
        yield opened


async def _sign_in(site: Site, browser: Browser, user: str = COORD_PROV) -> None:
    await browser.page.goto(await site.link(user))
    await browser.page.click("#signin")
    await browser.page.wait_for_url("**/dashboard/")


async def test_a_coordinator_signs_in_from_the_chat_and_sees_the_province(site: Site, browser: Browser) -> None:
    page = browser.page
    await page.goto(await site.link(COORD_PROV))
    await browser.shoot("signin")
    await page.click("#signin")
    await page.wait_for_url("**/dashboard/")
    assert await page.locator("h1").inner_text() == "สำนักงานจังหวัดน่าน"
    # least complete first: nobody in A1 has answered, A2's officer answered four questions
    assert await page.locator(".agency").evaluate_all("els => els.map(e => e.dataset.code)") == ["A1", "A2"]
    assert "เหลืออีก 12 วัน" in await page.locator(".countdown").inner_text()
    await browser.shoot("overview")
    cookie = next(c for c in await browser.context.cookies() if c["name"] == "pmqa_dash")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # plain http here
    async with site.db.engine.connect() as conn:
        stored = [row.token_hash for row in await conn.execute(select(dashboard_sessions))]
        actions = [row.action for row in await conn.execute(select(audit_log.c.action))]
    assert stored and cookie["value"] not in stored  # only the hash is kept
    assert "dashboard.signin" in actions and "dashboard.link" in actions

    await page.fill("#q", "สาธารณสุข")  # the search narrows the list without a reload
    await expect(page.locator(".agency")).to_have_count(1)
    assert await page.locator(".agency").get_attribute("data-code") == "A2"
    assert browser.errors == []


async def test_agency_page_reminder_invites_and_export(site: Site, browser: Browser) -> None:
    page = browser.page
    await _sign_in(site, browser)
    await page.click("a[href='/dashboard/agency/A2']")
    await page.wait_for_url("**/agency/A2")
    assert "สมหญิง สาธารณสุข" in await page.locator("table.officers").inner_text()
    assert "4 จาก" in await page.locator("table.officers").inner_text()
    await browser.shoot("agency")

    # an export download
    async with page.expect_download() as waiting:
        await page.click("#export")
    download = await waiting.value
    saved = Path(await download.path())
    assert (await asyncio.to_thread(saved.read_bytes))[:2] == b"PK"  # an .xlsx is a zip

    # invites: create one, then revoke it
    await page.click("#invite-create")
    await page.wait_for_selector(".notice")
    codes = await page.locator(".invites li").evaluate_all("els => els.map(e => e.dataset.code)")
    async with site.db.engine.connect() as conn:
        usable = [r.code for r in await invite_codes.invites_of(conn, [site.agencies["A2"]])
                  if invite_codes.invite_state(r, site.clock()) == "usable"]
    assert sorted(codes) == sorted(usable) and len(codes) == 2
    newest = next(code for code in codes if code != site.invites["off-a2"])
    await browser.shoot("agency-invites")
    page.on("dialog", lambda dialog: dialog.accept())
    await page.click(f".invites li[data-code='{newest}'] button.danger")
    await expect(page.locator(f".invites li[data-code='{newest}']")).to_have_count(0)
    async with site.db.engine.connect() as conn:
        revoked = await invite_codes.invite_by_code(conn, newest)
    assert revoked.revoked_at is not None

    # the printable invite with its QR codes
    await page.goto(f"{site.base}/dashboard/invites/{site.invites['off-a2']}/print")
    assert await page.locator(".qr svg").count() == 2
    await browser.shoot("invite-print")

    # a reminder through its preview
    await page.goto(f"{site.base}/dashboard/")
    await page.fill("#message", "ขอให้ตอบให้เสร็จภายในวันศุกร์")
    await page.click("#remind-preview")
    await page.wait_for_selector("#remind-send")
    preview = await page.locator("#remind").inner_text()
    assert "ตัวอย่างคำเตือน" in preview and "ขอให้ตอบให้เสร็จภายในวันศุกร์" in preview
    await browser.shoot("remind-preview")
    await page.click("#remind-send")
    await expect(page.locator("#remind")).to_contain_text("รับคำสั่งแล้ว")
    async with site.db.engine.connect() as conn:
        actions = [row.action for row in await conn.execute(select(audit_log.c.action))]
    assert "coord.RemindConfirm" in actions and "coord.InviteRevoke" in actions and "dashboard.export" in actions
    assert browser.errors == []


async def test_the_live_view_follows_an_answer_made_in_line(site: Site, browser: Browser) -> None:
    page = browser.page
    await _sign_in(site, browser)
    await page.goto(f"{site.base}/dashboard/live")
    person = page.locator(".people li", has_text="สมชาย เกษตร")
    assert "0 จาก" in await person.locator(".answered").inner_text()
    await browser.shoot("live")
    await site.answer(OFF_A1, 2)  # through the LINE webhook
    await expect(person.locator(".answered")).to_have_text(re.compile(r"^2 จาก"), timeout=20_000)
    assert browser.errors == []


async def test_another_agencys_coordinator_gets_403(site: Site, browser: Browser) -> None:
    await _sign_in(site, browser, COORD_A1)
    assert [await e.get_attribute("data-code") for e in await browser.page.locator(".agency").all()] == ["A1"]
    cookies = {c["name"]: c["value"] for c in await browser.context.cookies()}
    async with httpx.AsyncClient(base_url=site.base, cookies=cookies, trust_env=False) as http:
        assert (await http.get("/dashboard/agency/A1")).status_code == 200
        assert (await http.get("/dashboard/agency/A2")).status_code == 403
        assert (await http.get("/dashboard/agency/B1/export")).status_code == 403
        assert (await http.get(f"/dashboard/invites/{site.invites['off-a2']}/print")).status_code == 403
        assert (await http.get("/dashboard/live?agency=PROV")).status_code == 403
        page = await http.get("/dashboard/agency/A1")
        csrf = page.text.split('"X-CSRF-Token": "', 1)[1].split('"', 1)[0]
        refused = await http.post(f"/dashboard/invites/{site.invites['off-a2']}/revoke", headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 403
    async with site.db.engine.connect() as conn:
        assert (await invite_codes.invite_by_code(conn, site.invites["off-a2"])).revoked_at is None


async def test_a_post_without_the_csrf_token_is_refused(site: Site, browser: Browser) -> None:
    await _sign_in(site, browser)
    cookies = {c["name"]: c["value"] for c in await browser.context.cookies()}
    async with httpx.AsyncClient(base_url=site.base, cookies=cookies, trust_env=False) as http:
        code = site.invites["off-a2"]
        assert (await http.post(f"/dashboard/invites/{code}/revoke")).status_code == 403
        assert (await http.post(f"/dashboard/invites/{code}/revoke", data={"csrf": "forged"})).status_code == 403
        assert (await http.post("/dashboard/remind/preview", data={"message": "x"})).status_code == 403
        assert (await http.post("/dashboard/signout")).status_code == 403
    async with site.db.engine.connect() as conn:
        assert (await invite_codes.invite_by_code(conn, code)).revoked_at is None


async def test_a_used_or_expired_link_is_refused(site: Site, browser: Browser) -> None:
    page = browser.page
    link = await site.link(COORD_PROV)
    await page.goto(link)
    await page.click("#signin")
    await page.wait_for_url("**/dashboard/")
    await browser.context.clear_cookies()
    await page.goto(link)  # the same link again
    await page.click("#signin")
    assert "ถูกใช้ไปแล้ว" in await page.locator(".message").inner_text()
    late = await site.link(COORD_PROV)
    site.clock.advance(minutes=11)
    await page.goto(late)
    await page.click("#signin")
    assert "หมดอายุ" in await page.locator(".message").inner_text()
    async with site.db.engine.connect() as conn:
        assert len(list(await conn.execute(select(dashboard_links)))) == 2
        reasons = [row.details["reason"] for row in await conn.execute(
            select(audit_log).where(audit_log.c.action == "dashboard.signin.refused"))]
    assert reasons == ["used", "expired"]


async def test_sessions_end_after_eight_idle_hours_and_on_sign_out(site: Site, browser: Browser) -> None:
    page = browser.page
    await _sign_in(site, browser)
    site.clock.advance(hours=7, minutes=59)
    assert (await page.goto(f"{site.base}/dashboard/")).status == 200
    site.clock.advance(hours=8, minutes=1)
    assert (await page.goto(f"{site.base}/dashboard/")).status == 401
    await _sign_in(site, browser)
    await page.click("button.link")  # ออกจากระบบ
    assert "ออกจากระบบแล้ว" in await page.locator(".message").inner_text()
    assert (await page.goto(f"{site.base}/dashboard/")).status == 401


async def test_an_officer_is_refused_a_link_politely(site: Site) -> None:
    texts = [m.get("text", "") for m in await site.say(OFF_A1, "แดชบอร์ด")]
    assert any(ct.COORDINATOR_ONLY in text for text in texts)
    assert "/dashboard/signin/" not in "\n".join(texts)
