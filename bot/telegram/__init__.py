"""The Telegram channel: python-telegram-bot used as transport only (no ConversationHandler,
no JobQueue) — the conversation and its state live in our engine and database."""
