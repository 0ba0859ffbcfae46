"""Administration from the command line: chat, db, org, invite, round, remind, demo-data."""

from __future__ import annotations

import argparse
import getpass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands import fail, with_services
from bot.invites import INVITE_TERMS


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = commands.add_parser("chat", help="take the assessment in this terminal")
    chat.add_argument("--user", default=None, help="who you are in the console (default: your login name)")
    chat.add_argument("--name", default=None, help="the name the bot greets you with")
    chat.set_defaults(run=with_services(_chat))

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands")
    db_upgrade = db_commands.add_parser("upgrade", help="apply migrations (also done at every start)")
    db_upgrade.set_defaults(run=with_services(_db_upgrade, migrate=False))

    org = commands.add_parser("org", help="agencies")
    org_commands = org.add_subparsers(title="org commands")
    org_add = org_commands.add_parser("add", help="add an agency (or a province that holds agencies)")
    org_add.add_argument("--code", required=True)
    org_add.add_argument("--name", required=True)
    org_add.add_argument("--parent", help="code of the parent (e.g. the province)")
    org_add.set_defaults(run=with_services(_org_add))
    org_list = org_commands.add_parser("list", help="every agency, as a tree (code, name)")
    org_list.set_defaults(run=with_services(_org_list))

    invite = commands.add_parser("invite", help="invite codes")
    invite_commands = invite.add_subparsers(title="invite commands")
    invite_create = invite_commands.add_parser("create", help="create an invite code")
    invite_create.add_argument("--org", required=True, help="agency code")
    invite_create.add_argument("--role", choices=("officer", "coordinator"), default="officer")
    terms = ", ".join(f"{role} {uses} use(s) / {days} days" for role, (uses, days) in INVITE_TERMS.items())
    invite_create.add_argument("--uses", type=int, help=f"how many people may use it (default: {terms})")
    invite_create.add_argument("--days", type=int, help="days until it expires (default: as for --uses)")
    invite_create.add_argument("--categories", help="only these categories, e.g. 1,2,7 (default: all)")
    invite_create.set_defaults(run=with_services(_invite_create))
    invite_list = invite_commands.add_parser("list", help="invites, newest first: uses, expiry, state")
    invite_list.add_argument("--org", help="only this agency and the agencies beneath it")
    invite_list.set_defaults(run=with_services(_invite_list))
    invite_revoke = invite_commands.add_parser("revoke", help="stop an invite code from letting anyone else join")
    invite_revoke.add_argument("code", help="the code, with or without its dash")
    invite_revoke.set_defaults(run=with_services(_invite_revoke))

    rounds = commands.add_parser("round", help="assessment rounds")
    round_commands = rounds.add_subparsers(title="round commands")
    round_open = round_commands.add_parser("open", help="open a round with a closing date")
    round_open.add_argument("--name", required=True)
    round_open.add_argument("--closes", required=True, help="YYYY-MM-DD (ค.ศ. or พ.ศ.)")
    round_open.add_argument("--org", help="agency or province code (default: every top-level agency)")
    round_open.set_defaults(run=with_services(_round_open))
    round_list = round_commands.add_parser("list", help="rounds, newest first, with their state")
    round_list.add_argument("--org", help="only rounds that apply to this agency (its own and those above it)")
    round_list.set_defaults(run=with_services(_round_list))
    round_close = round_commands.add_parser("close", help="close a round: no more answers or edits in it")
    round_close.add_argument("id", nargs="?", type=int, help="the round's number (see `round list`)")
    round_close.add_argument("--org", help="instead of ID: the round now open for this agency")
    round_close.set_defaults(run=with_services(_round_close))

    remind = commands.add_parser("remind", help="send the reminders that are due now (for cron; "
                                                "`pmqa-bot serve` also does this every minute)")
    remind.add_argument("--dry-run", action="store_true", help="show who would be reminded; send nothing")
    remind.set_defaults(run=with_services(_remind))

    demo = commands.add_parser("demo-data", help="add a demo province with agencies, officers and answers "
                                                 "(once: a second run adds nothing)")
    demo.add_argument("--officers", type=int, default=3, help="officers per agency (default 3)")
    demo.set_defaults(run=with_services(_demo_data))


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
            return fail(f"agency code {args.code!r} already exists")
        parent_id = None
        if args.parent:
            parent = await repo.agency_by_code(conn, args.parent)
            if parent is None:
                return fail(f"no agency with code {args.parent!r}")
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
    from bot.invites import BotAddresses, forwardable
    from storage import invite_codes
    from storage import repository as repo

    try:
        categories = parse_categories(args.categories)
    except ValueError as error:
        return fail(str(error))
    default_uses, default_days = INVITE_TERMS[args.role]
    uses = default_uses if args.uses is None else args.uses
    days = default_days if args.days is None else args.days
    if uses < 1 or days < 1:
        return fail("--uses and --days must be at least 1")
    now = services.clock()
    async with services.db.transaction() as conn:
        agency = await repo.agency_by_code(conn, args.org)
        if agency is None:
            return fail(f"no agency with code {args.org!r}")
        code = await invite_codes.create_invite(conn, agency.id, args.role, now, uses=uses, days=days,
                                        categories=categories)
        await repo.audit(conn, now, None, "invite.create", args.org, {"role": args.role, "uses": uses, "days": days})
    settings = services.settings
    expires = (now + timedelta(days=days)).astimezone(ZoneInfo(settings.timezone)).date()
    shown = invite_codes.format_invite_code(code)
    print(f"{args.role} invite for {agency.name}: {uses} use(s), expires in {days} day(s) ({expires})")
    print("message to forward (Thai):")
    print(_indent(forwardable(role=args.role, agency=agency.name, code=shown, expires=expires, categories=categories,
                              addresses=BotAddresses(settings.line_id, settings.telegram_bot))))
    print(shown)  # alone on the last line: scripts take it from there
    return 0


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


