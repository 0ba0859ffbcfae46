"""`pmqa-bot export`: a round's Excel workbook for an agency, a province or the whole country."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.commands import fail, with_services


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="Excel workbook of a round: overview, categories, questions, "
                                                "disagreements, improvement plan")
    export.add_argument("--org", required=True, help="agency or province code; agencies beneath it are included")
    export.add_argument("--round", type=int, dest="round_id",
                        help="round id (default: the round open now, else the latest one)")
    export.add_argument("-o", "--output", type=Path,
                        help="the .xlsx file to write (default: pmqa-CODE-round-ID-DATE.xlsx here)")
    export.set_defaults(run=with_services(_export))


async def _export(services: Any, args: argparse.Namespace) -> int:
    from bot.export import export_round
    from storage import repository as repo

    async with services.db.transaction() as conn:
        agency = await repo.agency_by_code(conn, args.org)
    if agency is None:
        return fail(f"no agency with code {args.org!r}")
    export = await export_round(services.db, services.bank, agency.id, args.round_id, services.clock(),
                                timezone=services.settings.timezone)
    if export is None:
        which = f"round {args.round_id}" if args.round_id is not None else "any round"
        return fail(f"{args.org} has no {which}: open one with `pmqa-bot round open`")
    path: Path = (args.output or Path(export.filename)).absolute()
    try:
        await asyncio.to_thread(path.write_bytes, export.data)
    except OSError as error:
        return fail(f"cannot write {path}: {error.strerror}")
    print(f"wrote {path}")
    print(f"round {export.round_id} \"{export.round_name}\": {_count(export.agencies, 'agency', 'agencies')} "
          f"({export.answering_agencies} with answers), {_count(export.respondents, 'respondent', 'respondents')}, "
          f"{len(export.data) / 1024:.0f} KB")
    return 0


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"
