"""Subcommands that use the database: chat, db, org, invite, round, demo-data."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings

EXIT_USAGE = 2
Runner = Callable[[Any, argparse.Namespace], Awaitable[int]]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = commands.add_parser("chat", help="take the assessment in this terminal")
    chat.add_argument("--user", default=None, help="who you are in the console (default: your login name)")
    chat.add_argument("--name", default=None, help="the name the bot greets you with")
    chat.set_defaults(run=_sync(_chat))

    serve = commands.add_parser("serve", help="run the server: LINE and Telegram webhooks (or Telegram polling), "
                                              "health, charts")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--telegram-polling", action="store_true",
                       help="fetch Telegram updates by long polling (no public https address needed)")
    serve.set_defaults(run=_serve)

    line = commands.add_parser("line", help="LINE official account setup")
    line_commands = line.add_subparsers(title="line commands")
    rich_menu = line_commands.add_parser("rich-menu", help="create the Thai rich menu and make it the default")
    rich_menu.set_defaults(run=_line_rich_menu)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands")
    db_upgrade = db_commands.add_parser("upgrade", help="apply migrations (also done at every start)")
    db_upgrade.set_defaults(run=_sync(_db_upgrade, migrate=False))

    org = commands.add_parser("org", help="agencies")
    org_commands = org.add_subparsers(title="org commands")
    org_add = org_commands.add_parser("add", help="add an agency (or a province that holds agencies)")
    org_add.add_argument("--code", required=True)
    org_add.add_argument("--name", required=True)
    org_add.add_argument("--parent", help="code of the parent (e.g. the province)")
    org_add.set_defaults(run=_sync(_org_add))

    invite = commands.add_parser("invite", help="invite codes")
    invite_commands = invite.add_subparsers(title="invite commands")
    invite_create = invite_commands.add_parser("create", help="create an invite code")
    invite_create.add_argument("--org", required=True, help="agency code")
    invite_create.add_argument("--role", choices=("officer", "coordinator"), default="officer")
    invite_create.add_argument("--uses", type=int, default=50, help="how many people may use it (default 50)")
    invite_create.add_argument("--days", type=int, default=30, help="days until it expires (default 30)")
    invite_create.add_argument("--categories", help="only these categories, e.g. 1,2,7 (default: all)")
    invite_create.set_defaults(run=_sync(_invite_create))

    rounds = commands.add_parser("round", help="assessment rounds")
    round_commands = rounds.add_subparsers(title="round commands")
    round_open = round_commands.add_parser("open", help="open a round with a closing date")
    round_open.add_argument("--name", required=True)
    round_open.add_argument("--closes", required=True, help="YYYY-MM-DD (ค.ศ. or พ.ศ.)")
    round_open.add_argument("--org", help="agency or province code (default: every top-level agency)")
    round_open.set_defaults(run=_sync(_round_open))

    remind = commands.add_parser("remind", help="send the reminders that are due now (for cron; "
                                                "`pmqa-bot serve` also does this every minute)")
    remind.add_argument("--dry-run", action="store_true", help="show who would be reminded; send nothing")
    remind.set_defaults(run=_sync(_remind))

    demo = commands.add_parser("demo-data", help="add a demo province with agencies, officers and answers")
    demo.add_argument("--officers", type=int, default=3, help="officers per agency (default 3)")
    demo.set_defaults(run=_sync(_demo_data))


def _serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from bot.web import create_app

    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings, telegram_polling=args.telegram_polling)
    uvicorn.run(app, host=args.host, port=args.port, log_level=settings.log_level.lower())
    return 0


def _line_rich_menu(args: argparse.Namespace) -> int:
    from bot.line.richmenu import create_rich_menu

    settings = Settings()
    if not settings.line_enabled:
        return _fail("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first")
    menu_id = asyncio.run(create_rich_menu(settings))
    print(f"rich menu {menu_id} created and set as the default for every user")
    return 0


def _sync(runner: Runner, *, migrate: bool = True) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return asyncio.run(_with_services(runner, args, migrate))

    return run


async def _with_services(runner: Runner, args: argparse.Namespace, migrate: bool) -> int:
    from bot.services import services

    async with services(Settings(), migrate=migrate) as built:
        return await runner(built, args)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


async def _chat(services: Any, args: argparse.Namespace) -> int:
    from bot.console import chat

    user = args.user or _login_name()
    return await chat(services, user_id=user, name=args.name)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


async def _db_upgrade(services: Any, args: argparse.Namespace) -> int:
    from storage.migrate import current_revision, upgrade

    await upgrade(services.db)
    print(f"database at revision {await current_revision(services.db)}")
    return 0


async def _org_add(services: Any, args: argparse.Namespace) -> int:
    from storage import repository as repo

    now = services.clock()
    async with services.db.transaction() as conn:
        if await repo.agency_by_code(conn, args.code):
            return _fail(f"agency code {args.code!r} already exists")
        parent_id = None
        if args.parent:
            parent = await repo.agency_by_code(conn, args.parent)
            if parent is None:
                return _fail(f"no agency with code {args.parent!r}")
            parent_id = parent.id
        await repo.add_agency(conn, args.code, args.name, parent_id, now)
        await repo.audit(conn, now, None, "org.add", args.code, {"name": args.name, "parent": args.parent})
    print(f"added {args.code}: {args.name}")
    return 0


def parse_categories(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    numbers = tuple(sorted({int(part) for part in text.replace(" ", "").split(",") if part}))
    if not numbers or any(n < 1 or n > 7 for n in numbers):
        raise ValueError("categories are numbers 1–7, e.g. 1,2,7")
    return numbers


async def _invite_create(services: Any, args: argparse.Namespace) -> int:
    from storage import repository as repo

    try:
        categories = parse_categories(args.categories)
    except ValueError as error:
        return _fail(str(error))
    if args.uses < 1 or args.days < 1:
        return _fail("--uses and --days must be at least 1")
    now = services.clock()
    async with services.db.transaction() as conn:
        agency = await repo.agency_by_code(conn, args.org)
        if agency is None:
            return _fail(f"no agency with code {args.org!r}")
        code = await repo.create_invite(conn, agency.id, args.role, now, uses=args.uses, days=args.days,
                                        categories=categories)
        await repo.audit(conn, now, None, "invite.create", args.org, {"role": args.role, "uses": args.uses})
    print(f"{args.role} invite for {agency.name}: {args.uses} use(s), expires in {args.days} day(s)")
    print(repo.format_invite_code(code))
    return 0


def parse_closing_date(text: str) -> date:
    """YYYY-MM-DD in ค.ศ., or in พ.ศ. (a year above 2400 is taken as Buddhist era)."""
    day = datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date, no time
    return day.replace(year=day.year - 543) if day.year > 2400 else day


async def _round_open(services: Any, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from storage import repository as repo
    from storage.schema import agencies

    try:
        closes = parse_closing_date(args.closes)
    except ValueError:
        return _fail(f"--closes must be YYYY-MM-DD, got {args.closes!r}")
    now = services.clock()
    today = now.astimezone(ZoneInfo(services.settings.timezone)).date()
    if closes < today:
        return _fail(f"the closing date {closes} is already past")
    async with services.db.transaction() as conn:
        if args.org:
            agency = await repo.agency_by_code(conn, args.org)
            if agency is None:
                return _fail(f"no agency with code {args.org!r}")
            targets = [agency]
        else:
            targets = list(await conn.execute(select(agencies).where(agencies.c.parent_id.is_(None))))
            if not targets:
                return _fail("no agencies yet: add one with `pmqa-bot org add`")
        for agency in targets:
            round_id = await repo.open_round(conn, args.name, agency.id, today, closes, now)
            await repo.audit(conn, now, None, "round.open", agency.code, {"round": round_id, "closes": str(closes)})
            print(f"opened round {round_id} \"{args.name}\" for {agency.code}, closes {closes}")
    return 0


async def _remind(services: Any, args: argparse.Namespace) -> int:
    from bot.reminder_senders import reminder_senders
    from bot.reminders import Reminders, in_daytime

    settings = services.settings
    if args.dry_run:
        reminders = Reminders(services.db, services.bank, services.clock, settings.timezone)
        local = services.clock().astimezone(ZoneInfo(settings.timezone))
        due = await reminders.preview_due()
        window = "" if in_daytime(local) else " (outside 08:00-20:00: a real run would wait for the morning)"
        print(f"{len(due)} reminder(s) due at {local:%Y-%m-%d %H:%M} {settings.timezone}{window}")
        for kind, agency_id, audience in due:
            channels = ", ".join(f"{name} {count}" for name, count in sorted(audience.by_channel().items()))
            print(f"  {kind} reminder for agency {agency_id}: {len(audience.send)} to send ({channels or 'none'}), "
                  f"{len(audience.capped)} capped, {len(audience.unreachable)} without a chat app")
        return 0
    async with reminder_senders(settings, services.engine) as senders:
        if not senders:
            return _fail("neither LINE nor Telegram is configured: nothing can be sent")
        report = await Reminders(services.db, services.bank, services.clock, settings.timezone, senders).sweep()
    if report.deferred:
        print("outside 08:00-20:00 Asia/Bangkok: reminders wait for the morning")
        return 0
    print(f"{report.reminders} reminder(s): sent {report.sent}, skipped {report.skipped}, blocked {report.blocked}, "
          f"failed {report.failed}, unknown {report.unknown}")
    return 1 if report.failed else 0


async def _demo_data(services: Any, args: argparse.Namespace) -> int:
    from bot.demo import seed_province

    now = services.clock()
    async with services.db.transaction() as conn:
        counts = await seed_province(conn, services.bank, now, ZoneInfo(services.settings.timezone),
                                     officers=args.officers)
    print(f"demo province: {counts['agencies']} agencies, {counts['officers']} officers, {counts['answers']} answers")
    return 0
