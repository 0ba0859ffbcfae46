"""Is this LINE event / Telegram update one we can ever process?  Pure: no I/O.

Only what the bot stores or hands to the core is checked, by the platforms' documented shapes:
an id the database keeps, text the core reads.  A field the bot ignores may hold anything.
Any text that reaches the database must be valid Unicode without NUL (PostgreSQL refuses both;
SQLite would store garbage), and within the platform's own limits (a 10 MB "userId" is not one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32  # LINE's and Telegram's payloads nest about 6 deep; room to spare, never 1,000

LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")  # webhook.yml: "U[0-9a-f]{32}"
LINE_EVENT_ID = re.compile(r"[0-9A-Z]{26}")  # webhookEventId is a ULID: 26 Crockford base32 characters
LINE_TEXT_MAX = 5_000  # a LINE text message holds at most 5,000 characters
LINE_POSTBACK_MAX = 300  # postback.data: at most 300 characters
LINE_REPLY_TOKEN_MAX = 256
LINE_EVENT_KINDS = frozenset({  # webhook.yml's Event discriminator; others are kinds LINE added later
    "message", "unsend", "follow", "unfollow", "join", "leave", "memberJoined", "memberLeft", "postback",
    "videoPlayComplete", "beacon", "accountLink", "membership", "module", "activated", "deactivated",
    "botSuspended", "botResumed", "delivery"})
LINE_MESSAGE_KINDS = frozenset({"text", "image", "video", "audio", "file", "location", "sticker"})

TELEGRAM_KINDS = ("message", "edited_message", "callback_query", "my_chat_member")  # what we subscribe to
TELEGRAM_TEXT_MAX = 4_096  # a message's text: at most 4,096 characters
TELEGRAM_CALLBACK_MAX = 64  # callback_data: 1–64 bytes
TELEGRAM_NAME_MAX = 256
INT64 = range(-(2**63), 2**63)


@dataclass(frozen=True, slots=True)
class Accepted:
    kind: str  # the event type or update kind


@dataclass(frozen=True, slots=True)
class Unknown:
    """A well-formed event or update of a kind the bot does not handle: skipped politely."""

    kind: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """Can never be processed: dead-lettered with the reason."""

    reason: str


Verdict = Accepted | Unknown | Rejected


class _Bad(Exception):
    """One field is wrong; the message is the dead letter's reason."""


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Nested deeper than `limit` levels.  Iterative: a hostile depth cannot exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def text_problem(value: object, max_chars: int) -> str | None:
    """Why `value` cannot be stored as text (None if it can)."""
    if not isinstance(value, str):
        return f"not a string but {type(value).__name__}"
    if len(value) > max_chars:
        return f"longer than {max_chars:,} characters ({len(value):,})"
    if "\x00" in value:
        return "contains NUL"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate"
    return None


def clean_name(value: object, max_chars: int = 100) -> str | None:
    """A display name fit to store (a greeting only: repaired, never a reason to refuse the event)."""
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()
    return value[:max_chars] or None


# LINE -----------------------------------------------------------------------------------------------


def line_event_id(raw: object) -> str | None:
    """The event's webhookEventId if it has the documented shape (then it names the dead letter too)."""
    value = raw.get("webhookEventId") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and LINE_EVENT_ID.fullmatch(value) else None


def check_line_event(raw: object) -> Verdict:
    try:
        return _line_event(raw)
    except _Bad as bad:
        return Rejected(str(bad))


def _line_event(raw: object) -> Verdict:
    if not isinstance(raw, dict):
        raise _Bad(f"an event is not an object but {type(raw).__name__}")
    if too_deep(raw):
        raise _Bad(f"nested deeper than {MAX_DEPTH} levels")
    kind = _str(raw, "type", 64)
    if line_event_id(raw) is None:
        raise _Bad("webhookEventId missing or not a ULID")
    if kind not in LINE_EVENT_KINDS:
        return Unknown(kind)
    source = raw.get("source")
    if source is not None:
        if not isinstance(source, dict):
            raise _Bad("source is not an object")
        _str(source, "type", 16)
        if "userId" in source and not (isinstance(source["userId"], str) and LINE_USER_ID.fullmatch(source["userId"])):
            raise _Bad("source.userId is not U + 32 hex digits")
    if "replyToken" in raw:
        _str(raw, "replyToken", LINE_REPLY_TOKEN_MAX)
    if kind == "message":
        message = _object(raw, "message")
        if _str(message, "type", 32, where="message.type") not in LINE_MESSAGE_KINDS:
            return Unknown(f"message {message['type']}")
        if message["type"] == "text":
            _str(message, "text", LINE_TEXT_MAX, where="message.text")
    elif kind == "postback":
        _str(_object(raw, "postback"), "data", LINE_POSTBACK_MAX, where="postback.data")
    return Accepted(kind)


