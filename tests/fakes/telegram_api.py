"""A fake Telegram Bot API on 127.0.0.1 for driving the real python-telegram-bot (PTB) in tests.

Point PTB at it; PTB appends the token to ``base_url``, so requests arrive at
``{base_url}/bot<TOKEN>/<method>``::

    async with FakeTelegramApi() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.api_base_url)          # f"{fake.base_url}/bot"
            .base_file_url(fake.file_base_url)    # f"{fake.base_url}/file/bot"
            .build()
        )

What PTB sends (see /work/shared/notes/stack-check.md §1): ``application/x-www-form-urlencoded``
bodies, ``multipart/form-data`` when a file is uploaded.  Every value is a string: nested objects
(``reply_markup``, ``entities``, ``commands``, ``allowed_updates``) are JSON strings, numbers and
booleans are JSON scalars (``"42"``, ``"true"``), plain strings are sent *as is* (not JSON-quoted).
The fake therefore normalises ``Call.params``: a string that looks like a JSON object or array is
decoded, except for free-text parameters (``text``, ``caption``, ...) which could legitimately start
with ``[``; known integer, float and boolean parameters are converted.  An uploaded file appears in
``params`` and ``files`` as an :class:`UploadedFile` (``attach://name`` references are resolved).

Every answer is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description":
"..."}`` (plus ``parameters.retry_after`` for 429).  Refusals follow Telegram's documented limits
(the constants below, checked against ``telegram.constants`` in the tests) and, where known, its
error wording.  Text length is counted in UTF-16 code units after entity parsing (``parse_mode``
HTML / MarkdownV2 / Markdown are parsed, and malformed markup is refused as Telegram does).

Behaviour worth knowing:

* ``getUpdates`` is a real long poll: updates stay queued until a later call confirms them with
  ``offset``; a new ``getUpdates`` ends a pending one with 409 (as Telegram does when two pollers
  run), and ``getUpdates`` while a webhook is set is refused with 409.  The long-poll ``timeout`` is
  real time; ``clock`` only drives ``Call.at`` and the rate-limit windows.
* Message ids are per chat.  Incoming messages seen through :meth:`FakeTelegramApi.push_update` or
  :meth:`FakeTelegramApi.observe` advance the chat's counter, so the bot's messages get later ids.
* ``editMessageText`` / ``editMessageCaption`` *without* ``reply_markup`` remove the inline keyboard,
  exactly like Telegram.  An edit that changes neither content nor keyboard is refused with
  "message is not modified".
* Callback query ids: the fake accepts ``answerCallbackQuery`` only for ids it knows and has not seen
  answered.  It learns them from :meth:`push_update` / :meth:`observe` (the builders in
  ``telegram_updates`` make fresh ids), from :meth:`register_callback` or :meth:`issue_callback_id`.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

from tests.fakes.line_api import image_size, utf16_len

# --- limits (Bot API docs; the same numbers as telegram.constants) -------------------------------
MAX_TEXT = 4096  # MessageLimit.MAX_TEXT_LENGTH
MAX_CAPTION = 1024  # MessageLimit.CAPTION_LENGTH
MAX_CALLBACK_DATA = 64  # InlineKeyboardButtonLimit.MAX_CALLBACK_DATA, in UTF-8 bytes
MAX_ANSWER_TEXT = 200  # CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
MAX_COMMAND = 32  # BotCommandLimit.MAX_COMMAND
MAX_COMMAND_DESCRIPTION = 256  # BotCommandLimit.MAX_DESCRIPTION
MAX_COMMANDS = 100  # BotCommandLimit.MAX_COMMAND_NUMBER
MAX_PHOTO_UPLOAD = int(10e6)  # FileSizeLimit.PHOTOSIZE_UPLOAD
MAX_FILE_UPLOAD = int(50e6)  # FileSizeLimit.FILESIZE_UPLOAD
MAX_SECRET_TOKEN = 256  # WebhookLimit.MAX_SECRET_TOKEN_LENGTH
MAX_WEBHOOK_CONNECTIONS = 100  # WebhookLimit.MAX_CONNECTIONS_LIMIT
MAX_UPDATES_LIMIT = 100

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_BOT_USERNAME = "pmqa_test_bot"
BOT_FIRST_NAME = "PMQA Test Bot"

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
        "choose_sticker", "find_location", "record_video_note", "upload_video_note"
    }
)
BUTTON_ACTION_FIELDS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
)
UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
        "edited_business_message", "deleted_business_messages", "message_reaction", "message_reaction_count",
        "inline_query", "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
        "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member", "chat_join_request",
        "chat_boost", "removed_chat_boost"
    }
)
# methods that send or change a message in a chat: counted by the flood limits
MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
)
CHAT_METHODS = MESSAGE_METHODS | {"sendChatAction", "deleteMessage"}

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

# free-text parameters PTB sends verbatim; never JSON-decode them even if they start with [ or {
_RAW_STRING_PARAMS = frozenset(
    {
        "text", "caption", "description", "short_description", "name", "title", "question", "explanation", "query",
        "secret_token", "url", "ip_address", "photo", "document", "thumbnail", "emoji", "action", "parse_mode",
        "callback_query_id", "inline_message_id", "business_connection_id", "language_code", "file_id"
    }
)
_INT_PARAMS = frozenset(
    {
        "chat_id", "message_id", "offset", "limit", "max_connections", "cache_time", "message_thread_id",
        "reply_to_message_id", "from_chat_id", "user_id", "duration", "width", "height"
    }
)
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset(
    {
        "show_alert", "disable_notification", "protect_content", "drop_pending_updates", "has_spoiler",
        "disable_content_type_detection", "allow_sending_without_reply", "show_caption_above_media",
        "disable_web_page_preview", "allow_paid_broadcast"
    }
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def bot_user(token: str = DEFAULT_TOKEN, username: str = DEFAULT_BOT_USERNAME) -> dict[str, Any]:
    """The bot's own ``User`` as ``getMe`` returns it (the id is the token's numeric prefix)."""
    prefix = token.split(":", 1)[0]
    return {
        "id": int(prefix) if prefix.isdigit() else 123456,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _sender(user: dict[str, Any]) -> dict[str, Any]:
    """The short ``from`` of a message: messages carry only the basic user fields."""
    return {k: user[k] for k in ("id", "is_bot", "first_name", "username") if k in user}


def update_type(update: dict[str, Any]) -> str | None:
    """The update's kind: its one key besides ``update_id``."""
    kinds = [k for k in update if k != "update_id"]
    return kinds[0] if len(kinds) == 1 else None


