"""Screenshots of every dashboard page at phone (390 px) and projector (1280 px) width, for a person to
look at (nothing is asserted): `python -m tests.bot.dashboard_screens` writes screens/*-390.png and
*-1280.png (screens/ is not committed).  The same site as the browser tests, with a few more answers.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from tests.bot.dashboard_site import SCREENS, chromium, line_user, running_site

COORD = line_user(1)
PEOPLE = ((line_user(11), "off-a1", "สมชาย เกษตร", 3), (line_user(12), "off-a2", "สมหญิง สาธารณสุข", 12),
          (line_user(14), "off-a2", "มานี ใจดี", 7), (line_user(15), "off-a1", "ปิติ รักงาน", 0))


async def shoot_all() -> list[Path]:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as monkeypatch:
        async with running_site(Path(tmp), monkeypatch) as site, chromium() as browser:
            await site.join(COORD, "coord-prov", "ประสาน จังหวัด")
            for user, invite, name, answers in PEOPLE:
                await site.join(user, invite, name)
                for n in range(answers):  # mixed answers, so the charts show scores and the rings
                    await site.say(user, "4" if n % 3 else "3")
            page = browser.page
            link = await site.link(COORD)
            await page.goto(link)
            await browser.shoot("signin")
            await page.click("#signin")
            await page.wait_for_url("**/dashboard/")
            await page.wait_for_load_state("networkidle")
            await browser.shoot("overview")
            await page.fill("#message", "ขอให้ตอบให้เสร็จภายในวันศุกร์")
            await page.click("#remind-preview")
            await page.wait_for_selector("#remind-send")
            await browser.shoot("remind-preview")
            await page.goto(f"{site.base}/dashboard/agency/A2")
            await page.wait_for_load_state("networkidle")
            await browser.shoot("agency")
            await page.click("#invite-create")
            await page.wait_for_selector(".notice")
            await browser.shoot("agency-invites")
            await page.goto(f"{site.base}/dashboard/invites/{site.invites['off-a2']}/print")
            await browser.shoot("invite-print")
            await page.goto(f"{site.base}/dashboard/rounds")
            await browser.shoot("rounds")
            await page.click(".round-close")
            await page.wait_for_selector(".confirm")
            await browser.shoot("rounds-close-confirm")
            await page.goto(f"{site.base}/dashboard/live")
            await browser.shoot("live")
            await page.goto(f"{site.base}/dashboard/agency/B1")
            await browser.shoot("refused")
            await page.goto(link)
            await page.click("#signin")
            await browser.shoot("link-used")
            if browser.errors:
                print("browser console errors:", *browser.errors, sep="\n  ")
    return sorted(SCREENS.glob("*.png"))


if __name__ == "__main__":
    for path in asyncio.run(shoot_all()):
        print(path)