# Telegram -------------------------------------------------------------------------------------------


def telegram_update_id(raw: object) -> int | None:
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63 else None


def check_telegram_update(raw: object) -> Verdict:
    try:
        if not isinstance(raw, dict):
            raise _Bad(f"an update is not an object but {type(raw).__name__}")
        if telegram_update_id(raw) is None:
            raise _Bad("update_id missing or not a 64-bit non-negative integer")
        if too_deep(raw):
            raise _Bad(f"nested deeper than {MAX_DEPTH} levels")
        kinds = [key for key in raw if key != "update_id"]
        known = [key for key in kinds if key in TELEGRAM_KINDS]
        if not known:
            return Unknown(str(kinds[0])[:64] if kinds else "empty")
        if len(kinds) > 1:
            raise _Bad(f"more than one update kind: {', '.join(sorted(map(str, kinds)))[:100]}")
        kind = known[0]
        payload = _object(raw, kind)
        if kind == "callback_query":
            _callback_query(payload)
        elif kind == "my_chat_member":
            _chat(payload)
            _user(payload, "from")
            _int(payload, "date")
        else:
            _message(payload, where=kind)
        return Accepted(kind)
    except _Bad as bad:
        return Rejected(str(bad))


def _message(message: dict[str, Any], where: str) -> None:
    _int(message, "message_id", where=f"{where}.message_id")
    _int(message, "date", where=f"{where}.date")
    _chat(message)
    if "from" in message:
        _user(message, "from")
    if "text" in message:
        _str(message, "text", TELEGRAM_TEXT_MAX, where=f"{where}.text")


def _callback_query(query: dict[str, Any]) -> None:
    _str(query, "id", 64, where="callback_query.id")
    _user(query, "from")
    if "data" in query:
        data = _str(query, "data", TELEGRAM_CALLBACK_MAX, where="callback_query.data")
        if len(data.encode("utf-8")) > TELEGRAM_CALLBACK_MAX:
            raise _Bad(f"callback_query.data longer than {TELEGRAM_CALLBACK_MAX} bytes")
    if "message" in query:
        message = _object(query, "message")
        _int(message, "message_id", where="callback_query.message.message_id")
        _int(message, "date", where="callback_query.message.date")
        _chat(message)
        if "text" in message:
            _str(message, "text", TELEGRAM_TEXT_MAX, where="callback_query.message.text")


def _chat(holder: dict[str, Any]) -> None:
    chat = _object(holder, "chat")
    _int(chat, "id", where="chat.id")
    _str(chat, "type", 16, where="chat.type")


def _user(holder: dict[str, Any], key: str) -> None:
    user = _object(holder, key)
    if _int(user, "id", where=f"{key}.id") <= 0:
        raise _Bad(f"{key}.id is not a positive integer")
    if not isinstance(user.get("is_bot"), bool):
        raise _Bad(f"{key}.is_bot is not true or false")
    _str(user, "first_name", TELEGRAM_NAME_MAX, where=f"{key}.first_name", strict=False)
    if "last_name" in user:
        _str(user, "last_name", TELEGRAM_NAME_MAX, where=f"{key}.last_name", strict=False)


# Field checks ----------------------------------------------------------------------------------------


def _object(holder: dict[str, Any], key: str) -> dict[str, Any]:
    value = holder.get(key)
    if not isinstance(value, dict):
        raise _Bad(f"{key} missing or not an object")
    return value


def _str(holder: dict[str, Any], key: str, max_chars: int, *, where: str | None = None, strict: bool = True) -> str:
    """A string field.  strict=False: only its type and size count (a name is repaired, not refused)."""
    value = holder.get(key)
    if strict:
        problem = text_problem(value, max_chars)
    else:
        problem = None if isinstance(value, str) and len(value) <= max_chars else "not a string or too long"
    if problem is not None:
        raise _Bad(f"{where or key} {problem}" if key in holder else f"{where or key} missing")
    assert isinstance(value, str)
    return value


def _int(holder: dict[str, Any], key: str, *, where: str | None = None) -> int:
    value = holder.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value not in INT64:
        raise _Bad(f"{where or key} missing or not a 64-bit integer")
    return value
