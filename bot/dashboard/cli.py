"""`pmqa-bot dashboard link --user …`: an administrator mints a coordinator's one-time sign-in link."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands import fail, with_services


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dashboard = commands.add_parser("dashboard", help="the coordinators' web dashboard")
    dashboard_commands = dashboard.add_subparsers(title="dashboard commands")
    link = dashboard_commands.add_parser("link", help="a one-time sign-in link for a coordinator (10 minutes)")
    link.add_argument("--user", required=True,
                      help="the coordinator: their user number, or CHANNEL:ID (e.g. line:U0123…, console:somchai)")
    link.set_defaults(run=with_services(_link))


async def _link(services: Any, args: argparse.Namespace) -> int:
    from bot.dashboard.signin import dashboard_base, mint
    from conversations import COORDINATOR
    from storage import repository as repo

    async with services.db.transaction() as conn:
        who: str = args.user
        if who.isdigit():
            user = await repo.user_by_id(conn, int(who))
        elif ":" in who:
            channel, platform_id = who.split(":", 1)
            user = await repo.lock_user(conn, channel, platform_id, for_update=False)
        else:
            return fail("--user is a user number or CHANNEL:ID, e.g. line:U0123… or console:somchai")
        if user is None:
            return fail(f"no user {who!r}")
        if user.role != COORDINATOR or user.agency_id is None:
            return fail(f"user {who!r} is not a coordinator of an agency; the dashboard is for coordinators")
        url = await mint(conn, user.id, services.clock(), dashboard_base(services.settings), via="cli")
    print(url)
    print("valid for 10 minutes, once")
    return 0