async def _invite_list(services: Any, args: argparse.Namespace) -> int:
    from storage import invite_codes
    from storage import repository as repo

    now = services.clock()
    tz = ZoneInfo(services.settings.timezone)
    async with services.db.read() as conn:
        scope = None
        if args.org:
            agency = await repo.agency_by_code(conn, args.org)
            if agency is None:
                return fail(f"no agency with code {args.org!r}")
            scope = [a.id for a in await repo.subtree(conn, agency.id)]
        rows = await invite_codes.invites_of(conn, scope)
    if not rows:
        print("no invites yet: create one with `pmqa-bot invite create --org CODE`")
        return 0
    for row in rows:
        categories = f" categories {row.categories}" if row.categories else ""
        expires = row.expires_at.astimezone(tz).date()
        print(f"{invite_codes.format_invite_code(row.code)}  {row.agency_code:<12} {row.role:<11} "
              f"used {row.uses}/{row.max_uses}  expires {expires}  {invite_codes.invite_state(row, now)}{categories}")
    return 0


async def _invite_revoke(services: Any, args: argparse.Namespace) -> int:
    from storage import invite_codes
    from storage import repository as repo

    now = services.clock()
    async with services.db.transaction() as conn:
        row = await invite_codes.invite_by_code(conn, args.code)
        if row is None:
            return fail(f"no invite with code {args.code!r} (see `pmqa-bot invite list`)")
        agency = await repo.agency_by_id(conn, row.agency_id)
        if not await invite_codes.revoke_invite(conn, row.id, now):
            print(f"{invite_codes.format_invite_code(row.code)} was already revoked")
            return 0
        await repo.audit(conn, now, None, "invite.revoke", agency.code, {"role": row.role, "used": row.uses})
    shown = invite_codes.format_invite_code(row.code)
    print(f"revoked {shown} ({row.role} invite for {agency.name}): it lets nobody else "
          f"join; the {row.uses} who joined with it keep their access")
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
        return fail(f"--closes must be YYYY-MM-DD, got {args.closes!r}")
    now = services.clock()
    today = now.astimezone(ZoneInfo(services.settings.timezone)).date()
    if closes < today:
        return fail(f"the closing date {closes} is already past")
    async with services.db.transaction() as conn:
        if args.org:
            agency = await repo.agency_by_code(conn, args.org)
            if agency is None:
                return fail(f"no agency with code {args.org!r}")
            targets = [agency]
        else:
            targets = list(await conn.execute(select(agencies).where(agencies.c.parent_id.is_(None))))
            if not targets:
                return fail("no agencies yet: add one with `pmqa-bot org add`")
        for agency in targets:
            held = await repo.round_overlapping(conn, agency.id, today)
            if held is not None:
                holder = await repo.agency_by_id(conn, held.agency_id)
                return fail(f"round {held.id} \"{held.name}\" of {holder.code} is still open (closes {held.closes_on})"
                             f" and applies to {agency.code}: one open round per agency at a time;"
                             f" close it first with `pmqa-bot round close {held.id}`")
        for agency in targets:  # every target checked before any round opens: all or nothing
            round_id = await repo.open_round(conn, args.name, agency.id, today, closes, now)
            await repo.audit(conn, now, None, "round.open", agency.code, {"round": round_id, "closes": str(closes)})
            print(f"opened round {round_id} \"{args.name}\" for {agency.code}, closes {closes}")
    return 0


