"""Builders for Telegram ``Update`` dicts shaped like the Bot API sends them.

Every builder returns a plain dict with a fresh ``update_id`` (increasing across the process) and,
for messages, a fresh ``message_id`` and the current ``date``.  Feed them to the fake or straight to
PTB::

    fake.push_update(message_update(42, "/start"))                  # polling: getUpdates returns it
    await app.process_update(Update.de_json(fake.observe(u), app.bot))   # no updater

Callback queries: ``callback_update`` makes a fresh ``callback_query.id``.  The fake accepts one
``answerCallbackQuery`` for it once it has seen the update, through ``fake.push_update(u)`` or
``fake.observe(u)`` (or ``fake.register_callback(u)``); pass ``query_id=fake.issue_callback_id()`` to
use an id the fake made.  ``message_id`` must be a message the bot sent (e.g.
``fake.messages(chat_id)[-1]["message_id"]``) if the handler is going to edit it.

Push updates in the order you built them: the fake refuses an ``update_id`` that does not increase.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from typing import Any

from tests.fakes.telegram_api import DEFAULT_BOT_USERNAME, DEFAULT_TOKEN, bot_user, utf16_len

Update = dict[str, Any]

DEFAULT_USER: dict[str, Any] = {"id": 700_000_001, "is_bot": False, "first_name": "สมชาย", "language_code": "th"}
DEFAULT_GROUP_TITLE = "คณะทำงาน PMQA"

_update_ids = itertools.count(810_000_001)
_message_ids = itertools.count(1001)
_query_ids = itertools.count(4_300_000_000_000_000_001)
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


def user(
    user_id: int = DEFAULT_USER["id"],
    first_name: str = "สมชาย",
    *,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = "th",
) -> dict[str, Any]:
    """A (non-bot) ``User``."""
    result: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name is not None:
        result["last_name"] = last_name
    if username is not None:
        result["username"] = username
    if language_code is not None:
        result["language_code"] = language_code
    return result


def next_update_id() -> int:
    return next(_update_ids)


def next_message_id() -> int:
    return next(_message_ids)


def file_ids(prefix: str = "AgACAgUAAxkBAAI") -> tuple[str, str]:
    """A (file_id, file_unique_id) pair shaped like Telegram's."""
    token = secrets.token_urlsafe(24)
    return prefix + token, "AQAD" + token[:12]


def private_chat(sender: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
    for key in ("last_name", "username"):
        if key in sender:
            chat[key] = sender[key]
    return chat


def chat(
    chat_id: int, chat_type: str = "private", *, sender: dict[str, Any] | None = None, title: str | None = None
) -> dict[str, Any]:
    """A ``Chat``: private chats carry the user's names, groups a title."""
    if chat_type == "private":
        return {**private_chat(sender or _default_user(chat_id)), "id": chat_id}
    if chat_type not in ("group", "supergroup", "channel"):
        raise ValueError(f"unknown chat type {chat_type!r}")
    return {"id": chat_id, "type": chat_type, "title": title or DEFAULT_GROUP_TITLE}


def _default_user(chat_id: int, chat_type: str = "private") -> dict[str, Any]:
    """In a private chat the user's id is the chat id; in a group it is DEFAULT_USER's."""
    return {**DEFAULT_USER, "id": chat_id} if chat_type == "private" else dict(DEFAULT_USER)


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entity Telegram adds for a leading /command (lengths in UTF-16 units)."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def _message(
    chat_id: int,
    *,
    sender: dict[str, Any] | None,
    chat_type: str,
    message_id: int | None,
    date: int | None,
    title: str | None = None,
    **content: Any,
) -> dict[str, Any]:
    sender = sender or _default_user(chat_id, chat_type)
    message: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next_message_id(),
        "from": sender,
        "chat": chat(chat_id, chat_type, sender=sender, title=title),
        "date": date if date is not None else int(time.time()),
    }
    message.update({k: v for k, v in content.items() if v is not None})
    return message


def _update(kind: str, payload: dict[str, Any], update_id: int | None) -> Update:
    return {"update_id": update_id if update_id is not None else next_update_id(), kind: payload}


def message_update(
    chat_id: int,
    text: str,
    *,
    user: dict[str, Any] | None = None,
    chat_type: str = "private",
    entities: list[dict[str, Any]] | None = None,
    message_id: int | None = None,
    update_id: int | None = None,
    date: int | None = None,
    title: str | None = None,
    reply_to_message: dict[str, Any] | None = None,
) -> Update:
    """A text message.  A leading /command gets its ``bot_command`` entity unless `entities` is given."""
    entities = command_entities(text) if entities is None else entities
    message = _message(
        chat_id,
        sender=user,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
        title=title,
        text=text,
        entities=entities or None,
        reply_to_message=reply_to_message,
    )
    return _update("message", message, update_id)


def group_message_update(
    group_id: int,
    text: str,
    *,
    user: dict[str, Any] | None = None,
    chat_type: str = "group",
    title: str | None = None,
    **kwargs: Any,
) -> Update:
    """A text message in a group (negative `group_id`; "-100…" ids are supergroups)."""
    if group_id >= 0:
        raise ValueError("group chat ids are negative")
    return message_update(group_id, text, user=user, chat_type=chat_type, title=title, **kwargs)


def edited_message_update(
    chat_id: int,
    text: str,
    message_id: int,
    *,
    user: dict[str, Any] | None = None,
    chat_type: str = "private",
    update_id: int | None = None,
    date: int | None = None,
    edit_date: int | None = None,
) -> Update:
    """The user edited their earlier message `message_id` to `text`."""
    now = int(time.time())
    message = _message(
        chat_id,
        sender=user,
        chat_type=chat_type,
        message_id=message_id,
        date=date if date is not None else now - 1,
        text=text,
        entities=command_entities(text) or None,
        edit_date=edit_date if edit_date is not None else now,
    )
    return _update("edited_message", message, update_id)


