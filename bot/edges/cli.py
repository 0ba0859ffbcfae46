"""`pmqa-bot dead-letters`: the inbound events the server kept aside, newest first, for an IT officer."""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands import with_services


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = commands.add_parser("dead-letters", help="inbound LINE/Telegram events that could not be processed "
                                                       "(kept 30 days), newest first")
    listing.add_argument("--limit", type=int, default=20, help="how many to show (default 20)")
    listing.add_argument("--channel", choices=("line", "telegram"), help="only this channel")
    listing.add_argument("--full", action="store_true", help="print each kept payload whole (up to 2,000 characters)")
    listing.set_defaults(run=with_services(_list))


async def _list(services: Any, args: argparse.Namespace) -> int:
    from storage import dead_letters

    async with services.db.read() as conn:
        rows = await dead_letters.recent(conn, max(1, args.limit), args.channel)
    if not rows:
        print("no dead letters")
        return 0
    zone = ZoneInfo(services.settings.timezone)
    for row in rows:
        when = row.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when}  {row.channel:<8}  {row.event_id or '-'}  {row.reason}")
        payload = row.payload if args.full else row.payload[:160] + ("…" if len(row.payload) > 160 else "")
        print(f"    {row.payload_bytes:,} bytes: {payload}")
    return 0