async def _org_list(services: Any, args: argparse.Namespace) -> int:
    from storage import repository as repo

    async with services.db.read() as conn:
        rows = await repo.all_agencies(conn)
    if not rows:
        print("no agencies yet: add one with `pmqa-bot org add` (or try `pmqa-bot demo-data`)")
        return 0
    children: dict[int | None, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def show(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):  # already ordered by code
            print(f"{'  ' * depth}{row.code}  {row.name}")
            show(row.id, depth + 1)

    show(None, 0)
    return 0


async def _round_list(services: Any, args: argparse.Namespace) -> int:
    from storage import repository as repo

    today = services.clock().astimezone(ZoneInfo(services.settings.timezone)).date()
    async with services.db.read() as conn:
        holders = None
        if args.org:
            agency = await repo.agency_by_code(conn, args.org)
            if agency is None:
                return fail(f"no agency with code {args.org!r}")
            holders = await repo.ancestors(conn, agency.id)
        rows = await repo.all_rounds(conn, holders)
    if not rows:
        print("no rounds yet: open one with `pmqa-bot round open`")
        return 0
    for row in rows:
        print(f"{row.id:>4}  {row.agency_code:<12} {row.opens_on} – {row.closes_on}  {_round_state(row, today):<18} "
              f"{row.name}")
    return 0


def _round_state(row: Any, today: date) -> str:
    if row.closed_at is not None:
        return "closed"
    if row.opens_on > today:
        return "not yet open"
    return "open" if row.closes_on >= today else "open, past closing"


async def _round_close(services: Any, args: argparse.Namespace) -> int:
    from storage import repository as repo

    now = services.clock()
    today = now.astimezone(ZoneInfo(services.settings.timezone)).date()
    if (args.id is None) == (args.org is None):
        return fail("give a round's ID or --org CODE (see `pmqa-bot round list`)")
    async with services.db.transaction() as conn:
        if args.id is not None:
            row = await repo.round_by_id(conn, args.id)
            if row is None:
                return fail(f"no round {args.id} (see `pmqa-bot round list`)")
        else:
            agency = await repo.agency_by_code(conn, args.org)
            if agency is None:
                return fail(f"no agency with code {args.org!r}")
            current = await repo.current_round(conn, agency.id, today)
            if current is None:
                return fail(f"no round is open for {args.org}")
            row = await repo.round_by_id(conn, current.id)
        if row.closed_at is not None:
            return fail(f"round {row.id} is already closed")
        await repo.update_round(conn, row.id, closed_at=now)
        holder = await repo.agency_by_id(conn, row.agency_id)
        await repo.audit(conn, now, None, "round.close", holder.code, {"round": row.id})
    print(f"closed round {row.id} \"{row.name}\" of {holder.code}: answers are kept, no more can be given")
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
            return fail("neither LINE nor Telegram is configured: nothing can be sent")
        report = await Reminders(services.db, services.bank, services.clock, settings.timezone, senders).sweep()
    if report.deferred:
        print("outside 08:00-20:00 Asia/Bangkok: reminders wait for the morning")
        return 0
    print(f"{report.reminders} reminder(s): sent {report.sent}, skipped {report.skipped}, blocked {report.blocked}, "
          f"failed {report.failed}, unknown {report.unknown}")
    return 1 if report.failed else 0


async def _demo_data(services: Any, args: argparse.Namespace) -> int:
    from bot.demo import seed_province

    if args.officers < 1:
        return fail("--officers must be at least 1")
    now = services.clock()
    async with services.db.transaction() as conn:
        demo = await seed_province(conn, services.bank, now, ZoneInfo(services.settings.timezone),
                                   officers=args.officers)
    if demo.created:
        officers = demo.submitted + demo.part_way + demo.not_started
        print(f"demo province {demo.code} ({demo.name}): {demo.agencies} agencies, {officers} officers "
              f"({demo.submitted} submitted, {demo.part_way} part-way, {demo.not_started} not started), "
              f"{demo.answers} answers")
        print(f"round {demo.round_id} \"{demo.round_name}\" open for the whole province, closes {demo.closes_on}")
    else:
        print(f"demo province {demo.code} ({demo.name}) is already there: nothing added")
    coordinator_uses, coordinator_days = INVITE_TERMS["coordinator"]
    if demo.coordinator_invite:
        print(f"coordinator invite for {demo.code} ({coordinator_uses} use, {coordinator_days} days): "
              f"{demo.coordinator_invite}")
    else:
        print(f"no unused coordinator invite left: pmqa-bot invite create --org {demo.code} --role coordinator")
    if demo.officer_invite:
        print(f"officer invite for {demo.officer_agency}: {demo.officer_invite}")
    print("try it: pmqa-bot chat --user coordinator, type ยินยอม, then the coordinator invite")
    return 0
