"""Reminders to LINE: one multicast per batch of ≤ 500 people, with a retry key per batch, so a
batch resent after a crash or a lost answer is delivered once (LINE answers 409 to the repeat)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from linebot.v3.messaging import MulticastRequest, TextMessage

from bot.line.messages import quick_reply
from bot.line.sender import LineSender
from bot.reminders import SendResult
from conversations import Choice
from conversations import coordinator_texts as ct
from conversations.parsing import command_data

MULTICAST_MAX = 500
SpendRecorder = Callable[[str, str, str, int, int], Awaitable[None]]  # channel, kind, purpose, recipients, messages


class LineReminderSender:
    batch_size = MULTICAST_MAX
    idempotent = True

    def __init__(self, sender: LineSender, record_spend: SpendRecorder | None = None) -> None:
        self.sender = sender
        self.record_spend = record_spend

    async def send(self, recipients: Sequence[str], text: str, retry_key: str) -> SendResult:
        message = TextMessage(text=text, quick_reply=quick_reply([Choice(ct.BTN_RESUME, command_data("resume"))]))
        request = MulticastRequest(to=list(recipients), messages=[message])
        api, timeout = self.sender.api, self.sender.timeout
        ok, _ = await self.sender._with_retries(
            lambda: api.multicast(request, x_line_retry_key=retry_key, _request_timeout=timeout),
            accepted_statuses=(409,))
        if not ok:
            return SendResult(failed=frozenset(recipients))
        if self.record_spend is not None:
            await self.record_spend("line", "multicast", "reminder", len(recipients), len(recipients))
        # LINE does not say who blocked the account; unfollow events mark those people inactive.
        return SendResult(sent=frozenset(recipients))
