"""The platforms' reminder senders for `pmqa-bot remind` (the server builds its own from its channels)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from bot.engine import Engine
from bot.reminders import ChannelSender
from bot.settings import Settings


@asynccontextmanager
async def reminder_senders(settings: Settings, engine: Engine) -> AsyncIterator[dict[str, ChannelSender]]:
    senders: dict[str, ChannelSender] = {}
    async with AsyncExitStack() as stack:
        if settings.line_enabled:
            from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

            from bot.line.reminders import LineReminderSender
            from bot.line.sender import LineSender

            client = AsyncApiClient(Configuration(host=settings.line_api_base_url,
                                                  access_token=settings.line_channel_access_token))
            stack.push_async_callback(client.close)
            senders["line"] = LineReminderSender(LineSender(AsyncMessagingApi(client)), engine.record_spend)
        if settings.telegram_enabled:
            from bot.telegram.app import build_application
            from bot.telegram.reminders import TelegramReminderSender

            app = build_application(settings)
            await app.bot.initialize()
            stack.push_async_callback(app.bot.shutdown)
            senders["telegram"] = TelegramReminderSender(app.bot)
        yield senders
