"""LINE webhook events → what the engine understands.  Pure: no I/O.

Each event is parsed on its own, so one malformed or unknown event cannot spoil the others
in the same body (the SDK's parser gives up on the whole body).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    JoinEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
)

from conversations import Event as CoreEvent
from conversations import Start, Tap, Text, Unsupported

log = logging.getLogger(__name__)

UNSUPPORTED_KINDS = {"sticker", "image", "video", "audio", "file", "location"}


@dataclass(frozen=True, slots=True)
class ForEngine:
    """A one-to-one event for the conversation."""

    user_id: str
    event: CoreEvent
    event_id: str
    reply_token: str | None
    redelivery: bool
    wants_profile: bool = False  # follow: fetch the display name first


@dataclass(frozen=True, slots=True)
class Unfollowed:
    user_id: str
    event_id: str


@dataclass(frozen=True, slots=True)
class GroupChat:
    """Any event in a group or room: the assessment is one-to-one only."""

    reply_token: str | None
    event_id: str


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str


@dataclass(frozen=True, slots=True)
class Malformed:
    """The SDK could not read the event: it never will, so it becomes a dead letter."""

    reason: str


LineInput = ForEngine | Unfollowed | GroupChat | Ignored | Malformed


def parse_event(raw: Any) -> LineInput:
    try:
        event = Event.from_dict(raw)
    except Exception as error:  # pydantic v1 errors, KeyError, TypeError…: all mean "malformed"
        return Malformed(f"not a LINE event: {type(error).__name__}: {error}")
    if event is None:
        return Malformed("not a LINE event")
    return classify(event)


def classify(event: Event) -> LineInput:
    event_id = getattr(event, "webhook_event_id", None)
    source = getattr(event, "source", None)
    if not event_id or source is None:
        return Ignored("no event id or source")
    reply_token = getattr(event, "reply_token", None)
    redelivery = bool(getattr(getattr(event, "delivery_context", None), "is_redelivery", False))
    if source.type in ("group", "room"):
        if isinstance(event, MessageEvent | PostbackEvent | JoinEvent):
            return GroupChat(reply_token, event_id)
        return Ignored(f"{source.type} event")
    user_id = getattr(source, "user_id", None)
    if not user_id:
        return Ignored("no user id")
    if isinstance(event, FollowEvent):
        return ForEngine(user_id, Start(), event_id, reply_token, redelivery, wants_profile=True)
    if isinstance(event, UnfollowEvent):
        return Unfollowed(user_id, event_id)
    if isinstance(event, PostbackEvent):
        return ForEngine(user_id, Tap(event.postback.data), event_id, reply_token, redelivery)
    if isinstance(event, MessageEvent):
        message = event.message
        if isinstance(message, TextMessageContent):
            return ForEngine(user_id, Text(message.text), event_id, reply_token, redelivery)
        kind = getattr(message, "type", "unknown")
        return ForEngine(user_id, Unsupported(kind if kind in UNSUPPORTED_KINDS else "other"), event_id, reply_token,
                         redelivery)
    return Ignored(f"{getattr(event, 'type', 'unknown')} event")
