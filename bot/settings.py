"""Configuration from the environment (and a `.env` file), read once in the composition root."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///pmqa.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="PMQA_DATABASE_URL")
    timezone: str = Field("Asia/Bangkok", validation_alias="PMQA_TIMEZONE")
    public_url: str | None = Field(None, validation_alias="PMQA_PUBLIC_URL")
    log_level: str = Field("INFO", validation_alias="PMQA_LOG_LEVEL")
    reminders_enabled: bool = Field(True, validation_alias="PMQA_REMINDERS")
    max_body_bytes: int = Field(1_000_000, ge=1_000, validation_alias="PMQA_MAX_BODY_BYTES")
    # Slow clients (bot/edges/slow_clients.py): seconds to send a request head, and a whole body;
    # idle keep-alive seconds; open connections at once (keep well under the process's file limit).
    header_timeout: float = Field(10.0, gt=0, validation_alias="PMQA_HEADER_TIMEOUT")
    body_timeout: float = Field(20.0, gt=0, validation_alias="PMQA_BODY_TIMEOUT")
    keepalive_timeout: int = Field(5, ge=1, validation_alias="PMQA_KEEPALIVE_TIMEOUT")
    max_connections: int = Field(500, ge=1, validation_alias="PMQA_MAX_CONNECTIONS")
    # Where people find the bot, written into the message that travels with an invite code.
    line_id: str | None = Field(None, validation_alias="PMQA_LINE_ID")
    telegram_bot: str | None = Field(None, validation_alias="PMQA_TELEGRAM_BOT")

    line_channel_secret: str | None = Field(None, validation_alias="LINE_CHANNEL_SECRET")
    line_channel_access_token: str | None = Field(None, validation_alias="LINE_CHANNEL_ACCESS_TOKEN")
    line_api_base_url: str | None = Field(None, validation_alias="LINE_API_BASE_URL")

    telegram_bot_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_base_url: str | None = Field(None, validation_alias="TELEGRAM_API_BASE_URL")
    telegram_overall_rate: float = Field(30.0, gt=0, validation_alias="TELEGRAM_OVERALL_RATE")
    telegram_chat_rate: float = Field(1.0, gt=0, validation_alias="TELEGRAM_CHAT_RATE")

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_channel_access_token)

    def public_link(self, path: str) -> str | None:
        """An https link under PMQA_PUBLIC_URL (LINE takes images only by https URL); None if unset."""
        if not self.public_url or not self.public_url.startswith("https://"):
            return None
        return f"{self.public_url.rstrip('/')}/{path.lstrip('/')}"