# --- entity parsing ------------------------------------------------------------------------------
class EntityError(ValueError):
    """Markup that Telegram would refuse with "can't parse entities"."""


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji", "code",
        "pre", "blockquote", "tg-time"
    }
)


def _parse_html(text: str) -> str:
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        j = text.find("<", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        match = _HTML_TAG.match(text, j)
        if match is None:
            raise EntityError(f"Unexpected end of name token at byte offset {_byte_offset(text, j)}")
        closing, name = match.group(1) == "/", match.group(2).lower()
        if not closing:
            if name not in HTML_TAGS:
                raise EntityError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, j)}')
            stack.append((name, j))
        elif not stack or stack[-1][0] != name:
            expected = f'"</{stack[-1][0]}>"' if stack else "no end tag"
            raise EntityError(
                f'Unmatched end tag at byte offset {_byte_offset(text, j)}, expected {expected}, found "</{name}>"'
            )
        else:
            stack.pop()
        i = match.end()
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return html.unescape("".join(out))


def _escaped(text: str, i: int) -> bool:
    """Whether text[i] is a backslash escape of an ASCII character (code 1..126)."""
    return text[i] == "\\" and i + 1 < len(text) and 1 <= ord(text[i + 1]) <= 126


def _reserved(text: str, i: int) -> EntityError:
    return EntityError(f"Character '{text[i]}' is reserved and must be escaped with the preceding '\\'")


def _parse_markdown_v2(text: str) -> str:
    out: list[str] = []
    open_: dict[str, int] = {}  # entity name -> index where it started
    links: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        step = 1
        if _escaped(text, i):
            out.append(text[i + 1])
            step = 2
        elif c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            k = i + len(fence)
            if fence == "```":  # an optional language on the opening line
                newline = text.find("\n", k)
                if newline >= 0 and re.fullmatch(r"[A-Za-z0-9_+#-]*", text[k:newline]):
                    k = newline + 1
            content: list[str] = []
            while k < n and not text.startswith(fence, k):
                if text[k] == "\\" and k + 1 < n and text[k + 1] in "`\\":
                    content.append(text[k + 1])
                    k += 2
                else:
                    content.append(text[k])
                    k += 1
            if k >= n:
                name = "Pre" if fence == "```" else "Code"
                raise EntityError(f"Can't find end of {name} entity at byte offset {_byte_offset(text, i)}")
            out.extend(content)
            step = k + len(fence) - i
        elif c == "[" or text.startswith("![", i):
            links.append(i)
            step = 2 if c == "!" else 1
        elif c == "]":
            if not links or not text.startswith("(", i + 1):
                raise _reserved(text, i)
            start = links.pop()
            k = i + 2
            while k < n and text[k] != ")":
                k += 2 if text[k] == "\\" else 1
            if k >= n:
                raise EntityError(f"Can't find end of a URL at byte offset {_byte_offset(text, start)}")
            step = k + 1 - i
        elif c in "*~_|":
            if c == "|" and not text.startswith("||", i):
                raise _reserved(text, i)
            double = text.startswith("__", i) or c == "|"
            name = {"*": "Bold", "~": "Strikethrough", "|": "Spoiler"}.get(c) or ("Underline" if double else "Italic")
            step = 2 if double else 1
            if name in open_:
                del open_[name]
            else:
                open_[name] = i
        elif c == ">" and (i == 0 or text[i - 1] == "\n"):
            pass  # block quotation
        elif c in "#+-={}.!()>":
            raise _reserved(text, i)
        else:
            out.append(c)
        i += step
    if links:
        raise EntityError(f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, links[0])}")
    if open_:
        name, start = min(open_.items(), key=lambda item: item[1])
        raise EntityError(f"Can't find end of {name} entity at byte offset {_byte_offset(text, start)}")
    return "".join(out)


