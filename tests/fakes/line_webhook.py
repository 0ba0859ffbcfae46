"""Builders for LINE webhook request bodies shaped like /work/shared/line-openapi/webhook.yml.

Every event carries what the spec (and the SDK's pydantic models) require: ``type``, ``mode``,
``timestamp`` (ms), ``source``, a unique 26-character ``webhookEventId`` and
``deliveryContext.isRedelivery``; message contents carry ``id`` and, where required, ``quoteToken``.

    event = text_event("U" + "a" * 32, "สวัสดี", fake.issue_reply_token(uid))
    raw = body(event)
    headers = {"X-Line-Signature": sign(raw, secret), "Content-Type": "application/json"}
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from typing import Any

DEFAULT_DESTINATION = "U" + "0123456789abcdef" * 2  # the bot's user id: U + 32 lower-case hex
MESSAGE_KINDS = ("sticker", "image", "video", "audio", "file", "location")

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ulid_lock = threading.Lock()
_ulid_last = (0, 0)
_message_ids = itertools.count(500_000_000_000_000_000)

Event = dict[str, Any]


def new_event_id(now_ms: int | None = None) -> str:
    """A ULID-shaped id (26 Crockford base32 chars: 48-bit ms time + 80 random bits), unique and increasing."""
    global _ulid_last
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    with _ulid_lock:
        last_ms, last_rand = _ulid_last
        rand = last_rand + 1 if ms <= last_ms else secrets.randbits(80)
        ms = max(ms, last_ms)
        _ulid_last = (ms, rand)
    value = (ms << 80) | (rand & ((1 << 80) - 1))
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_message_id() -> str:
    return str(next(_message_ids))


def new_user_id() -> str:
    return "U" + secrets.token_hex(16)


def user_source(user_id: str) -> dict[str, str]:
    return {"type": "user", "userId": user_id}


def group_source(group_id: str, user_id: str | None = None) -> dict[str, str]:
    source = {"type": "group", "groupId": group_id}
    if user_id is not None:
        source["userId"] = user_id
    return source


def room_source(room_id: str, user_id: str | None = None) -> dict[str, str]:
    source = {"type": "room", "roomId": room_id}
    if user_id is not None:
        source["userId"] = user_id
    return source


def _event(
    kind: str,
    user_id: str,
    *,
    source: dict[str, str] | None,
    reply_token: str | None,
    timestamp: int | None,
    webhook_event_id: str | None,
    redelivery: bool,
    mode: str,
) -> Event:
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    event: Event = {
        "type": kind,
        "mode": mode,
        "timestamp": ts,
        "source": dict(source) if source is not None else user_source(user_id),
        "webhookEventId": webhook_event_id or new_event_id(ts),
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if reply_token is not None:
        event["replyToken"] = reply_token
    return event


def text_event(
    user_id: str,
    text: str,
    reply_token: str | None,
    *,
    source: dict[str, str] | None = None,
    timestamp: int | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
    message_id: str | None = None,
    quote_token: str | None = None,
    quoted_message_id: str | None = None,
) -> Event:
    """A message event with a text message."""
    event = _event(
        "message", user_id, source=source, reply_token=reply_token, timestamp=timestamp,
        webhook_event_id=webhook_event_id, redelivery=redelivery, mode=mode,
    )  # fmt: skip
    message: dict[str, Any] = {
        "type": "text",
        "id": message_id or new_message_id(),
        "quoteToken": quote_token or secrets.token_urlsafe(24),
        "text": text,
    }
    if quoted_message_id is not None:
        message["quotedMessageId"] = quoted_message_id
    event["message"] = message
    return event


def _content(kind: str) -> dict[str, Any]:
    if kind == "sticker":
        return {"packageId": "446", "stickerId": "1988", "stickerResourceType": "STATIC", "keywords": ["Happy"]}
    if kind == "image":
        return {"contentProvider": {"type": "line"}}
    if kind == "video":
        return {"duration": 60_000, "contentProvider": {"type": "line"}}
    if kind == "audio":
        return {"duration": 15_000, "contentProvider": {"type": "line"}}
    if kind == "file":
        return {"fileName": "แผนปฏิบัติการ.pdf", "fileSize": 2_138}
    if kind == "location":
        return {
            "title": "ทำเนียบรัฐบาล",
            "address": "1 ถนนพิษณุโลก แขวงดุสิต เขตดุสิต กรุงเทพมหานคร 10300",
            "latitude": 13.7603,
            "longitude": 100.5137,
        }
    raise ValueError(f"unknown message kind {kind!r}; expected one of {MESSAGE_KINDS}")


def message_event(
    user_id: str,
    kind: str,
    reply_token: str | None,
    *,
    source: dict[str, str] | None = None,
    timestamp: int | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
    message_id: str | None = None,
    **fields: Any,
) -> Event:
    """A message event of `kind` (sticker/image/video/audio/file/location) with the spec's required fields.

    Keyword `fields` (camelCase, as in the JSON) override or extend the message content.
    """
    event = _event(
        "message", user_id, source=source, reply_token=reply_token, timestamp=timestamp,
        webhook_event_id=webhook_event_id, redelivery=redelivery, mode=mode,
    )  # fmt: skip
    message: dict[str, Any] = {"type": kind, "id": message_id or new_message_id(), **_content(kind)}
    if kind in ("sticker", "image", "video"):
        message["quoteToken"] = secrets.token_urlsafe(24)
    message.update(fields)
    event["message"] = message
    return event


def postback_event(
    user_id: str,
    data: str,
    reply_token: str | None,
    *,
    params: dict[str, str] | None = None,
    source: dict[str, str] | None = None,
    timestamp: int | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    event = _event(
        "postback", user_id, source=source, reply_token=reply_token, timestamp=timestamp,
        webhook_event_id=webhook_event_id, redelivery=redelivery, mode=mode,
    )  # fmt: skip
    postback: dict[str, Any] = {"data": data}
    if params is not None:
        postback["params"] = params
    event["postback"] = postback
    return event


def follow_event(
    user_id: str,
    reply_token: str,
    *,
    is_unblocked: bool = False,
    timestamp: int | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    event = _event(
        "follow", user_id, source=None, reply_token=reply_token, timestamp=timestamp,
        webhook_event_id=webhook_event_id, redelivery=redelivery, mode=mode,
    )  # fmt: skip
    event["follow"] = {"isUnblocked": is_unblocked}
    return event


def unfollow_event(
    user_id: str,
    *,
    timestamp: int | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    return _event(
        "unfollow", user_id, source=None, reply_token=None, timestamp=timestamp,
        webhook_event_id=webhook_event_id, redelivery=redelivery, mode=mode,
    )  # fmt: skip


def redelivered(event: Event) -> Event:
    """The same event as LINE resends it: same webhookEventId, deliveryContext.isRedelivery = True."""
    copied = copy.deepcopy(event)
    copied["deliveryContext"] = {**copied.get("deliveryContext", {}), "isRedelivery": True}
    return copied


def body(*events: Event, destination: str = DEFAULT_DESTINATION) -> bytes:
    """The webhook request body: compact JSON, UTF-8 (Thai stays unescaped, as LINE sends it)."""
    payload = {"destination": destination, "events": list(events)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(raw_body: bytes, channel_secret: str) -> str:
    """X-Line-Signature: base64(HMAC-SHA256(channel_secret, raw body))."""
    digest = hmac.new(channel_secret.encode("utf-8"), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_headers(raw_body: bytes, channel_secret: str) -> dict[str, str]:
    """Headers LINE sends with a webhook delivery (signature and JSON content type)."""
    return {"X-Line-Signature": sign(raw_body, channel_secret), "Content-Type": "application/json; charset=utf-8"}


__all__ = [
    "DEFAULT_DESTINATION",
    "MESSAGE_KINDS",
    "body",
    "follow_event",
    "group_source",
    "message_event",
    "new_event_id",
    "new_message_id",
    "new_user_id",
    "postback_event",
    "redelivered",
    "room_source",
    "sign",
    "signed_headers",
    "text_event",
    "unfollow_event",
    "user_source",
]
