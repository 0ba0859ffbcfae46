"""The ASGI app: one server for `/webhooks/line`, `/webhooks/telegram`, `/healthz` and `/charts/…`.

Everything long-lived (database, LINE client) is created in the lifespan, inside the
running loop — line-bot-sdk's async client cannot be created outside one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.dashboard.app import routes as dashboard_routes
from bot.edges.body_limit import BodyLimit
from bot.engine import Clock, utc_now
from bot.exporting import Exporter
from bot.line.reminders import LineReminderSender
from bot.media import MediaStore
from bot.reminders import ChannelSender, Reminders
from bot.services import services
from bot.settings import Settings
from storage.database import Database

EVENT_IDS_KEPT = timedelta(days=7)
DEAD_LETTERS_KEPT = timedelta(days=30)
HOUSEKEEPING_EVERY = 3600.0

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, clock: Clock = utc_now, telegram_polling: bool = False) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            built = await stack.enter_async_context(services(settings, clock=clock))
            app.state.services = built
            app.state.media = MediaStore(built.db, settings, clock)
            exporter = Exporter(built)
            stack.push_async_callback(exporter.drain)  # a file someone waits for is finished, not dropped
            senders: dict[str, ChannelSender] = {}
            app.state.line = None
            if settings.line_enabled:
                app.state.line = await stack.enter_async_context(
                    _line_channel(settings, built, app.state.media, exporter))
                senders["line"] = LineReminderSender(app.state.line.sender, built.engine.record_spend)
            else:
                log.info("LINE is off: LINE_CHANNEL_SECRET / LINE_CHANNEL_ACCESS_TOKEN not set")
            app.state.telegram = None
            if settings.telegram_enabled:
                from bot.telegram.app import telegram_runtime
                from bot.telegram.reminders import TelegramReminderSender

                app.state.telegram = await stack.enter_async_context(
                    telegram_runtime(settings, built.engine, polling=telegram_polling, exporter=exporter,
                                     media=app.state.media))
                senders["telegram"] = TelegramReminderSender(app.state.telegram.app.bot)
            else:
                log.info("Telegram is off: TELEGRAM_BOT_TOKEN not set")
            reminders = Reminders(built.db, built.bank, clock, settings.timezone, senders)
            built.engine.on_reminder_due = reminders.wake
            app.state.reminders = reminders
            tasks = [asyncio.create_task(_housekeeping(built.db, clock))]
            if settings.reminders_enabled:
                tasks.append(asyncio.create_task(reminders.run_forever()))
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()  # and wait: none may outlive the database it uses
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    return Starlette(
        routes=[
            Route("/healthz", _healthz),
            Route("/webhooks/line", _webhook("line", "LINE"), methods=["POST"]),
            Route("/webhooks/telegram", _webhook("telegram", "Telegram"), methods=["POST"]),
            Route("/charts/{token}.png", _media),
            Route("/files/{token}/{filename}", _media),
            *dashboard_routes(),
        ],
        middleware=[Middleware(BodyLimit, max_bytes=settings.max_body_bytes, body_timeout=settings.body_timeout)],
        lifespan=lifespan,
    )


@asynccontextmanager
async def _line_channel(settings: Settings, built: object, media: MediaStore,
                        exporter: Exporter) -> AsyncIterator[Any]:
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

    from bot.line.channel import LineChannel

    # host=None lets each SDK operation use LINE's own host (api.line.me, api-data.line.me);
    # LINE_API_BASE_URL sends every call, blob calls included, to one base instead.
    configuration = Configuration(host=settings.line_api_base_url, access_token=settings.line_channel_access_token)
    client = AsyncApiClient(configuration)
    try:
        assert settings.line_channel_secret is not None
        yield LineChannel(built.engine, AsyncMessagingApi(client), settings.line_channel_secret, media,  # type: ignore[attr-defined]
                          exporter)
    finally:
        await client.close()


async def _housekeeping(db: Database, clock: Clock) -> None:
    """Hourly: forget event ids older than a week (LINE and Telegram redeliver within hours), expired
    chart/file links, and dead letters older than a month."""
    from storage import dashboard as dashboard_store
    from storage import dead_letters
    from storage import repository as repo

    while True:
        await asyncio.sleep(HOUSEKEEPING_EVERY)
        try:
            async with db.transaction() as conn:
                now = clock()
                await repo.prune_events(conn, now - EVENT_IDS_KEPT)
                await repo.prune_media(conn, now)
                await dead_letters.prune(conn, now - DEAD_LETTERS_KEPT)
                await dashboard_store.prune(conn, now)
        except Exception:  # a busy database must not kill the server; try again next hour
            log.exception("housekeeping failed")


async def _healthz(request: Request) -> Response:
    healthy = await request.app.state.services.db.ping()
    return JSONResponse({"status": "ok" if healthy else "database unavailable"}, status_code=200 if healthy else 503)


def _webhook(channel: str, name: str) -> Callable[[Request], Awaitable[Response]]:
    """The route for one channel's webhook: 404 while that channel is off."""

    async def route(request: Request) -> Response:
        runtime = getattr(request.app.state, channel)
        if runtime is None:
            return PlainTextResponse(f"{name} is not configured", status_code=404)
        response: Response = await runtime.webhook(request)
        return response

    return route


async def _media(request: Request) -> Response:
    response: Response = await request.app.state.media.serve(request)
    return response
