"""The composition root: builds the database, engine and bank from settings.  Nothing in the
project is created at import time; everything long-lived is made here and closed here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.dashboard.signin import dashboard_base
from bot.engine import Clock, Engine, utc_now
from bot.invites import BotAddresses
from bot.settings import Settings
from criteria import default_bank
from criteria.model import Bank
from storage.database import Database
from storage.migrate import upgrade


@dataclass
class Services:
    settings: Settings
    db: Database
    bank: Bank
    engine: Engine
    clock: Clock


@asynccontextmanager
async def services(settings: Settings, *, clock: Clock = utc_now, migrate: bool = True) -> AsyncIterator[Services]:
    db = Database(settings.database_url)
    try:
        if migrate:
            await upgrade(db)
        bank = default_bank()
        engine = Engine(db, bank, clock=clock, timezone=settings.timezone,
                        bot_addresses=BotAddresses(settings.line_id, settings.telegram_bot,
                                                   dashboard_base(settings)))
        yield Services(settings, db, bank, engine, clock)
    finally:
        await db.dispose()
