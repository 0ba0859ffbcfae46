"""What every database subcommand shares: run an async command with the services built, fail politely."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.settings import Settings

EXIT_USAGE = 2
Runner = Callable[[Any, argparse.Namespace], Awaitable[int]]


def with_services(runner: Runner, *, migrate: bool = True) -> Callable[[argparse.Namespace], int]:
    """An argparse handler that builds the services (database migrated first, unless told not to) and runs `runner`."""

    def run(args: argparse.Namespace) -> int:
        return asyncio.run(_run(runner, args, migrate))

    return run


async def _run(runner: Runner, args: argparse.Namespace, migrate: bool) -> int:
    from bot.services import services

    async with services(Settings(), migrate=migrate) as built:
        return await runner(built, args)


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE
