"""The fake Telegram Bot API and the update builders, exercised through the real python-telegram-bot (no internet)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import io
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import (
    BotCommandLimit,
    CallbackQueryLimit,
    FileSizeLimit,
    FloodLimit,
    InlineKeyboardButtonLimit,
    MessageLimit,
    ParseMode,
    WebhookLimit,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes import telegram_api as tg
from tests.fakes import telegram_updates as tu
from tests.fakes.telegram_api import FakeTelegramApi, visible_text

CHAT = 42
OTHER_CHAT = 43
GROUP = -1001234567890


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx honours proxy variables; the fake is local.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    # PTB 22 warns (PTBDeprecationWarning, an error here) when a duration such as RetryAfter.retry_after
    # is read as an int; opting in to timedelta values avoids it.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api
    assert api.server_errors == []


@pytest.fixture
async def bot(fake: FakeTelegramApi) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.api_base_url, base_file_url=fake.file_base_url) as b:
        yield b


def builder(fake: FakeTelegramApi) -> ApplicationBuilder:  # type: ignore[type-arg]
    return ApplicationBuilder().token(fake.token).base_url(fake.api_base_url).base_file_url(fake.file_base_url)


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data) for text, data in pairs]])


def png(width: int = 640, height: int = 480) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 82, 155)).save(buffer, format="PNG")
    return buffer.getvalue()


async def raw(fake: FakeTelegramApi, method: str, token: str | None = None, **kwargs: Any) -> tuple[int, Any]:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(f"{fake.api_base_url}{token or fake.token}/{method}", **kwargs)
    return response.status_code, response.json()


@contextlib.asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """initialize + start_polling + start, and the clean shutdown in reverse, even after a failure."""
    await app.initialize()
    try:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        yield app
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


Q1 = keyboard(("ใช่", "q1:yes"), ("ไม่ใช่", "q1:no"))
Q2 = keyboard(("มาก", "q2:5"), ("น้อย", "q2:1"))


def add_quiz_handlers(app: Application, errors: list[BaseException]) -> None:  # type: ignore[type-arg]
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("เริ่มประเมิน PMQA 4.0 — ข้อ 1", reply_markup=Q1)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("บันทึกแล้ว")
        await query.edit_message_text(f"ข้อ 2 (ข้อ 1 ตอบ {query.data})", reply_markup=Q2)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"ได้รับ: {update.effective_message.text}")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_error_handler(on_error)


# --- the fake's own surface -----------------------------------------------------------------------
def test_limits_match_ptb_constants() -> None:
    assert tg.MAX_TEXT == MessageLimit.MAX_TEXT_LENGTH
    assert tg.MAX_CAPTION == MessageLimit.CAPTION_LENGTH
    assert tg.MAX_CALLBACK_DATA == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert tg.MAX_ANSWER_TEXT == CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
    assert tg.MAX_COMMAND == BotCommandLimit.MAX_COMMAND
    assert tg.MAX_COMMAND_DESCRIPTION == BotCommandLimit.MAX_DESCRIPTION
    assert tg.MAX_COMMANDS == BotCommandLimit.MAX_COMMAND_NUMBER
    assert tg.MAX_PHOTO_UPLOAD == FileSizeLimit.PHOTOSIZE_UPLOAD
    assert tg.MAX_FILE_UPLOAD == FileSizeLimit.FILESIZE_UPLOAD
    assert tg.MAX_SECRET_TOKEN == WebhookLimit.MAX_SECRET_TOKEN_LENGTH
    assert tg.MAX_WEBHOOK_CONNECTIONS == WebhookLimit.MAX_CONNECTIONS_LIMIT
    fake = FakeTelegramApi()
    assert (fake.per_chat_per_second, fake.global_per_second, fake.per_group_per_minute) == (
        FloodLimit.MESSAGES_PER_SECOND_PER_CHAT,
        FloodLimit.MESSAGES_PER_SECOND,
        FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
    )


async def test_wrong_token_unknown_method_and_json_bodies(fake: FakeTelegramApi) -> None:
    assert await raw(fake, "getMe", token="999:WRONG") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = await raw(fake, "sendCarrierPigeon")
    assert (status, body["error_code"]) == (404, 404)

    status, body = await raw(fake, "getme")  # method names are case-insensitive, as on Telegram
    assert status == 200 and body["result"]["username"] == "pmqa_test_bot"
    assert fake.calls[-1].method == "getMe"

    markup = {"inline_keyboard": [[{"text": "ใช่", "callback_data": "q1:yes"}]]}
    status, body = await raw(fake, "sendMessage", json={"chat_id": CHAT, "text": "json", "reply_markup": markup})
    assert status == 200 and body["result"]["reply_markup"] == markup
    assert fake.calls[-1].content_type == "application/json"
    status, _ = await raw(fake, "sendMessage", content=b"[1]", headers={"Content-Type": "application/json"})
    assert status == 400
    assert [c.status for c in fake.calls] == [401, 404, 200, 200, 400]


async def test_get_me_is_a_full_bot_user(fake: FakeTelegramApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.first_name) == (123456, True, "pmqa_test_bot", tg.BOT_FIRST_NAME)
    assert (me.can_join_groups, me.can_read_all_group_messages, me.supports_inline_queries) == (True, False, False)
    assert bot.username == "pmqa_test_bot"
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake.api_base_url):
            pass


async def test_ptb_sends_form_bodies_and_the_fake_normalises_them(fake: FakeTelegramApi, bot: Bot) -> None:
    await bot.send_message(CHAT, '["not json"]', reply_markup=Q1, disable_notification=True)
    call = fake.calls_of("sendMessage")[0]
    assert call.content_type == "application/x-www-form-urlencoded"
    assert call.params == {
        "chat_id": CHAT,
        "text": '["not json"]',  # free text is never JSON-decoded
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "ใช่", "callback_data": "q1:yes"}, {"text": "ไม่ใช่", "callback_data": "q1:no"}]
            ]
        },
        "disable_notification": True,
    }
    assert fake.sent_texts(CHAT) == ['["not json"]']


# --- (a) polling through the real Updater -----------------------------------------------------------
async def test_polling_round_trip_with_inline_keyboard(fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="telegram")
    errors: list[BaseException] = []
    app = builder(fake).build()
    add_quiz_handlers(app, errors)

    async with running(app):
        start = fake.push_update(tu.message_update(CHAT, "/start"))
        await fake.wait_for("sendMessage")
        [question] = fake.messages(CHAT)
        assert question["text"] == "เริ่มประเมิน PMQA 4.0 — ข้อ 1"
        assert question["message_id"] > start["message"]["message_id"]  # ids continue after the user's message
        assert question["reply_markup"] == Q1.to_dict()

        pressed = fake.push_update(tu.callback_update(CHAT, "q1:yes", question["message_id"], message_text=question["text"]))
        [answer] = await fake.wait_for("answerCallbackQuery")
        [edit] = await fake.wait_for("editMessageText")
        assert answer.params == {"callback_query_id": pressed["callback_query"]["id"], "text": "บันทึกแล้ว"}
        assert edit.params["chat_id"] == CHAT and edit.params["message_id"] == question["message_id"]
        assert edit.params["reply_markup"] == Q2.to_dict()
        assert fake.messages(CHAT) == [
            {**question, "text": "ข้อ 2 (ข้อ 1 ตอบ q1:yes)", "reply_markup": Q2.to_dict(), "edit_date": edit.response["result"]["edit_date"]}  # type: ignore[index]
        ]

        last = fake.push_update(tu.message_update(CHAT, "สวัสดีค่ะ"))
        await fake.wait_for("sendMessage", 2)
        assert fake.sent_texts(CHAT) == ["ข้อ 2 (ข้อ 1 ตอบ q1:yes)", "ได้รับ: สวัสดีค่ะ"]

    methods = [c.method for c in fake.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    final = fake.calls_of("getUpdates")[-1]
    assert final.params["offset"] == last["update_id"] + 1 and final.params["timeout"] == 0
    assert final.status == 200 and fake.pending_updates == []  # everything fetched was confirmed
    assert errors == [] and fake.violations == []
    problems = [r for r in caplog.records if r.name.startswith("telegram") and r.levelno >= logging.WARNING]
    assert problems == []


async def test_polling_survives_an_injected_server_error(fake: FakeTelegramApi) -> None:
    errors: list[BaseException] = []
    app = builder(fake).build()
    add_quiz_handlers(app, errors)
    fake.fail_next("getUpdates", 409, description="Conflict: terminated by other getUpdates request")
    async with running(app):  # PTB logs the error and polls again after 1 s
        fake.push_update(tu.message_update(CHAT, "/start"))
        await fake.wait_for("sendMessage", timeout=5)
    assert fake.calls_of("getUpdates")[0].status == 409
    assert fake.sent_texts(CHAT) == ["เริ่มประเมิน PMQA 4.0 — ข้อ 1"] and errors == []


# --- (b) no updater: process_update ---------------------------------------------------------------------
async def test_process_update_without_updater(fake: FakeTelegramApi) -> None:
    errors: list[BaseException] = []
    app = builder(fake).updater(None).build()
    add_quiz_handlers(app, errors)
    async with app:
        await app.process_update(Update.de_json(tu.message_update(CHAT, "/start"), app.bot))
        [question] = fake.messages(CHAT)
        callback = fake.observe(tu.callback_update(CHAT, "q1:no", question["message_id"]))
        await app.process_update(Update.de_json(callback, app.bot))
        await app.process_update(Update.de_json(tu.message_update(CHAT, "ตอบแล้ว"), app.bot))
    assert [c.method for c in fake.calls] == [
        "getMe",
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
        "sendMessage",
    ]
    assert fake.sent_texts(CHAT) == ["ข้อ 2 (ข้อ 1 ตอบ q1:no)", "ได้รับ: ตอบแล้ว"]
    assert fake.callback_answers == {callback["callback_query"]["id"]: {"text": "บันทึกแล้ว"}}
    assert errors == [] and fake.violations == []


async def test_an_unobserved_callback_cannot_be_answered(fake: FakeTelegramApi) -> None:
    errors: list[BaseException] = []
    app = builder(fake).updater(None).build()
    add_quiz_handlers(app, errors)
    async with app:
        await app.process_update(Update.de_json(tu.message_update(CHAT, "/start"), app.bot))
        message_id = fake.messages(CHAT)[0]["message_id"]
        await app.process_update(Update.de_json(tu.callback_update(CHAT, "q1:no", message_id), app.bot))
    assert len(errors) == 1 and isinstance(errors[0], BadRequest)
    assert "query is too old" in str(errors[0]).lower()


# --- (c) limits -------------------------------------------------------------------------------------------
async def test_callback_data_is_limited_to_64_utf8_bytes(fake: FakeTelegramApi, bot: Bot) -> None:
    await bot.send_message(CHAT, "ok", reply_markup=keyboard(("a", "x" * 64)))
    await bot.send_message(CHAT, "ok", reply_markup=keyboard(("ก", "ก" * 21)))  # 63 bytes
    for data in ("x" * 65, "ก" * 22):  # 65 and 66 bytes; PTB sends them without checking
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(CHAT, "too long", reply_markup=keyboard(("ก", data)))
    assert fake.violations == ["sendMessage: Bad Request: BUTTON_DATA_INVALID"] * 2
    assert fake.sent_texts(CHAT) == ["ok", "ok"]


async def test_every_button_needs_text_and_exactly_one_action(fake: FakeTelegramApi) -> None:
    for button, expected in (
        ({"text": "เฉยๆ"}, "Text buttons are unallowed"),
        ({"text": "สอง", "callback_data": "a", "url": "https://example.org"}, "exactly one of"),
        ({"text": "", "callback_data": "a"}, "Text must be non-empty"),
        ({"text": "ลิงก์", "url": "javascript:alert(1)"}, "Unsupported URL protocol"),
    ):
        status, body = await raw(
            fake, "sendMessage", json={"chat_id": CHAT, "text": "x", "reply_markup": {"inline_keyboard": [[button]]}}
        )
        assert status == 400 and expected in body["description"], body
    assert len(fake.violations) == 4


async def test_text_is_limited_to_4096_utf16_units_after_entity_parsing(fake: FakeTelegramApi, bot: Bot) -> None:
    await bot.send_message(CHAT, "ก" * 4096)
    await bot.send_message(CHAT, "😀" * 2048)  # 4096 UTF-16 units
    await bot.send_message(CHAT, "<b>" + "ก" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    for text in ("ก" * 4097, "😀" * 2049):
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(CHAT, text)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "  \n ")
    assert [len(m["text"]) for m in fake.messages(CHAT)] == [4096, 2048, 4096]
    assert len(fake.violations) == 3


async def test_caption_is_limited_to_1024(fake: FakeTelegramApi, bot: Bot) -> None:
    image = png(64, 64)
    await bot.send_photo(CHAT, image, caption="ก" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(CHAT, image, caption="ก" * 1025)


async def test_parse_modes_are_parsed_and_bad_markup_is_refused(fake: FakeTelegramApi, bot: Bot) -> None:
    message = await bot.send_message(CHAT, "<b>คะแนน</b> &lt;5&gt;", parse_mode=ParseMode.HTML)
    assert message.text == "คะแนน <5>"
    await bot.send_message(CHAT, r"*ผลรวม* 4\.5 \(ดี\) [ดูผล](https://example.org/a\)b)", parse_mode=ParseMode.MARKDOWN_V2)
    assert fake.sent_texts(CHAT)[-1] == "ผลรวม 4.5 (ดี) ดูผล"
    for text, mode, problem in (
        ("คะแนน <br> 5", ParseMode.HTML, 'unsupported start tag "br"'),
        ("คะแนน < 5", ParseMode.HTML, "unexpected end of name token"),
        ("<b>ตัวหนา</i>", ParseMode.HTML, "unmatched end tag"),
        ("ผลรวม 4.5", ParseMode.MARKDOWN_V2, "character '.' is reserved"),
        ("*ตัวหนา", ParseMode.MARKDOWN_V2, "can't find end of bold entity"),
        ("_เอียง", ParseMode.MARKDOWN, "can't find end of the entity"),
    ):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as error:
            await bot.send_message(CHAT, text, parse_mode=mode)
        assert problem in str(error.value).lower()


def test_visible_text() -> None:
    assert visible_text("<i>a</i>&amp;b", "HTML") == "a&b"
    assert visible_text(r"||ลับ|| __ขีด__ `x\`y` ~z~", "MarkdownV2") == "ลับ ขีด x`y z"
    assert visible_text("```python\nprint(1)```", "MarkdownV2") == "print(1)"
    assert visible_text("> คำพูด", "MarkdownV2") == " คำพูด"
    assert visible_text("*b* [t](http://x)", "Markdown") == "b t"
    assert visible_text("<b>as is</b>", None) == "<b>as is</b>"


async def test_answer_callback_query_once_known_ids_and_200_chars(fake: FakeTelegramApi, bot: Bot) -> None:
    update = fake.observe(tu.callback_update(CHAT, "q1:yes", 1))
    query_id = update["callback_query"]["id"]
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query_id, "ก" * 201)
    assert await bot.answer_callback_query(query_id, "ก" * 200, show_alert=True) is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id, "อีกครั้ง")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("1234567890", "ไม่รู้จัก")
    issued = fake.issue_callback_id()
    assert await bot.answer_callback_query(issued) is True
    assert fake.callback_answers[query_id] == {"text": "ก" * 200, "show_alert": True}
    assert len(fake.violations) == 3


async def test_edits_not_modified_missing_and_keyboard_removal(fake: FakeTelegramApi, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "ข้อ 1", reply_markup=Q1)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("ข้อ 1", chat_id=CHAT, message_id=sent.message_id, reply_markup=Q1)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id, reply_markup=Q1)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("ไม่มี", chat_id=CHAT, message_id=sent.message_id + 100)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("ไม่มี", chat_id=OTHER_CHAT, message_id=sent.message_id)

    # Same text without reply_markup is a change: Telegram drops the keyboard.
    edited = await bot.edit_message_text("ข้อ 1", chat_id=CHAT, message_id=sent.message_id)
    assert edited.reply_markup is None and "reply_markup" not in fake.messages(CHAT)[0]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)
    await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id, reply_markup=Q2)
    # Same visible text, different formatting, is a change too.
    await bot.edit_message_text("<b>ข้อ 1</b>", chat_id=CHAT, message_id=sent.message_id, parse_mode="HTML", reply_markup=Q2)
    assert fake.messages(CHAT)[0]["reply_markup"] == Q2.to_dict()
    assert len(fake.violations) == 5


async def test_reply_keyboards_are_accepted_but_not_on_edits(fake: FakeTelegramApi, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "เลือก", reply_markup=ReplyKeyboardMarkup([["มาก", "น้อย"]]))
    assert sent.reply_markup is None  # a Message only carries inline keyboards
    assert fake.calls_of("sendMessage")[0].params["reply_markup"]["keyboard"] == [[{"text": "มาก"}, {"text": "น้อย"}]]
    status, body = await raw(
        fake,
        "editMessageReplyMarkup",
        json={"chat_id": CHAT, "message_id": sent.message_id, "reply_markup": {"keyboard": [["x"]]}},
    )
    assert status == 400 and body["description"] == "Bad Request: inline keyboard expected"


# --- (d) uploads -----------------------------------------------------------------------------------------------
async def test_send_photo_bytes_arrives_as_multipart(fake: FakeTelegramApi, bot: Bot) -> None:
    image = png(640, 480)
    message = await bot.send_photo(CHAT, image, caption="กราฟเรดาร์ผลประเมิน", reply_markup=Q1)
    call = fake.calls_of("sendPhoto")[0]
    assert call.content_type == "multipart/form-data"
    upload = call.files["photo"]
    assert call.params["photo"] is upload
    assert (upload.size, upload.data) == (len(image), image)
    # bytes without a filename: PTB names the part after the default MIME type
    assert (upload.filename, upload.content_type) == ("application.octet-stream", "application/octet-stream")
    assert call.params["caption"] == "กราฟเรดาร์ผลประเมิน" and call.params["chat_id"] == CHAT
    largest = message.photo[-1]
    assert (largest.width, largest.height, largest.file_size) == (640, 480, len(image))
    assert [p.width for p in message.photo] == [90, 320, 640]
    assert message.caption == "กราฟเรดาร์ผลประเมิน" and message.reply_markup == Q1

    named = await bot.send_photo(CHAT, image, filename="radar.png")
    assert fake.calls_of("sendPhoto")[1].files["photo"].content_type == "image/png"

    # Re-sending by file_id or URL is a plain form post.
    await bot.send_photo(CHAT, named.photo[-1].file_id)
    await bot.send_photo(CHAT, "https://charts.example/radar.png")
    assert [c.content_type for c in fake.calls_of("sendPhoto")[2:]] == ["application/x-www-form-urlencoded"] * 2
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(CHAT, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(CHAT, b"not an image at all")


async def test_send_document_arrives_as_multipart_and_can_be_downloaded(fake: FakeTelegramApi, bot: Bot) -> None:
    data = b"PK\x03\x04" + bytes(range(256)) * 40
    message = await bot.send_document(CHAT, data, filename="ผลการประเมิน.xlsx", caption="รายงาน")
    call = fake.calls_of("sendDocument")[0]
    upload = call.files["document"]
    assert call.content_type == "multipart/form-data"
    assert (upload.size, upload.data, upload.filename) == (len(data), data, "ผลการประเมิน.xlsx")
    assert upload.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    document = message.document
    assert document is not None
    assert (document.file_name, document.file_size, document.mime_type) == (
        "ผลการประเมิน.xlsx",
        len(data),
        upload.content_type,
    )
    file = await bot.get_file(document.file_id)
    assert file.file_path is not None and file.file_path.startswith(f"{fake.file_base_url}{fake.token}/")
    assert bytes(await file.download_as_bytearray()) == data


async def test_get_file_for_a_file_added_by_the_test(fake: FakeTelegramApi, bot: Bot) -> None:
    file_id = fake.add_file(b"%PDF-1.7 test", filename="แผน.pdf", mime_type="application/pdf")
    file = await bot.get_file(file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.7 test"
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("unknown")


# --- (e) rate limits ------------------------------------------------------------------------------------------
async def test_per_chat_rate_limit_raises_retry_after() -> None:
    ticker = Ticker()
    async with FakeTelegramApi(enforce_rate_limits=True, clock=ticker) as fake:
        async with Bot(fake.token, base_url=fake.api_base_url) as bot:
            sent = await bot.send_message(CHAT, "1")
            await bot.send_message(OTHER_CHAT, "another chat is fine")
            with pytest.raises(RetryAfter) as error:
                await bot.send_message(CHAT, "2")
            assert error.value.retry_after == dtm.timedelta(seconds=1)
            with pytest.raises(RetryAfter):  # edits count too
                await bot.edit_message_text("1!", chat_id=CHAT, message_id=sent.message_id)
            await bot.send_chat_action(CHAT, "typing")  # not a message
            ticker.now += 0.4
            with pytest.raises(RetryAfter):
                await bot.send_message(CHAT, "2")
            ticker.now += 0.6
            await bot.send_message(CHAT, "2")
        refused = fake.refused
        assert [c.method for c in refused] == ["sendMessage", "editMessageText", "sendMessage"]
        assert refused[0].status == 429
        assert refused[0].response == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        assert fake.sent_texts(CHAT) == ["1", "2"] and fake.violations == []


async def test_global_and_group_rate_limits() -> None:
    ticker = Ticker()
    async with FakeTelegramApi(enforce_rate_limits=True, global_per_second=3, clock=ticker) as fake:
        async with Bot(fake.token, base_url=fake.api_base_url) as bot:
            for chat_id in (1, 2, 3):
                await bot.send_message(chat_id, "hi")
            with pytest.raises(RetryAfter):
                await bot.send_message(4, "hi")
            ticker.now += 1
            for _ in range(20):  # 20 per minute in a group, one per second
                await bot.send_message(GROUP, "ประกาศ")
                ticker.now += 1
            with pytest.raises(RetryAfter) as error:
                await bot.send_message(GROUP, "ประกาศ")
            assert error.value.retry_after == dtm.timedelta(seconds=40)
        assert len(fake.refused) == 2
        assert fake.messages(GROUP)[0]["chat"] == {"id": GROUP, "type": "supergroup"}


async def test_rate_limits_are_off_by_default(fake: FakeTelegramApi, bot: Bot) -> None:
    await asyncio.gather(*(bot.send_message(CHAT, str(i)) for i in range(40)))
    assert len(fake.sent_texts(CHAT)) == 40 and fake.refused == []


# --- failure injection -----------------------------------------------------------------------------------------
async def test_fail_next_maps_to_ptb_errors(fake: FakeTelegramApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", 403)
    fake.fail_next("sendmessage", 429, retry_after=7)
    fake.fail_next("sendMessage", 502, times=2)
    fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "x")
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(CHAT, "x")
    assert retry.value.retry_after == dtm.timedelta(seconds=7)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(CHAT, "x")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(CHAT, "x")
    await bot.send_message(CHAT, "ok")
    assert [c.status for c in fake.calls_of("sendMessage")] == [403, 429, 502, 502, 400, 200]
    assert fake.sent_texts(CHAT) == ["ok"] and fake.violations == []


async def test_blocked_chat_is_forbidden(fake: FakeTelegramApi, bot: Bot) -> None:
    fake.block_chat(CHAT)
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT, "x")
    await bot.send_message(OTHER_CHAT, "x")


# --- getUpdates semantics ---------------------------------------------------------------------------------------
async def test_get_updates_long_poll_offset_limit_and_timeout(fake: FakeTelegramApi, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=0.2) == ()
    assert 0.15 < loop.time() - started < 1.0

    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_until(lambda: len(fake.calls_of("getUpdates")) == 2)
    first = fake.push_update(tu.message_update(CHAT, "ตื่น"))
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [first["update_id"]]

    second = fake.push_update(tu.message_update(CHAT, "สอง"))
    third = fake.push_update({"message": tu.message_update(CHAT, "สาม")["message"]})  # id assigned
    assert third["update_id"] == second["update_id"] + 1
    assert [u.update_id for u in await bot.get_updates(offset=first["update_id"] + 1, limit=1)] == [second["update_id"]]
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["สาม"]  # type: ignore[union-attr]
    assert [u["update_id"] for u in fake.pending_updates] == [third["update_id"]]
    with pytest.raises(ValueError, match="not above"):
        fake.push_update(tu.message_update(CHAT, "late", update_id=first["update_id"]))


async def test_get_updates_filters_allowed_updates(fake: FakeTelegramApi, bot: Bot) -> None:
    fake.push_update(tu.message_update(CHAT, "ข้อความ"))
    pressed = fake.push_update(tu.callback_update(CHAT, "q1:yes", 1))
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.update_id for u in updates] == [pressed["update_id"]]


async def test_a_second_poller_ends_the_first_with_conflict(fake: FakeTelegramApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_until(lambda: len(fake.calls_of("getUpdates")) == 1)
    # PTB's getUpdates connection pool has one connection, so the second poller is a second Bot (process).
    async with Bot(fake.token, base_url=fake.api_base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)


async def test_webhook_methods_and_get_updates_conflict(fake: FakeTelegramApi, bot: Bot) -> None:
    fake.push_update(tu.message_update(CHAT, "ค้าง"))
    assert await bot.set_webhook(
        "https://bot.example.go.th/telegram", secret_token="s3cret_Token-1", allowed_updates=["message", "callback_query"]
    )
    assert fake.webhook["url"] == "https://bot.example.go.th/telegram"
    assert fake.webhook["secret_token"] == "s3cret_Token-1"
    assert fake.webhook["allowed_updates"] == ["message", "callback_query"]
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.allowed_updates) == (
        "https://bot.example.go.th/telegram",
        1,
        ("message", "callback_query"),
    )
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://bot.example.go.th/telegram")
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://bot.example.go.th/telegram", secret_token="มีอักษรไทย")
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
    assert await bot.get_updates() == ()


# --- (f) commands --------------------------------------------------------------------------------------------------
async def test_set_my_commands_validation(fake: FakeTelegramApi, bot: Bot) -> None:
    commands = [BotCommand("start", "เริ่มทำแบบประเมิน PMQA 4.0"), BotCommand("result_2", "ดูผลการประเมิน")]
    assert await bot.set_my_commands(commands) is True
    assert await bot.get_my_commands() == tuple(commands)
    assert fake.get_commands() == [c.to_dict() for c in commands]

    private = [BotCommand("help", "วิธีใช้")]
    await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats(), language_code="th")
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="th") == tuple(private)
    assert await bot.get_my_commands() == tuple(commands)

    for bad, problem in (
        (BotCommand("Start", "ตัวใหญ่"), "bot_command_invalid"),
        (BotCommand("a" * 33, "ยาวไป"), "bot_command_invalid"),
        (BotCommand("เริ่ม", "ภาษาไทย"), "bot_command_invalid"),
        (BotCommand("ok", ""), "bot_command_description_invalid"),
        (BotCommand("ok", "ก" * 257), "bot_command_description_invalid"),
    ):
        with pytest.raises(BadRequest, match=f"(?i){problem}"):
            await bot.set_my_commands([bad])
    await bot.set_my_commands([BotCommand("a" * 32, "ก" * 256)])
    with pytest.raises(BadRequest, match=r"(?i)too many commands"):
        await bot.set_my_commands([BotCommand(f"c{i}", "x") for i in range(101)])
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == ()
    assert len(fake.violations) == 6


# --- other methods --------------------------------------------------------------------------------------------------
async def test_chat_action_and_delete_message(fake: FakeTelegramApi, bot: Bot) -> None:
    assert await bot.send_chat_action(CHAT, "upload_photo") is True
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(CHAT, "dancing")
    first = await bot.send_message(CHAT, "หนึ่ง")
    await bot.send_message(CHAT, "สอง")
    assert await bot.delete_message(CHAT, first.message_id) is True
    assert fake.sent_texts(CHAT) == ["สอง"] and fake.message(CHAT, first.message_id) is None
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CHAT, first.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=first.message_id)


async def test_edit_caption(fake: FakeTelegramApi, bot: Bot) -> None:
    photo = await bot.send_photo(CHAT, png(32, 32), caption="ก่อน", reply_markup=Q1)
    edited = await bot.edit_message_caption(chat_id=CHAT, message_id=photo.message_id, caption="หลัง", reply_markup=Q1)
    assert edited.caption == "หลัง" and fake.sent_texts(CHAT) == ["หลัง"]
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_caption(chat_id=CHAT, message_id=photo.message_id, caption="หลัง", reply_markup=Q1)
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("ข้อความ", chat_id=CHAT, message_id=photo.message_id)


# --- builders --------------------------------------------------------------------------------------------------
async def test_builders_round_trip_through_ptb(fake: FakeTelegramApi, bot: Bot) -> None:
    built = [
        tu.message_update(CHAT, "/start ref_abc"),
        tu.message_update(CHAT, "สวัสดี"),
        tu.edited_message_update(CHAT, "สวัสดีค่ะ", 7),
        tu.callback_update(CHAT, "q1:yes", 8),
        tu.sticker_update(CHAT),
        tu.photo_update(CHAT, caption="หลักฐาน"),
        tu.voice_update(CHAT, duration=4),
        tu.document_update(CHAT),
        tu.group_message_update(GROUP, "/start@pmqa_test_bot", chat_type="supergroup"),
        tu.my_chat_member_update(CHAT),
    ]
    ids = [u["update_id"] for u in built]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    updates = [Update.de_json(u, bot) for u in built]
    assert all(u.api_kwargs == {} for u in updates)
    command, text, edited, pressed, sticker, photo, voice, document, group, member = updates

    assert filters.COMMAND.check_update(command) and command.message.text == "/start ref_abc"  # type: ignore[union-attr]
    assert command.message.entities[0].length == len("/start")  # type: ignore[union-attr]
    assert command.effective_user.to_dict() == {**tu.DEFAULT_USER, "id": CHAT}  # type: ignore[union-attr]
    assert command.effective_user.first_name == "สมชาย" and command.effective_user.language_code == "th"  # type: ignore[union-attr]
    assert filters.TEXT.check_update(text) and not filters.COMMAND.check_update(text)
    assert edited.edited_message is not None and edited.edited_message.edit_date is not None
    assert pressed.callback_query.data == "q1:yes" and pressed.callback_query.message.message_id == 8  # type: ignore[union-attr]
    assert pressed.callback_query.message.from_user.id == fake.bot_user["id"]  # type: ignore[union-attr]
    assert filters.Sticker.ALL.check_update(sticker) and sticker.message.sticker.emoji == "👍"  # type: ignore[union-attr]
    assert filters.PHOTO.check_update(photo) and photo.message.caption == "หลักฐาน"  # type: ignore[union-attr]
    assert [p.width for p in photo.message.photo] == [90, 320, 800, 1280]  # type: ignore[union-attr]
    assert filters.VOICE.check_update(voice)
    assert voice.message.voice.duration == dtm.timedelta(seconds=4)  # type: ignore[union-attr]
    assert filters.Document.PDF.check_update(document)
    assert group.effective_chat.type == "supergroup" and group.effective_user.id == tu.DEFAULT_USER["id"]  # type: ignore[union-attr]
    assert member.my_chat_member.new_chat_member.status == "kicked"  # type: ignore[union-attr]

    app = builder(fake).updater(None).build()
    async with app:
        handler = CommandHandler("start", lambda u, c: None)  # type: ignore[arg-type,return-value]
        assert handler.check_update(Update.de_json(built[8], app.bot))
        assert handler.check_update(Update.de_json(built[0], app.bot))


def test_command_entities_count_utf16() -> None:
    assert tu.command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert tu.command_entities("/start@pmqa_test_bot ok") == [{"type": "bot_command", "offset": 0, "length": 20}]
    assert tu.command_entities("สวัสดี /start") == []
    assert tu.command_entities("/เริ่ม") == []


async def test_push_update_rejects_non_updates(fake: FakeTelegramApi) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        fake.push_update({"update_id": 1})
    with pytest.raises(ValueError, match="exactly one"):
        fake.push_update({"message": {}, "callback_query": {}})
    assert re.fullmatch(r"\d{19}", fake.issue_callback_id())
