"""A small country for coordinator and reminder tests, built through the engine as people would.

    PROV (จังหวัดตัวอย่าง) ── A1, A2          OTHER (จังหวัดอื่น) ── B1

A province round is open for PROV (closing 10 days after the clock's day) and one for OTHER.
Coordinators and officers join with invite codes typed in chat, so roles come from invites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.engine import Engine, Inbound
from conversations import Start, Tap, Text
from criteria import default_bank
from storage import invite_codes
from storage import repository as repo
from storage.database import Database
from storage.schema import users

BANGKOK = ZoneInfo("Asia/Bangkok")


@dataclass
class World:
    db: Database
    engine: Engine
    clock: object
    agencies: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)
    invites: dict[str, str] = field(default_factory=dict)

    async def say(self, user: str, text: str, channel: str = "line") -> str:
        outcome = await self.engine.handle(Inbound(channel, user, Text(text)))
        return "\n".join(reply.text for reply in outcome.replies)

    async def tap(self, user: str, data: str, channel: str = "line") -> str:
        outcome = await self.engine.handle(Inbound(channel, user, Tap(data)))
        return "\n".join(reply.text for reply in outcome.replies)

    async def join(self, user: str, invite: str, name: str, channel: str = "line") -> str:
        await self.engine.handle(Inbound(channel, user, Start(), display_name=name))
        await self.engine.handle(Inbound(channel, user, Tap("c:accept"), display_name=name))
        outcome = await self.engine.handle(Inbound(channel, user, Text(self.invites[invite]), display_name=name))
        return "\n".join(reply.text for reply in outcome.replies)

    async def answer_all(self, user: str, channel: str = "line", *, submit: bool = True) -> None:
        """Answer every question with the first option (tapping as a person would), then submit."""
        for _ in range(200):
            outcome = await self.engine.handle(Inbound(channel, user, Text("1")))
            if any("ส่งคำตอบ" in c.label for r in outcome.replies for c in r.choices):
                break
        if submit:
            await self.engine.handle(Inbound(channel, user, Tap("c:submit")))

    async def user_id(self, channel: str, platform_id: str) -> int:
        async with self.db.engine.connect() as conn:
            found = await conn.scalar(select(users.c.id).where(users.c.channel == channel,
                                                               users.c.channel_user_id == platform_id))
        assert found is not None
        return int(found)


async def build_world(db: Database, clock: object, *, closes_in_days: int = 10) -> World:
    engine = Engine(db, default_bank(), clock=clock)  # type: ignore[arg-type]
    world = World(db, engine, clock)
    now = clock()  # type: ignore[operator]
    today = now.astimezone(BANGKOK).date()
    async with db.transaction() as conn:
        prov = await repo.add_agency(conn, "PROV", "จังหวัดตัวอย่าง", None, now)
        other = await repo.add_agency(conn, "OTHER", "จังหวัดอื่น", None, now)
        world.agencies = {
            "PROV": prov,
            "A1": await repo.add_agency(conn, "A1", "สำนักงานเกษตรจังหวัด", prov, now),
            "A2": await repo.add_agency(conn, "A2", "สำนักงานสาธารณสุขจังหวัด", prov, now),
            "OTHER": other,
            "B1": await repo.add_agency(conn, "B1", "สำนักงานพัฒนาชุมชนจังหวัดอื่น", other, now),
        }
        closes = today + timedelta(days=closes_in_days)
        world.rounds["PROV"] = await repo.open_round(conn, "รอบปี 2570", prov, today, closes, now)
        world.rounds["OTHER"] = await repo.open_round(conn, "รอบจังหวัดอื่น", other, today, closes, now)
        for name, agency, role in (("coord-prov", "PROV", "coordinator"), ("coord-a1", "A1", "coordinator"),
                                   ("coord-other", "OTHER", "coordinator"), ("off-a1", "A1", "officer"),
                                   ("off-a2", "A2", "officer"), ("off-b1", "B1", "officer")):
            world.invites[name] = await invite_codes.create_invite(conn, world.agencies[agency], role, now, uses=5000,
                                                           days=30)
    return world
