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
