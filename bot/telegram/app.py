"""Building and running the PTB Application: polling, or our own webhook route."""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.edges.dead_letters import DeadLetters, as_text, is_transient
from bot.edges.shapes import Rejected, Unknown, check_telegram_update, telegram_update_id
from bot.engine import Engine
from bot.exporting import Exporter
from bot.media import MediaStore
from bot.settings import Settings
from bot.telegram.channel import TelegramChannel
from bot.telegram.limits import ChatRateLimiter, PerChatUpdateProcessor

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
SECRET_HEADER = "x-telegram-bot-api-secret-token"
CHANNEL = "telegram"


class TelegramRuntime:
    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], channel: TelegramChannel,
                 settings: Settings) -> None:
        self.app = app
        self.channel = channel
        self.settings = settings
        self.dead_letters = DeadLetters(channel.engine.db, channel.engine.clock)

    async def webhook(self, request: Request) -> Response:
        expected = self.settings.telegram_webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()  # at most PMQA_MAX_BODY_BYTES: the body limit refused anything larger
        try:
            await self._handle(body)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("Telegram update not recorded, the database is unavailable: %s", type(error).__name__)
            return PlainTextResponse("database unavailable", status_code=503)  # Telegram retries it
        return PlainTextResponse("OK")

    async def _handle(self, body: bytes) -> None:
        """One update: anything but a transient failure ends in 200, since Telegram holds back a chat's
        later updates while it retries one, and a poison update would be retried forever."""
        try:
            raw = json.loads(body)
        except (ValueError, RecursionError) as error:
            reason = "not JSON: nested too deeply" if isinstance(error, RecursionError) else f"not JSON: {error}"
            await self.dead_letters.keep(CHANNEL, None, reason, body)
            return
        update_id = telegram_update_id(raw)
        event_id = None if update_id is None else str(update_id)
        match check_telegram_update(raw):
            case Rejected(reason):
                await self.dead_letters.keep(CHANNEL, event_id, reason, as_text(raw))
                return
            case Unknown(kind):
                log.info("skipped a Telegram update of a kind this bot does not handle: %s", kind)
                return
        await self.dead_letters.isolate(CHANNEL, event_id, raw, self._process(raw))

    async def _process(self, raw: dict[str, Any]) -> None:
        update = Update.de_json(raw, self.app.bot)
        try:
            # Handled before answering: a 200 means the update is recorded; on failure Telegram retries.
            await self.app.update_processor.process_update(update, self.channel.on_update(update))
        except TelegramError as error:  # the update is recorded; only our answer to it did not get through
            log.warning("could not answer a Telegram update: %r", error)


def build_application(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    assert settings.telegram_bot_token is not None
    # PTB 22 warns on every RetryAfter unless durations are opted in to timedelta (its future default).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    builder = (Application.builder().token(settings.telegram_bot_token)
               .rate_limiter(ChatRateLimiter(overall_per_second=settings.telegram_overall_rate,
                                             per_chat_per_second=settings.telegram_chat_rate))
               .concurrent_updates(PerChatUpdateProcessor()))
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    return builder.build()


@asynccontextmanager
async def telegram_runtime(settings: Settings, engine: Engine, *, polling: bool,
                           exporter: Exporter | None = None,
                           media: MediaStore | None = None) -> AsyncIterator[TelegramRuntime]:
    app = build_application(settings)
    channel = TelegramChannel(engine, engine.bank, exporter, media)
    app.add_handler(TypeHandler(Update, channel.on_update))
    app.add_error_handler(_log_error)
    await app.initialize()
    try:
        await channel.set_commands(app.bot)
        if polling:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        elif (url := settings.public_link("/webhooks/telegram")) and settings.telegram_webhook_secret:
            await app.bot.set_webhook(url, secret_token=settings.telegram_webhook_secret,
                                      allowed_updates=ALLOWED_UPDATES)
        else:
            log.warning("Telegram webhook not registered: set PMQA_PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET, "
                        "or run with --telegram-polling")
        await app.start()
        yield TelegramRuntime(app, channel, settings)
    finally:
        if polling and app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("Telegram update failed", exc_info=context.error)
