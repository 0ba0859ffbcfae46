"""Telegram updates → the engine → Telegram messages.

After a button tap the question's message is edited to show the chosen answer and loses
its keyboard, so an old keyboard cannot be tapped again by mistake; the callback is always
answered so the button stops spinning.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, BotCommand, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.coordination import ExportJob
from bot.edges.shapes import clean_name
from bot.engine import Engine, Inbound
from bot.exporting import FILE_TTL, XLSX, Exporter
from bot.media import MediaStore, chart_png
from bot.telegram.render import to_outgoing
from conversations import Event, RecordAnswer, Tap, Text, Unsupported
from conversations import coordinator_texts as ct
from conversations import texts as t
from conversations.parsing import AnswerTap, parse_tap
from criteria.model import Bank

log = logging.getLogger(__name__)
TELEGRAM_FILE_LIMIT = 50_000_000  # bytes a bot may send as a document
CHANNEL = "telegram"
COMMANDS = (
    ("start", "เริ่ม / กลับไปที่ค้างไว้"),
    ("resume", "ทำต่อจากข้อที่ค้างไว้"),
    ("back", "ย้อนกลับไปข้อก่อนหน้า"),
    ("skip", "ข้ามข้อนี้ไว้ก่อน"),
    ("edit", "แก้ไขคำตอบ"),
    ("progress", "ความคืบหน้าและวันปิดรับ"),
    ("summary", "สรุปผลการประเมิน"),
    ("explain", "คำอธิบายของข้อนี้"),
    ("help", "วิธีใช้"),
    ("forget", "ลบข้อมูลของฉัน"),
)
UNSUPPORTED_ATTRIBUTES = ("sticker", "photo", "voice", "audio", "video", "video_note", "document", "location",
                          "contact", "animation", "poll", "dice", "venue")


class TelegramChannel:
    def __init__(self, engine: Engine, bank: Bank, exporter: Exporter | None = None,
                 media: MediaStore | None = None) -> None:
        self.engine = engine
        self.bank = bank
        self.exporter = exporter
        self.media = media

    async def set_commands(self, bot: Bot) -> None:
        await bot.set_my_commands([BotCommand(name, description) for name, description in COMMANDS])

    async def on_update(self, update: object, context: Any = None) -> None:
        """Handles one update end to end; raises if it could not be recorded (so a webhook can answer 500)."""
        if not isinstance(update, Update):
            return
        bot = update.get_bot()
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None:
            return
        if chat.type != "private":
            if update.message is not None or update.callback_query is not None:
                await self._send_text(bot, chat.id, t.GROUP_CHAT)
            if update.callback_query is not None:
                await self._answer(update)
            return
        if update.edited_message is not None:
            await self._send_text(bot, chat.id, t.EDITED_MESSAGE)
            return
        event = _event_of(update)
        if event is None:
            return
        outcome = await self.engine.handle(Inbound(CHANNEL, str(user.id), event, event_id=str(update.update_id),
                                                   display_name=clean_name(user.full_name)))
        if update.callback_query is not None:
            await self._settle_tap(update, outcome.facts)
        if outcome.duplicate:
            return
        await self.send(bot, chat.id, outcome.replies)
        for job in outcome.exports:
            if self.exporter is not None:
                self._export(bot, chat.id, job, self.exporter)

    def _export(self, bot: Bot, chat_id: int, job: ExportJob, exporter: Exporter) -> None:
        async def deliver(built: tuple[str, bytes] | None) -> None:
            if built is None:
                await self._send_text(bot, chat_id, ct.EXPORT_EMPTY)
                return
            filename, data = built
            if len(data) <= TELEGRAM_FILE_LIMIT:
                await bot.send_document(chat_id, data, filename=filename, caption=ct.EXPORT_READY)
                return
            # A national workbook can pass the 50 MB bots may send: offer a link instead, as LINE does.
            url = None if self.media is None else await self.media.file_url(data, filename, XLSX, FILE_TTL,
                                                                            agency_id=job.agency_id)
            await self._send_text(bot, chat_id, ct.EXPORT_READY_LINK.format(url=url) if url else ct.EXPORT_TOO_BIG)

        exporter.start(job, deliver, lambda: self._send_text(bot, chat_id, ct.EXPORT_FAILED))

    async def send(self, bot: Bot, chat_id: int, replies: Any) -> None:
        for message in to_outgoing(replies):
            try:
                await bot.send_message(chat_id, message.text, reply_markup=message.keyboard)
                if message.chart is not None:
                    png = await asyncio.to_thread(chart_png, message.chart)
                    await bot.send_photo(chat_id, png, caption=message.chart.title)
            except Forbidden:
                log.info("a Telegram user blocked the bot")
                return

    async def _send_text(self, bot: Bot, chat_id: int, text: str) -> None:
        try:
            await bot.send_message(chat_id, text)
        except TelegramError as error:
            log.info("could not send to a Telegram chat: %r", error)

    async def _settle_tap(self, update: Update, facts: Any) -> None:
        query = update.callback_query
        assert query is not None
        tap = parse_tap(query.data or "")
        recorded = isinstance(tap, AnswerTap) and any(
            isinstance(f, RecordAnswer) and f.question_id == tap.question_id for f in facts)
        await self._answer(update, t.TAP_SAVED if recorded else None)
        message = query.message
        if not isinstance(message, Message):
            return
        try:
            if recorded and isinstance(tap, AnswerTap) and message.text:
                label = self._label(tap)
                await message.edit_text(f"{message.text}\n\n{t.ANSWER_CHOSEN.format(answer=label)}",
                                        reply_markup=None)
            elif message.reply_markup is not None:
                await message.edit_reply_markup(reply_markup=None)
        except BadRequest as error:  # e.g. "message is not modified", or too old to edit
            log.debug("could not update the tapped message: %s", error)

    def _label(self, tap: AnswerTap) -> str:
        question = self.bank.question(tap.question_id)
        option = None if question is None else self.bank.scale_for(question).option(tap.code)
        return option.label if option else tap.code

    async def _answer(self, update: Update, text: str | None = None) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer(text)
        except BadRequest as error:  # answered already (a duplicate), or too old
            log.debug("callback query not answered: %s", error)


def _event_of(update: Update) -> Event | None:
    if update.callback_query is not None:
        return Tap(update.callback_query.data or "")
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        return Text(message.text)  # /start and the other commands are understood by the core
    for attribute in UNSUPPORTED_ATTRIBUTES:
        if getattr(message, attribute, None):
            return Unsupported(attribute)
    return Unsupported("other")
