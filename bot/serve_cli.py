"""The server's commands: `serve` (LINE and Telegram webhooks or polling, health, charts, the dashboard)
and `line rich-menu` (the LINE official account's setup)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.commands import fail
from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _serve(args: argparse.Namespace) -> int:
    """Listen first, then load: the socket is bound and listening before the app's libraries are
    imported, so during a restart the kernel queues LINE's and Telegram's requests instead of refusing
    them, and they are answered as soon as the app is up."""
    import logging

    settings = Settings()
    backlog = min(2048, settings.max_connections * 2)
    sock = _listening_socket(args.host, args.port, backlog=backlog)

    import uvicorn

    from bot.edges.slow_clients import Guard, guarded_protocol
    from bot.web import create_app

    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings, telegram_polling=args.telegram_polling)
    guard = Guard(max_connections=settings.max_connections, header_timeout=settings.header_timeout)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=settings.log_level.lower(),
                            http=guarded_protocol(guard), timeout_keep_alive=settings.keepalive_timeout,
                            h11_max_incomplete_event_size=16 * 1024, backlog=backlog)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _listening_socket(host: str, port: int, *, backlog: int) -> Any:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise SystemExit(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _line_rich_menu(args: argparse.Namespace) -> int:
    from bot.line.richmenu import create_rich_menu

    settings = Settings()
    if not settings.line_enabled:
        return fail("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first")
    menu_id = asyncio.run(create_rich_menu(settings))
    print(f"rich menu {menu_id} created and set as the default for every user")
    return 0
