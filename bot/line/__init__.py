"""The LINE Messaging API channel: webhook intake, rendering and sending."""

from bot.line import sdk as _sdk  # noqa: F401 - loads line-bot-sdk first, with lazily built validators
