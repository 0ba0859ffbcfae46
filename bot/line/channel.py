"""The LINE webhook: verify, record durably, answer 200, then send.

Events are handled one by one through the engine (each in its own transaction, deduplicated
by webhookEventId) before the 200 goes back, so an acknowledged event is never lost; the
replies are sent right after the response (a Starlette background task).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from linebot.v3.messaging import ApiException, AsyncMessagingApi, TextMessage
from linebot.v3.webhook import SignatureValidator
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.coordination import ExportJob
from bot.engine import Engine, Inbound
from bot.exporting import FILE_TTL, XLSX, Exporter
from bot.line.events import ForEngine, GroupChat, Ignored, Unfollowed, parse_event
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
        self.validator = SignatureValidator(channel_secret)
        self.media = media
        self.exporter = exporter
        self.sender = LineSender(api, on_spend=self._spent)

    async def _spent(self, purpose: str, recipients: int, messages: int) -> None:
        await self.engine.record_spend(CHANNEL, "push", purpose, recipients, messages)

    async def webhook(self, request: Request) -> Response:
        body = await request.body()
        signature = request.headers.get("x-line-signature", "")
        # SignatureValidator compares with hmac.compare_digest (constant time).
        if not signature or not self.validator.validate(body.decode("utf-8", "replace"), signature):
            return PlainTextResponse("invalid signature", status_code=400)
        try:
            payload = json.loads(body)
            events = payload["events"]
            assert isinstance(events, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            return PlainTextResponse("malformed body", status_code=400)
        outgoing = [item for raw in events if (item := await self._intake(raw)) is not None]
        if not outgoing:
            return PlainTextResponse("OK")
        return PlainTextResponse("OK", background=BackgroundTask(self.deliver, outgoing))

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
            case Ignored(reason):
                log.debug("ignored LINE event: %s", reason)
        return None

    async def _display_name(self, user_id: str) -> str | None:
        try:
            profile = await self.api.get_profile(user_id, _request_timeout=PROFILE_TIMEOUT)
        except (ApiException, TimeoutError, OSError, aiohttp.ClientError) as error:
            log.info("no LINE profile for a user: %r", error)
            return None
        return str(profile.display_name) if profile.display_name else None

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

