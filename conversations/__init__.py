"""The conversation: a pure state machine, ``handle(session, event, ctx) -> Step``."""

from conversations.machine import current_prompt, handle
from conversations.model import (
    Choice,
    Context,
    Event,
    Fact,
    Forget,
    GiveConsent,
    Joined,
    JoinRefused,
    Phase,
    RecordAnswer,
    RedeemInvite,
    Reply,
    RoundInfo,
    Session,
    SetAside,
    Start,
    Step,
    Submit,
    Tap,
    Text,
    Unsupported,
)

__all__ = [
    "Choice", "Context", "Event", "Fact", "Forget", "GiveConsent", "JoinRefused", "Joined", "Phase",
    "RecordAnswer", "RedeemInvite", "Reply", "RoundInfo", "Session", "SetAside", "Start", "Step", "Submit",
    "Tap", "Text", "Unsupported", "current_prompt", "handle",
]