def _parse_markdown(text: str) -> str:
    """Legacy ``Markdown``: *bold*, _italic_, `code`, ```pre```, [text](url); \\ escapes _ * ` [."""
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c in "*_`" or c == "[":
            close = {"*": "*", "_": "_", "`": "`", "[": "]"}[c]
            fence = "```" if text.startswith("```", i) else c
            end = text.find("```" if fence == "```" else close, i + len(fence))
            if end < 0:
                raise EntityError(f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}")
            out.append(text[i + len(fence) : end])
            i = end + len(fence)
            if c == "[" and text.startswith("(", i):
                url_end = text.find(")", i)
                if url_end < 0:
                    raise EntityError(f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}")
                i = url_end + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees once Telegram has parsed `parse_mode` markup; raises EntityError."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown_v2(text)
    if mode == "markdown":
        return _parse_markdown(text)
    if mode:
        raise EntityError(f"Unsupported parse_mode {parse_mode!r}")
    return text


# --- reply markup --------------------------------------------------------------------------------
def _url_ok(url: Any) -> bool:
    return isinstance(url, str) and re.match(r"^(https?|tg)://\S+$", url) is not None


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> str | None:
    """Telegram's description of what is wrong with `markup`, or None when it is acceptable."""
    if not isinstance(markup, dict):
        return "Bad Request: can't parse reply keyboard markup JSON object"
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            return "Bad Request: can't parse inline keyboard markup: field \"inline_keyboard\" must be an Array of Arrays"
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    return "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                text = button.get("text")
                if not isinstance(text, str) or not text.strip():
                    return "Bad Request: can't parse inline keyboard button: Text must be non-empty"
                actions = [name for name in BUTTON_ACTION_FIELDS if button.get(name) is not None]
                if not actions:
                    return "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                if len(actions) > 1:
                    return (
                        "Bad Request: can't parse inline keyboard button: exactly one of "
                        f"{', '.join(BUTTON_ACTION_FIELDS)} must be set (got {', '.join(actions)})"
                    )
                data = button.get("callback_data")
                if data is not None and (
                    not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
                ):
                    return "Bad Request: BUTTON_DATA_INVALID"
                if "url" in actions and not _url_ok(button["url"]):
                    return f"Bad Request: inline keyboard button URL '{button['url']}' is invalid: Unsupported URL protocol"
        return None
    if inline_only:
        return "Bad Request: inline keyboard expected"
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            return "Bad Request: can't parse keyboard markup: field \"keyboard\" must be an Array of Arrays"
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text.strip():
                    return "Bad Request: can't parse keyboard button: Text must be non-empty"
        return None
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None
    return "Bad Request: can't parse reply keyboard markup JSON object"


def _inline(markup: Any) -> dict[str, Any] | None:
    """The markup as it appears on a Message: only a non-empty inline keyboard."""
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        return copy.deepcopy(markup)
    return None


# --- images --------------------------------------------------------------------------------------
def _image_info(data: bytes) -> tuple[str, int, int] | None:
    """(mime, width, height) for PNG, JPEG, GIF, WebP or BMP data; None if it is not an image."""
    info = image_size(data)
    if info is not None:
        return info
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return "image/gif", int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", 512, 512  # dimensions not parsed
    if data[:2] == b"BM" and len(data) >= 26:
        return "image/bmp", int.from_bytes(data[18:22], "little"), abs(int.from_bytes(data[22:26], "little", signed=True))
    return None


# --- records -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    size: int
    data: bytes = field(repr=False)


@dataclass
class Call:
    """One request the fake received; `method` is the canonical Bot API name (e.g. "sendMessage")."""

    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, UploadedFile] = field(default_factory=dict)
    content_type: str = ""
    http_method: str = "POST"
    status: int | None = None
    response: dict[str, Any] | None = None


@dataclass
class StoredFile:
    """A file the fake holds: uploaded by the bot or added by a test with ``add_file``."""

    file_id: str
    file_unique_id: str
    data: bytes = field(repr=False)
    filename: str | None = None
    mime_type: str | None = None
    file_path: str = ""

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class _Stored:
    message: dict[str, Any]
    fmt: Any  # the formatting (parse_mode + source or explicit entities) for "not modified"
    deleted: bool = False


@dataclass
class _Failure:
    method: str
    error_code: int
    remaining: int
    retry_after: int | None
    description: str | None


