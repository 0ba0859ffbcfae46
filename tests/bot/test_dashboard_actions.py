"""Round actions, charts and the CLI's sign-in link on the dashboard, in Chromium against the real server: a round opened, its
closing date moved and the round closed after a confirmation, as the chat's `รอบ` commands do (same
refusals, same audit); the province's bars and an agency's radar served only within scope."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import select

from bot.cli import main
from conversations import coordinator_texts as ct
from storage.schema import audit_log, rounds
from tests.bot.dashboard_site import Browser, Site, chromium, line_user, running_site

COORD_PROV = line_user(1)
COORD_A1 = line_user(2)
OFF_A2 = line_user(12)


@pytest.fixture
async def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    async with running_site(tmp_path, monkeypatch) as built:
        await built.join(COORD_PROV, "coord-prov", "ประสาน จังหวัด")
        await built.join(COORD_A1, "coord-a1", "ประสาน เกษตร")
        await built.join(OFF_A2, "off-a2", "สมหญิง สาธารณสุข")
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


async def _rounds(site: Site) -> list[tuple[int, str, date, bool]]:
    async with site.db.engine.connect() as conn:
        return [(r.id, r.agency_id, r.closes_on, r.closed_at is not None)
                for r in await conn.execute(select(rounds).order_by(rounds.c.id))]


async def _actions(site: Site) -> list[tuple[str, dict[str, object]]]:
    async with site.db.engine.connect() as conn:
        return [(r.action, r.details) for r in await conn.execute(select(audit_log).order_by(audit_log.c.id))]


async def _pick(page: object, prefix: str, day: date) -> None:
    await page.select_option(f"#{prefix}-day", str(day.day))  # type: ignore[attr-defined]
    await page.select_option(f"#{prefix}-month", str(day.month))  # type: ignore[attr-defined]
    await page.select_option(f"#{prefix}-year", str(day.year + 543))  # type: ignore[attr-defined]


async def test_a_coordinator_opens_extends_and_closes_a_round(site: Site, browser: Browser) -> None:
    page = browser.page
    await _sign_in(site, browser)
    await page.click("a[href='/dashboard/rounds']")
    await page.wait_for_url("**/dashboard/rounds")
    prov_round = next(r for r in await _rounds(site) if r[1] == site.agencies["PROV"])[0]
    listed = page.locator(f".rounds li[data-round='{prov_round}']")
    assert "6 ธ.ค. 2569" in await listed.inner_text()  # the closing date in พ.ศ.
    await browser.shoot("rounds")

    # a round for A1 would hide the province's open round: the chat's refusal, nothing opened
    await page.select_option("#round-agency", "A1")
    await _pick(page, "open", date(2026, 12, 20))
    await page.click("#round-open")
    await expect(page.locator(".notice.refused")).to_contain_text("เปิดรอบใหม่ให้ สำนักงานเกษตรจังหวัดน่าน ไม่ได้ค่ะ")
    assert len(await _rounds(site)) == 2

    # the closing date moved, picked in พ.ศ.
    await _pick(page, f"extend-{prov_round}", date(2026, 12, 20))
    await page.click(f".rounds li[data-round='{prov_round}'] .round-extend-send")
    await expect(page.locator(".notice")).to_have_text(ct.ROUND_EXTENDED.format(id=prov_round, closes="20 ธ.ค. 2569"))
    assert (prov_round, site.agencies["PROV"], date(2026, 12, 20), False) in await _rounds(site)

    # closing asks first; nothing changes until it is confirmed
    await page.click(f".rounds li[data-round='{prov_round}'] .round-close")
    await expect(page.locator(".confirm")).to_contain_text(f"ปิดรอบ #{prov_round}")
    await browser.shoot("rounds-close-confirm")
    assert not next(r for r in await _rounds(site) if r[0] == prov_round)[3]
    await page.click("#round-close-confirm")
    await expect(page.locator(".notice")).to_contain_text(f"ปิดรอบ #{prov_round}")
    assert next(r for r in await _rounds(site) if r[0] == prov_round)[3]
    await expect(page.locator(f".rounds li[data-round='{prov_round}'] .round-close")).to_have_count(0)

    # now a new round for the province opens
    await page.select_option("#round-agency", "PROV")
    await page.fill("#round-name", "รอบทดลอง ธันวาคม")
    await _pick(page, "open", date(2027, 1, 15))
    await page.click("#round-open")
    await expect(page.locator(".notice")).to_contain_text("เปิด \"รอบทดลอง ธันวาคม\" ให้ สำนักงานจังหวัดน่าน แล้วค่ะ")
    opened = (await _rounds(site))[-1]
    assert opened[1:] == (site.agencies["PROV"], date(2027, 1, 15), False)

    actions = await _actions(site)
    for action in ("coord.RoundOpen.refused", "coord.RoundExtend", "coord.RoundClose", "coord.RoundOpen"):
        assert any(name == action and details.get("via") == "dashboard" for name, details in actions), action
    assert browser.errors == [], browser.errors


async def test_a_date_in_the_past_or_not_in_the_calendar_is_refused_politely(site: Site, browser: Browser) -> None:
    page = browser.page
    await _sign_in(site, browser)
    await page.goto(f"{site.base}/dashboard/rounds")
    prov_round = next(r for r in await _rounds(site) if r[1] == site.agencies["PROV"])[0]
    await _pick(page, f"extend-{prov_round}", date(2026, 11, 1))
    await page.click(f".rounds li[data-round='{prov_round}'] .round-extend-send")
    await expect(page.locator(".notice.refused")).to_have_text(ct.ROUND_DATE_PAST)
    await page.select_option(f"#extend-{prov_round}-day", "31")
    await page.select_option(f"#extend-{prov_round}-month", "2")
    await page.click(f".rounds li[data-round='{prov_round}'] .round-extend-send")
    await expect(page.locator(".notice.refused")).to_contain_text("ไม่มีในปฏิทิน")
    assert (prov_round, site.agencies["PROV"], date(2026, 12, 6), False) in await _rounds(site)
    assert browser.errors == [], browser.errors


async def test_another_agencys_coordinator_cannot_touch_the_provinces_rounds(site: Site, browser: Browser) -> None:
    await _sign_in(site, browser, COORD_A1)
    await browser.page.goto(f"{site.base}/dashboard/rounds")
    prov_round, other_round = (r[0] for r in await _rounds(site))
    # the province's round shows (it applies to A1) but offers no actions: it is not A1's to change
    await expect(browser.page.locator(f".rounds li[data-round='{prov_round}']")).to_have_count(1)
    await expect(browser.page.locator(".round-close")).to_have_count(0)
    assert await browser.page.locator("#round-agency option").evaluate_all("os => os.map(o => o.value)") == ["A1"]
    cookies = {c["name"]: c["value"] for c in await browser.context.cookies()}
    async with httpx.AsyncClient(base_url=site.base, cookies=cookies, trust_env=False) as http:
        csrf = (await http.get("/dashboard/rounds")).text.split('"X-CSRF-Token": "', 1)[1].split('"', 1)[0]
        headers = {"X-CSRF-Token": csrf}
        when = {"day": "20", "month": "12", "year": "2569"}
        for round_id in (prov_round, other_round, 999):
            assert (await http.post(f"/dashboard/rounds/{round_id}/extend", data=when, headers=headers)).status_code == 403
            assert (await http.post(f"/dashboard/rounds/{round_id}/close", data={"confirm": "yes"},
                                    headers=headers)).status_code == 403
        for code in ("PROV", "B1", "A2"):
            assert (await http.post("/dashboard/rounds/open", data={"agency": code, **when},
                                    headers=headers)).status_code == 403
        # and a POST without the token is refused before anything else
        assert (await http.post(f"/dashboard/rounds/{prov_round}/close", data={"confirm": "yes"})).status_code == 403
        assert (await http.post("/dashboard/rounds/open", data={"agency": "A1", **when})).status_code == 403
    assert [r[2:] for r in await _rounds(site)] == [(date(2026, 12, 6), False), (date(2026, 12, 6), False)]


async def test_charts_are_images_within_scope_and_403_outside(site: Site, browser: Browser) -> None:
    page = browser.page
    await _sign_in(site, browser)
    chart = page.locator("#province-chart")
    await expect(chart).to_be_visible()
    assert await chart.evaluate("img => img.complete && img.naturalWidth") == 1000  # drawn, not a broken image
    await page.click("a[href='/dashboard/agency/A2']")
    await page.wait_for_url("**/agency/A2")
    radar = page.locator("#agency-radar")
    await radar.scroll_into_view_if_needed()
    await expect(radar).to_be_visible()
    assert await radar.evaluate("img => img.complete && img.naturalWidth") == 1000
    assert browser.errors == [], browser.errors

    cookies = {c["name"]: c["value"] for c in await browser.context.cookies()}
    async with httpx.AsyncClient(base_url=site.base, cookies=cookies, trust_env=False) as http:
        for path in ("/dashboard/agency/PROV/chart/bars.png", "/dashboard/agency/A2/chart/radar.png"):
            got = await http.get(path)
            assert got.status_code == 200 and got.headers["content-type"] == "image/png"
            assert got.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert (await http.get("/dashboard/agency/B1/chart/radar.png")).status_code == 403
        assert (await http.get("/dashboard/agency/A1/chart/radar.png")).status_code == 404  # nobody answered yet
    async with httpx.AsyncClient(base_url=site.base, trust_env=False) as http:
        assert (await http.get("/dashboard/agency/A2/chart/radar.png")).status_code == 401

    await browser.context.clear_cookies()
    await _sign_in(site, browser, COORD_A1)
    cookies = {c["name"]: c["value"] for c in await browser.context.cookies()}
    async with httpx.AsyncClient(base_url=site.base, cookies=cookies, trust_env=False) as http:
        assert (await http.get("/dashboard/agency/A2/chart/radar.png")).status_code == 403
        assert (await http.get("/dashboard/agency/PROV/chart/bars.png")).status_code == 403


async def test_the_cli_link_signs_in_once(site: Site, browser: Browser, capsys: pytest.CaptureFixture[str]) -> None:
    site.clock.now = datetime.now(UTC)  # the CLI mints with the real clock; the server checks the 10 minutes
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["dashboard", "link", "--user", f"line:{COORD_PROV}"]) == 0
    printed = capsys.readouterr().out.splitlines()
    link = printed[0]
    assert link.startswith(f"{site.base}/dashboard/signin/") and "10 minutes" in printed[1]
    assert await asyncio.to_thread(main, ["dashboard", "link", "--user", f"line:{OFF_A2}"]) == 2  # an officer
    assert "not a coordinator" in capsys.readouterr().err

    page = browser.page
    await page.goto(link)
    await page.click("#signin")
    await page.wait_for_url("**/dashboard/")
    assert await page.locator("h1").inner_text() == "สำนักงานจังหวัดน่าน"
    await browser.context.clear_cookies()
    await page.goto(link)
    await page.click("#signin")
    assert "ถูกใช้ไปแล้ว" in await page.locator(".message").inner_text()
    assert (await page.goto(f"{site.base}/dashboard/")).status == 401
    actions = await _actions(site)
    assert ("dashboard.link", {"via": "cli"}) in actions
    assert [d["reason"] for a, d in actions if a == "dashboard.signin.refused"] == ["used"]