def callback_update(
    chat_id: int,
    data: str,
    message_id: int,
    *,
    message_text: str = "…",
    user: dict[str, Any] | None = None,
    chat_type: str = "private",
    query_id: str | None = None,
    reply_markup: dict[str, Any] | None = None,
    update_id: int | None = None,
    token: str = DEFAULT_TOKEN,
    bot_username: str = DEFAULT_BOT_USERNAME,
) -> Update:
    """The user pressed an inline button with `data` under the bot's message `message_id`."""
    sender = user or _default_user(chat_id, chat_type)
    bot = bot_user(token, bot_username)
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": {k: bot[k] for k in ("id", "is_bot", "first_name", "username")},
        "chat": chat(chat_id, chat_type, sender=sender),
        "date": int(time.time()) - 1,
        "text": message_text,
    }
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    query = {
        "id": query_id if query_id is not None else str(next(_query_ids)),
        "from": sender,
        "message": message,
        "chat_instance": str(-(abs(chat_id) * 7919 % 10**18) - 1),
        "data": data,
    }
    return _update("callback_query", query, update_id)


def sticker_update(
    chat_id: int,
    *,
    emoji: str = "👍",
    set_name: str | None = "HotCherry",
    user: dict[str, Any] | None = None,
    chat_type: str = "private",
    update_id: int | None = None,
) -> Update:
    file_id, unique = file_ids("CAACAgIAAxkBAAI")
    sticker = {
        "file_id": file_id,
        "file_unique_id": unique,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "file_size": 23_456,
    }
    if set_name is not None:
        sticker["set_name"] = set_name
    message = _message(chat_id, sender=user, chat_type=chat_type, message_id=None, date=None, sticker=sticker)
    return _update("message", message, update_id)


def photo_update(
    chat_id: int,
    *,
    caption: str | None = None,
    width: int = 1280,
    height: int = 960,
    file_id: str | None = None,
    user: dict[str, Any] | None = None,
    chat_type: str = "private",
    update_id: int | None = None,
) -> Update:
    """A photo with Telegram's usual sizes (thumbnails first, the largest last)."""
    base_id, unique = file_ids()
    sizes = []
    longest = max(width, height)
    for side in (90, 320, 800):
        if side < longest:
            scale = side / longest
            sizes.append(
                {
                    "file_id": f"{base_id}-{side}",
                    "file_unique_id": f"{unique}{side}",
                    "width": round(width * scale),
                    "height": round(height * scale),
                    "file_size": int(150_000 * scale * scale) + 1,
                }
            )
    sizes.append(
        {"file_id": file_id or base_id, "file_unique_id": unique, "width": width, "height": height, "file_size": 150_000}
    )
    message = _message(
        chat_id, sender=user, chat_type=chat_type, message_id=None, date=None, photo=sizes, caption=caption
    )
    return _update("message", message, update_id)


def voice_update(
    chat_id: int,
    *,
    duration: int = 3,
    file_id: str | None = None,
    user: dict[str, Any] | None = None,
    chat_type: str = "private",
    update_id: int | None = None,
) -> Update:
    new_id, unique = file_ids("AwACAgUAAxkBAAI")
    voice = {
        "file_id": file_id or new_id,
        "file_unique_id": unique,
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 4_000 * duration,
    }
    message = _message(chat_id, sender=user, chat_type=chat_type, message_id=None, date=None, voice=voice)
    return _update("message", message, update_id)


def document_update(
    chat_id: int,
    *,
    file_name: str = "แผนพัฒนาองค์กร.pdf",
    mime_type: str = "application/pdf",
    file_size: int = 48_213,
    caption: str | None = None,
    file_id: str | None = None,
    user: dict[str, Any] | None = None,
    chat_type: str = "private",
    update_id: int | None = None,
) -> Update:
    new_id, unique = file_ids("BQACAgUAAxkBAAI")
    document = {
        "file_id": file_id or new_id,
        "file_unique_id": unique,
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": file_size,
    }
    message = _message(
        chat_id, sender=user, chat_type=chat_type, message_id=None, date=None, document=document, caption=caption
    )
    return _update("message", message, update_id)


def my_chat_member_update(
    chat_id: int,
    *,
    old_status: str = "member",
    new_status: str = "kicked",
    user: dict[str, Any] | None = None,
    update_id: int | None = None,
    token: str = DEFAULT_TOKEN,
    bot_username: str = DEFAULT_BOT_USERNAME,
) -> Update:
    """The bot's membership changed; in a private chat "kicked" means the user blocked the bot."""
    sender = user or _default_user(chat_id)
    bot = bot_user(token, bot_username)
    bot_short = {k: bot[k] for k in ("id", "is_bot", "first_name", "username")}
    now = int(time.time())

    def member(status: str) -> dict[str, Any]:
        result: dict[str, Any] = {"user": bot_short, "status": status}
        if status == "kicked":
            result["until_date"] = 0
        return result

    payload = {
        "chat": chat(chat_id, sender=sender),
        "from": sender,
        "date": now,
        "old_chat_member": member(old_status),
        "new_chat_member": member(new_status),
    }
    return _update("my_chat_member", payload, update_id)


__all__ = [
    "DEFAULT_USER",
    "callback_update",
    "chat",
    "command_entities",
    "document_update",
    "edited_message_update",
    "file_ids",
    "group_message_update",
    "message_update",
    "my_chat_member_update",
    "next_message_id",
    "next_update_id",
    "photo_update",
    "sticker_update",
    "user",
    "voice_update",
]