class _Window:
    """Sliding window: at most `capacity` events in any `span` seconds."""

    def __init__(self, rate: float, per: float = 1.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = int(rate) if rate >= 1 else 1
        self.span = per if rate >= 1 else per / rate
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.span:
            self.times.popleft()
        if len(self.times) < self.capacity:
            return 0.0
        return self.times[0] + self.span - now

    def add(self, now: float) -> None:
        self.times.append(now)


class ApiError(Exception):
    """Raised inside a handler; becomes a Bot API error answer."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

MethodHandler = Callable[[Call], Awaitable[Any]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# --- the fake server -----------------------------------------------------------------------------
class FakeTelegramApi:
    """In-process stand-in for api.telegram.org (see the module docstring)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        per_chat_per_second: float = 1.0,
        global_per_second: float = 30.0,
        per_group_per_minute: float = 20.0,
        enforce_rate_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.per_chat_per_second = per_chat_per_second
        self.global_per_second = global_per_second
        self.per_group_per_minute = per_group_per_minute
        self.enforce_rate_limits = enforce_rate_limits
        self.clock = clock
        self.host = host
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.refused: list[Call] = []
        self.server_errors: list[Exception] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.blocked: set[int] = set()
        self._pending: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._chats: dict[int, dict[str, Any]] = {}
        self._store: dict[int, dict[int, _Stored]] = {}
        self._next_message_id: dict[int, int] = {}
        self._failures: list[_Failure] = []
        self._chat_windows: dict[int, list[_Window]] = {}
        self._global_window = _Window(global_per_second)
        self._file_seq = 0
        self._update_event = asyncio.Event()
        self._changed_event = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, tuple[str, MethodHandler]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("editMessageCaption", self._edit_message_caption),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("sendChatAction", self._send_chat_action),
            ("deleteMessage", self._delete_message),
            ("getFile", self._get_file),
        ):
            self._methods[name.lower()] = (name, handler)

    # lifecycle
    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeTelegramApi already started")
        self._closing = False
        runner = web.AppRunner(self._build_app(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._wake_pollers()  # pending long polls answer [] at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeTelegramApi not started")
        return f"http://{self.host}:{self._port}"

    @property
    def api_base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.base_url}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return bot_user(self.token, self.bot_username)

    # test controls
    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for ``getUpdates``; assigns ``update_id`` if missing.  Returns the queued copy."""
        update = copy.deepcopy(update)
        if update_type(update) not in UPDATE_TYPES:
            raise ValueError(f"an update needs exactly one known update field, got {sorted(update)}")
        if update.get("update_id") is None:
            update["update_id"] = self._last_update_id + 1
        if update["update_id"] <= self._last_update_id:
            raise ValueError(
                f"update_id {update['update_id']} is not above the last pushed id {self._last_update_id}; "
                "push updates in the order they were built"
            )
        self._last_update_id = update["update_id"]
        self.observe(update)
        self._pending.append(update)
        self._wake_pollers()
        return copy.deepcopy(update)

    def observe(self, update: dict[str, Any]) -> dict[str, Any]:
        """Learn from an update without queuing it (for ``app.process_update`` tests): the chat, the
        incoming message id and any callback query id.  Returns `update` unchanged."""
        for kind in ("message", "edited_message", "channel_post", "edited_channel_post", "business_message"):
            message = update.get(kind)
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat = message["chat"]
                self._chats[chat["id"]] = copy.deepcopy(chat)
                next_id = self._next_message_id.get(chat["id"], 1)
                self._next_message_id[chat["id"]] = max(next_id, int(message.get("message_id", 0)) + 1)
        query = update.get("callback_query")
        if isinstance(query, dict):
            self.register_callback(query["id"])
            message = query.get("message")
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                self._chats.setdefault(message["chat"]["id"], copy.deepcopy(message["chat"]))
        return update

    def issue_callback_id(self) -> str:
        """A fresh callback query id that ``answerCallbackQuery`` will accept once."""
        query_id = str(secrets.randbelow(9 * 10**18) + 10**18)
        self.register_callback(query_id)
        return query_id

    def register_callback(self, query: str | dict[str, Any]) -> None:
        """Accept one answer for this callback query id (or the id inside a callback_query update)."""
        if isinstance(query, dict):
            query = query["callback_query"]["id"] if "callback_query" in query else query["id"]
        self._callbacks.setdefault(str(query), False)

    def fail_next(
        self,
        method: str,
        error_code: int,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with `error_code` (checked before anything else).

        A 429 without `retry_after` gets ``retry_after=1``, since Telegram always sends one."""
        canonical = self._canonical(method)
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self._failures.append(_Failure(canonical, error_code, times, retry_after, description))

    def block_chat(self, chat_id: int) -> None:
        """From now on, sending to `chat_id` answers 403 "Forbidden: bot was blocked by the user"."""
        self.blocked.add(chat_id)

    def add_file(self, data: bytes, *, filename: str | None = None, mime_type: str | None = None) -> str:
        """Store a file the bot can fetch with ``getFile`` and download; returns its file_id."""
        return self._store_file(data, filename, mime_type, "documents").file_id

    # waiting
    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:  # noqa: ASYNC109
        """Wait until `count` calls of `method` have been answered; returns all answered calls of it."""
        canonical = self._canonical(method)

        def answered() -> list[Call]:
            return [c for c in self.calls if c.method == canonical and c.status is not None]

        try:
            await self.wait_until(lambda: len(answered()) >= count, timeout)
        except AssertionError:
            seen = [f"{c.method}:{c.status}" for c in self.calls]
            raise AssertionError(
                f"waited {timeout}s for {count} answered {canonical} call(s), got {len(answered())}; calls: {seen}"
            ) from None
        return answered()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until `predicate()` holds; it is re-checked whenever a call arrives or is answered."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._changed_event.wait()
        except TimeoutError:
            raise AssertionError(f"condition not met within {timeout}s") from None

    # inspection
    def calls_of(self, method: str) -> list[Call]:
        canonical = self._canonical(method)
        return [c for c in self.calls if c.method == canonical]

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in `chat_id` as they stand now (edits applied, deleted ones left out)."""
        return [copy.deepcopy(s.message) for s in self._store.get(chat_id, {}).values() if not s.deleted]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        stored = self._store.get(chat_id, {}).get(message_id)
        return None if stored is None or stored.deleted else copy.deepcopy(stored.message)

    def sent_texts(self, chat_id: int) -> list[str]:
        """The current text (or caption) of each of the bot's messages in `chat_id`."""
        texts = []
        for message in self.messages(chat_id):
            text = message.get("text", message.get("caption"))
            if text is not None:
                texts.append(text)
        return texts

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._pending)

    def get_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, str]]:
        return copy.deepcopy(self.commands.get(self._scope_key(scope, language_code), []))

    # app
    def _build_app(self) -> web.Application:
        @web.middleware
        async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            try:
                return await handler(request)
            except web.HTTPException as error:
                body = {"ok": False, "error_code": error.status, "description": error.reason}
                return web.json_response(body, status=error.status)

        app = web.Application(middlewares=[middleware], client_max_size=MAX_FILE_UPLOAD + 1_000_000)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        return app

    def _canonical(self, method: str) -> str:
        entry = self._methods.get(method.lower())
        return entry[0] if entry else method

    def _wake_pollers(self) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    def _changed(self) -> None:
        """A call arrived or was answered: wake `wait_until`."""
        self._changed_event.set()
        self._changed_event = asyncio.Event()

    async def _dispatch(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        call = Call(method=self._canonical(name), params={}, at=self.clock(), http_method=request.method)
        self.calls.append(call)
        self._changed()
        try:
            call.params, call.files, call.content_type = await self._read(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            entry = self._methods.get(name.lower())
            if entry is None:
                raise ApiError(404, "Not Found")
            handler = entry[1]
            self._inject(call)
            chat_id = call.params.get("chat_id")
            if call.method in CHAT_METHODS and isinstance(chat_id, int) and chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            counted = self.enforce_rate_limits and call.method in MESSAGE_METHODS and isinstance(chat_id, int)
            if counted:
                self._check_rate(call, chat_id)
            result = await handler(call)
            if counted:
                self._note_rate(chat_id)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.error_code, error.body()
        except Exception as error:  # a bug in the fake: answer 500 and keep it for the test to see
            self.server_errors.append(error)
            status = 500
            body = {"ok": False, "error_code": 500, "description": f"Internal Server Error: fake API bug {error!r}"}
        call.status, call.response = status, body
        self._changed()
        return web.json_response(body, status=status)

    async def _read(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile], str]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        content_type = request.content_type if request.can_read_body else ""
        if content_type == "application/json":
            raw = await request.read()
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: the request body must be a JSON object")
            params.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    try:
                        data = value.file.read()
                    finally:
                        value.file.close()
                    files[key] = UploadedFile(key, value.filename, value.content_type, len(data), data)
                else:
                    params[key] = value
        for key, value in list(params.items()):
            params[key] = self._normalise(key, value, files)
        for key, upload in files.items():
            params.setdefault(key, upload)
        return params, files, content_type

    @staticmethod
    def _normalise(key: str, value: Any, files: dict[str, UploadedFile]) -> Any:
        if not isinstance(value, str):
            return value
        if value.startswith("attach://") and value[len("attach://") :] in files:
            return files[value[len("attach://") :]]
        if key not in _RAW_STRING_PARAMS and value[:1] in ("[", "{"):
            try:
                return json.loads(value)
            except ValueError:
                return value
        if key in _INT_PARAMS and re.fullmatch(r"-?\d+", value):
            return int(value)
        if key in _FLOAT_PARAMS:
            try:
                return float(value)
            except ValueError:
                return value
        if key in _BOOL_PARAMS and value in ("true", "false"):
            return value == "true"
        return value

    def _inject(self, call: Call) -> None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.method == call.method:
                failure.remaining -= 1
                if failure.error_code == 429:
                    description = failure.description or f"Too Many Requests: retry after {failure.retry_after}"
                else:
                    description = failure.description or _DEFAULT_DESCRIPTIONS.get(
                        failure.error_code, f"Injected error {failure.error_code}"
                    )
                raise ApiError(failure.error_code, description, failure.retry_after)

    def _windows(self, chat_id: int) -> list[_Window]:
        windows = self._chat_windows.get(chat_id)
        if windows is None:
            windows = [_Window(self.per_chat_per_second)]
            if chat_id < 0:
                windows.append(_Window(self.per_group_per_minute, per=60.0))
            self._chat_windows[chat_id] = windows
        return windows

    def _check_rate(self, call: Call, chat_id: int) -> None:
        now = self.clock()
        wait = max([w.wait(now) for w in self._windows(chat_id)] + [self._global_window.wait(now)])
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.refused.append(call)
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _note_rate(self, chat_id: int) -> None:
        now = self.clock()
        for window in [*self._windows(chat_id), self._global_window]:
            window.add(now)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            raise web.HTTPNotFound()
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
        raise web.HTTPNotFound()

    # validation helpers
    def _bad(self, call: Call, description: str) -> ApiError:
        self.violations.append(f"{call.method}: {description}")
        return ApiError(400, description)

    def _chat_id(self, call: Call) -> int:
        chat_id = call.params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise self._bad(call, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int) or chat_id == 0:
            raise self._bad(call, "Bad Request: chat not found")
        return chat_id

    def _formatted(self, call: Call, name: str, *, limit: int, required: bool) -> tuple[str | None, Any]:
        """(visible text, formatting signature) of the `name` parameter ("text" or "caption")."""
        raw = call.params.get(name)
        if raw is None and not required:
            return None, None
        if not isinstance(raw, str):
            raw = "" if raw is None else str(raw)
        parse_mode = call.params.get("parse_mode")
        entities = call.params.get("entities" if name == "text" else "caption_entities")
        try:
            text = raw if entities is not None else visible_text(raw, parse_mode)
        except EntityError as error:
            raise self._bad(call, f"Bad Request: can't parse entities: {error}") from None
        if name == "text" and not text.strip():
            raise self._bad(call, "Bad Request: message text is empty")
        if utf16_len(text) > limit:
            what = "message is too long" if name == "text" else "message caption is too long"
            raise self._bad(call, f"Bad Request: {what}")
        fmt = ("entities", json.dumps(entities, sort_keys=True)) if entities is not None else (parse_mode, raw)
        return text, fmt

    def _markup(self, call: Call, *, inline_only: bool) -> Any:
        markup = call.params.get("reply_markup")
        if markup is None:
            return None
        problem = validate_reply_markup(markup, inline_only=inline_only)
        if problem:
            raise self._bad(call, problem)
        return markup

    def _new_message(self, chat_id: int, content: dict[str, Any], markup: Any, fmt: Any) -> dict[str, Any]:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        chat = self._chats.get(chat_id) or {
            "id": chat_id,
            "type": "private" if chat_id > 0 else ("supergroup" if str(chat_id).startswith("-100") else "group"),
        }
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": _sender(self.bot_user),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            **content,
        }
        inline = _inline(markup)
        if inline is not None:
            message["reply_markup"] = inline
        self._store.setdefault(chat_id, {})[message_id] = _Stored(message, fmt)
        return copy.deepcopy(message)

    def _target(self, call: Call, *, action: str = "edit") -> _Stored:
        if call.params.get("inline_message_id") is not None:
            raise self._bad(call, f"Bad Request: message to {action} not found")
        chat_id = self._chat_id(call)
        message_id = call.params.get("message_id")
        if not isinstance(message_id, int):
            raise self._bad(call, "Bad Request: message identifier is not specified")
        stored = self._store.get(chat_id, {}).get(message_id)
        if stored is None or stored.deleted:
            raise self._bad(call, f"Bad Request: message to {action} not found")
        return stored

    def _store_file(self, data: bytes, filename: str | None, mime_type: str | None, folder: str) -> StoredFile:
        self._file_seq += 1
        token = secrets.token_hex(12)
        suffix = "" if not filename or "." not in filename else "." + filename.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"BQACAgUAAx{token}",
            file_unique_id=f"AgAD{token[:8]}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{folder}/file_{self._file_seq}{suffix}",
        )
        self.files[stored.file_id] = stored
        return stored

    def _input_file(self, call: Call, name: str) -> tuple[StoredFile | None, str | None]:
        """(stored file, URL) for the `name` parameter: an upload, a known file_id or an http(s) URL."""
        value = call.params.get(name)
        if value is None:
            raise self._bad(call, f"Bad Request: there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return None, None
        if isinstance(value, str) and value in self.files:
            return self.files[value], None
        if isinstance(value, str) and re.match(r"^https?://\S+$", value):
            return None, value
        raise self._bad(call, "Bad Request: wrong file identifier/HTTP URL specified")

    # --- methods --------------------------------------------------------------------------------
    async def _get_me(self, call: Call) -> Any:
        return self.bot_user

    async def _get_updates(self, call: Call) -> Any:
        if self.webhook["url"]:
            raise ApiError(
                409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
            )
        params = call.params
        offset = params.get("offset", 0)
        limit = params.get("limit", MAX_UPDATES_LIMIT)
        timeout = params.get("timeout", 0)
        if not isinstance(offset, int) or not isinstance(limit, int) or not isinstance(timeout, int | float):
            raise self._bad(call, "Bad Request: wrong parameter type in getUpdates")
        limit = min(max(limit, 1), MAX_UPDATES_LIMIT)
        allowed = params.get("allowed_updates") or None
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # ends an older long poll (409 below)

        def ready() -> list[dict[str, Any]]:
            return [u for u in self._pending if allowed is None or update_type(u) in allowed]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(timeout), 0.0)
        while not ready() and not self._closing and generation == self._poll_generation:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._update_event
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                break
        if generation != self._poll_generation:
            raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])
        return copy.deepcopy(ready()[:limit])

    async def _set_webhook(self, call: Call) -> Any:
        params = call.params
        url = params.get("url", "")
        if not isinstance(url, str):
            raise self._bad(call, "Bad Request: bad webhook: url must be a string")
        if url and not url.startswith("https://"):
            raise self._bad(call, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not (isinstance(secret, str) and _SECRET_TOKEN.match(secret)):
            raise self._bad(call, "Bad Request: secret token contains unallowed characters")
        max_connections = params.get("max_connections", 40)
        if not isinstance(max_connections, int) or not 1 <= max_connections <= MAX_WEBHOOK_CONNECTIONS:
            raise self._bad(call, "Bad Request: bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if allowed is not None and (not isinstance(allowed, list) or not set(allowed) <= UPDATE_TYPES):
            raise self._bad(call, "Bad Request: allowed_updates must be a list of update types")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if not url:
            self.webhook = {"url": ""}
            return True
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": allowed,
            "max_connections": max_connections,
            "ip_address": params.get("ip_address"),
        }
        self._wake_pollers()
        return True

    async def _delete_webhook(self, call: Call) -> Any:
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {"url": ""}
        return True

    async def _get_webhook_info(self, call: Call) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook["url"]:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("allowed_updates") is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
            if self.webhook.get("ip_address"):
                info["ip_address"] = self.webhook["ip_address"]
        return info

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), language_code if isinstance(language_code, str) else ""

    async def _set_my_commands(self, call: Call) -> Any:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise self._bad(call, "Bad Request: field \"commands\" must be an Array")
        if len(commands) > MAX_COMMANDS:
            raise self._bad(call, f"Bad Request: too many commands (got {len(commands)}, at most {MAX_COMMANDS})")
        clean = []
        for command in commands:
            if not isinstance(command, dict):
                raise self._bad(call, "Bad Request: can't parse BotCommand: must be an Object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND.match(name):
                raise self._bad(call, f"Bad Request: BOT_COMMAND_INVALID ({name!r}: 1-32 characters of a-z, 0-9 and _)")
            if not isinstance(description, str) or not 1 <= utf16_len(description) <= MAX_COMMAND_DESCRIPTION:
                raise self._bad(call, f"Bad Request: BOT_COMMAND_DESCRIPTION_INVALID ({name!r}: 1-256 characters)")
            clean.append({"command": name, "description": description})
        self.commands[self._scope_key(call.params.get("scope"), call.params.get("language_code"))] = clean
        return True

    async def _get_my_commands(self, call: Call) -> Any:
        key = self._scope_key(call.params.get("scope"), call.params.get("language_code"))
        return copy.deepcopy(self.commands.get(key, []))

    async def _delete_my_commands(self, call: Call) -> Any:
        self.commands.pop(self._scope_key(call.params.get("scope"), call.params.get("language_code")), None)
        return True

    async def _send_message(self, call: Call) -> Any:
        chat_id = self._chat_id(call)
        text, fmt = self._formatted(call, "text", limit=MAX_TEXT, required=True)
        markup = self._markup(call, inline_only=False)
        content: dict[str, Any] = {"text": text}
        if isinstance(call.params.get("entities"), list):
            content["entities"] = call.params["entities"]
        return self._new_message(chat_id, content, markup, fmt)

    async def _edit_message_text(self, call: Call) -> Any:
        stored = self._target(call)
        text, fmt = self._formatted(call, "text", limit=MAX_TEXT, required=True)
        markup = self._markup(call, inline_only=True)
        message = stored.message
        if "text" not in message:
            raise self._bad(call, "Bad Request: there is no text in the message to edit")
        if (text, fmt, _inline(markup)) == (message["text"], stored.fmt, message.get("reply_markup")):
            raise self._bad(call, NOT_MODIFIED)
        message["text"] = text
        message.pop("entities", None)
        if isinstance(call.params.get("entities"), list):
            message["entities"] = call.params["entities"]
        self._set_markup(message, markup)
        stored.fmt = fmt
        return copy.deepcopy(message)

    async def _edit_message_caption(self, call: Call) -> Any:
        stored = self._target(call)
        caption, fmt = self._formatted(call, "caption", limit=MAX_CAPTION, required=False)
        markup = self._markup(call, inline_only=True)
        message = stored.message
        if "photo" not in message and "document" not in message:
            raise self._bad(call, "Bad Request: there is no caption in the message to edit")
        if (caption, fmt, _inline(markup)) == (message.get("caption"), stored.fmt, message.get("reply_markup")):
            raise self._bad(call, NOT_MODIFIED)
        message.pop("caption", None)
        if caption:
            message["caption"] = caption
        self._set_markup(message, markup)
        stored.fmt = fmt
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, call: Call) -> Any:
        stored = self._target(call)
        markup = self._markup(call, inline_only=True)
        message = stored.message
        if _inline(markup) == message.get("reply_markup"):
            raise self._bad(call, NOT_MODIFIED)
        self._set_markup(message, markup)
        return copy.deepcopy(message)

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: Any) -> None:
        message["edit_date"] = int(time.time())
        inline = _inline(markup)
        if inline is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = inline

    async def _answer_callback_query(self, call: Call) -> Any:
        query_id = call.params.get("callback_query_id")
        if not isinstance(query_id, str) or self._callbacks.get(query_id) is not False:
            raise self._bad(call, QUERY_TOO_OLD)
        text = call.params.get("text")
        if text is not None and (not isinstance(text, str) or utf16_len(text) > MAX_ANSWER_TEXT):
            raise self._bad(call, f"Bad Request: MESSAGE_TOO_LONG (answer text is limited to {MAX_ANSWER_TEXT})")
        url = call.params.get("url")
        if url is not None and not _url_ok(url):
            raise self._bad(call, "Bad Request: URL_INVALID")
        self._callbacks[query_id] = True
        self.callback_answers[query_id] = {
            k: call.params[k] for k in ("text", "show_alert", "url", "cache_time") if k in call.params
        }
        return True

    def _caption_content(self, call: Call) -> tuple[dict[str, Any], Any]:
        caption, fmt = self._formatted(call, "caption", limit=MAX_CAPTION, required=False)
        content: dict[str, Any] = {}
        if caption:
            content["caption"] = caption
        if isinstance(call.params.get("caption_entities"), list):
            content["caption_entities"] = call.params["caption_entities"]
        return content, fmt

    async def _send_photo(self, call: Call) -> Any:
        chat_id = self._chat_id(call)
        stored, url = self._input_file(call, "photo")
        content, fmt = self._caption_content(call)
        markup = self._markup(call, inline_only=False)
        upload = call.params["photo"]
        if isinstance(upload, UploadedFile):
            if upload.size > MAX_PHOTO_UPLOAD:
                raise self._bad(call, f"Bad Request: photo is too big ({upload.size} > {MAX_PHOTO_UPLOAD} bytes)")
            info = _image_info(upload.data)
            if info is None:
                raise self._bad(call, "Bad Request: IMAGE_PROCESS_FAILED")
            mime, width, height = info
            if width <= 0 or height <= 0 or width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise self._bad(call, "Bad Request: PHOTO_INVALID_DIMENSIONS")
            stored = self._store_file(upload.data, upload.filename, mime, "photos")
        elif stored is None:  # a URL Telegram would fetch
            stored = self._store_file(b"", url.rsplit("/", 1)[-1] if url else None, "image/jpeg", "photos")
            width, height = 800, 600
        else:
            info = _image_info(stored.data)
            width, height = (info[1], info[2]) if info else (800, 600)
        content["photo"] = self._photo_sizes(stored, width, height)
        return self._new_message(chat_id, content, markup, fmt)

    def _photo_sizes(self, stored: StoredFile, width: int, height: int) -> list[dict[str, Any]]:
        """Telegram's thumbnails (longest side 90/320/800/1280) and the full size, smallest first."""
        longest = max(width, height)
        sizes = []
        for side in (90, 320, 800, 1280):
            if side < longest:
                scale = side / longest
                alias = StoredFile(
                    file_id=f"{stored.file_id}-{side}",
                    file_unique_id=f"{stored.file_unique_id}{side}",
                    data=stored.data,
                    mime_type=stored.mime_type,
                    file_path=stored.file_path,
                )
                self.files[alias.file_id] = alias
                sizes.append(
                    {
                        "file_id": alias.file_id,
                        "file_unique_id": alias.file_unique_id,
                        "width": max(1, round(width * scale)),
                        "height": max(1, round(height * scale)),
                        "file_size": max(1, int(len(stored.data) * scale * scale)),
                    }
                )
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.data),
            }
        )
        return sizes

    async def _send_document(self, call: Call) -> Any:
        chat_id = self._chat_id(call)
        stored, url = self._input_file(call, "document")
        content, fmt = self._caption_content(call)
        markup = self._markup(call, inline_only=False)
        upload = call.params["document"]
        if isinstance(upload, UploadedFile):
            if upload.size > MAX_FILE_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            if upload.size == 0:
                raise self._bad(call, "Bad Request: file must be non-empty")
            stored = self._store_file(upload.data, upload.filename, upload.content_type, "documents")
        elif stored is None:
            stored = self._store_file(b"", url.rsplit("/", 1)[-1] if url else None, None, "documents")
        document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.filename:
            document["file_name"] = stored.filename
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        document["file_size"] = len(stored.data)
        content["document"] = document
        return self._new_message(chat_id, content, markup, fmt)

    async def _send_chat_action(self, call: Call) -> Any:
        self._chat_id(call)
        if call.params.get("action") not in CHAT_ACTIONS:
            raise self._bad(call, "Bad Request: wrong parameter action in request")
        return True

    async def _delete_message(self, call: Call) -> Any:
        stored = self._target(call, action="delete")
        stored.deleted = True
        return True

    async def _get_file(self, call: Call) -> Any:
        stored = self.files.get(call.params.get("file_id", ""))
        if stored is None:
            raise self._bad(call, "Bad Request: invalid file_id")
        return stored.as_file()


__all__ = [
    "ApiError",
    "Call",
    "EntityError",
    "FakeTelegramApi",
    "StoredFile",
    "UploadedFile",
    "bot_user",
    "update_type",
    "utf16_len",
    "validate_reply_markup",
    "visible_text",
]
