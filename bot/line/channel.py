"""The LINE webhook: verify, record durably, answer 200, then send.

Events are handled one by one through the engine (each in its own transaction, deduplicated
by webhookEventId) before the 200 goes back, so an acknowledged event is never lost; the
replies are sent right after the response (a Starlette background task).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from linebot.v3.messaging import ApiException, AsyncMessagingApi, TextMessage
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.coordination import ExportJob
from bot.edges.dead_letters import DeadLetters, as_text, is_transient
from bot.edges.shapes import Rejected, Unknown, check_line_event, clean_name, line_event_id
from bot.engine import Engine, Inbound
from bot.exporting import FILE_TTL, XLSX, Exporter
from bot.line.events import ForEngine, GroupChat, Ignored, Malformed, Unfollowed, parse_event
from bot.line.messages import to_messages
from bot.line.sender import LineSender
from bot.media import MediaStore
from conversations import Reply
from conversations import coordinator_texts as ct
from conversations import texts as t

log = logging.getLogger(__name__)
CHANNEL = "line"
PROFILE_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    user_id: str | None  # None: a group or room (reply only, never a paid push)
    reply_token: str | None
    replies: tuple[Reply, ...]
    exports: tuple[ExportJob, ...] = ()


class LineChannel:
    def __init__(self, engine: Engine, api: AsyncMessagingApi, channel_secret: str, media: MediaStore,
                 exporter: Exporter | None = None) -> None:
        self.engine = engine
        self.api = api
        self.secret = channel_secret.encode("utf-8")
        self.dead_letters = DeadLetters(engine.db, engine.clock)
        self.media = media
        self.exporter = exporter
        self.sender = LineSender(api, on_spend=self._spent)

    async def _spent(self, purpose: str, recipients: int, messages: int) -> None:
        await self.engine.record_spend(CHANNEL, "push", purpose, recipients, messages)

    async def webhook(self, request: Request) -> Response:
        body = await request.body()  # at most PMQA_MAX_BODY_BYTES: the body limit refused anything larger
        if not self._signed(body, request.headers.get("x-line-signature", "")):
            return PlainTextResponse("invalid signature", status_code=400)
        outgoing: list[Outgoing] = []
        try:
            events = _events_of(body)
            if isinstance(events, str):  # signed by LINE yet unreadable: answering 4xx would only bring it back
                await self.dead_letters.keep(CHANNEL, None, events, body)
            else:
                for raw in events:  # in order, one transaction each: a person's events stay in sequence
                    if (item := await self._one(raw)) is not None:
                        outgoing.append(item)
        except Exception as error:
            if not is_transient(error):
                raise
            # The events before this one are committed and will be deduplicated when LINE redelivers.
            log.warning("LINE body not finished, the database is unavailable: %s", type(error).__name__)
            response = PlainTextResponse("database unavailable", status_code=503)
        else:
            response = PlainTextResponse("OK")
        if outgoing:
            response.background = BackgroundTask(self.deliver, outgoing)
        return response

    def _signed(self, body: bytes, signature: str) -> bool:
        """X-Line-Signature is base64(HMAC-SHA256(secret, body)) over the raw bytes, checked before any decoding
        (the SDK's validator takes text, so invalid UTF-8 would be altered first); constant time."""
        if not signature:
            return False
        expected = base64.b64encode(hmac.new(self.secret, body, hashlib.sha256).digest())
        return hmac.compare_digest(signature.encode("utf-8", "replace"), expected)

    async def _one(self, raw: object) -> Outgoing | None:
        event_id = line_event_id(raw)
        match check_line_event(raw):
            case Rejected(reason):
                await self.dead_letters.keep(CHANNEL, event_id, reason, as_text(raw))
                return None
            case Unknown(kind):
                log.info("skipped a LINE event of a kind this bot does not handle: %s", kind[:64])
                return None
        return await self.dead_letters.isolate(CHANNEL, event_id, raw, self._intake(raw))

    async def _intake(self, raw: object) -> Outgoing | None:
        match parse_event(raw):
            case ForEngine() as item:
                name = await self._display_name(item.user_id) if item.wants_profile else None
                outcome = await self.engine.handle(
                    Inbound(CHANNEL, item.user_id, item.event, event_id=item.event_id, display_name=name))
                if outcome.duplicate:
                    return None
                return Outgoing(item.user_id, item.reply_token, outcome.replies, outcome.exports)
            case Unfollowed(user_id, event_id):
                await self.engine.deactivate(CHANNEL, user_id, event_id)
            case GroupChat(reply_token, _):
                if reply_token:
                    return Outgoing(None, reply_token, (Reply(t.GROUP_CHAT),))
            case Malformed(reason):
                await self.dead_letters.keep(CHANNEL, line_event_id(raw), reason, as_text(raw))
            case Ignored(reason):
                log.debug("ignored LINE event: %s", reason)
        return None

    async def _display_name(self, user_id: str) -> str | None:
        try:
            profile = await self.api.get_profile(user_id, _request_timeout=PROFILE_TIMEOUT)
        except (ApiException, TimeoutError, OSError, aiohttp.ClientError) as error:
            log.info("no LINE profile for a user: %r", error)
            return None
        return clean_name(profile.display_name)

    async def deliver(self, outgoing: Sequence[Outgoing]) -> None:
        for item in outgoing:
            try:
                chart_urls = await self._charts(item.replies)
                messages = to_messages(item.replies, chart_urls)
                if item.user_id is None:
                    await self.sender.send_reply_only(item.reply_token, messages)
                else:
                    await self.sender.send(item.user_id, item.reply_token, messages)
            except Exception:  # one failed delivery must not stop the others
                log.exception("LINE delivery failed")
            for job in item.exports:
                if item.user_id is not None and self.exporter is not None:
                    self._export(item.user_id, job, self.exporter)

    def _export(self, user_id: str, job: ExportJob, exporter: Exporter) -> None:
        """LINE cannot send files: the workbook goes behind an unguessable, expiring link, by push."""

        async def say(text: str) -> None:
            await self.sender.push(user_id, [TextMessage(text=text)], purpose="export")

        async def deliver(built: tuple[str, bytes] | None) -> None:
            if built is None:
                await say(ct.EXPORT_EMPTY)
                return
            filename, data = built
            url = await self.media.file_url(data, filename, XLSX, FILE_TTL, agency_id=job.agency_id)
            await say(ct.EXPORT_READY_LINK.format(url=url) if url else ct.EXPORT_NO_LINK)

        exporter.start(job, deliver, lambda: say(ct.EXPORT_FAILED))

    async def _charts(self, replies: Sequence[Reply]) -> dict[int, str]:
        urls: dict[int, str] = {}
        for index, reply in enumerate(replies):
            if reply.chart is not None and (url := await self.media.chart_url(reply.chart)):
                urls[index] = url
        return urls



def _events_of(body: bytes) -> list[object] | str:
    """The body's events, or why there are none to read."""
    try:
        payload = json.loads(body)
    except RecursionError:
        return "not JSON: nested too deeply"
    except ValueError as error:  # invalid JSON or UTF-8, a number of more than 4,300 digits
        return f"not JSON: {error}"
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        return "no list of events"
    return events
