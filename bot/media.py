"""Charts and files behind unguessable, expiring links (LINE takes images only as https URLs).

Bytes live in the database, not on local disk, so any worker can serve a link another
worker created.  Rendering runs in a thread: matplotlib must not block the event loop.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.engine import Clock
from bot.settings import Settings
from conversations.model import Chart
from storage import repository as repo
from storage.database import Database

T = TypeVar("T")

CHART_TTL = timedelta(days=7)
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what secrets.token_urlsafe makes; anything else is not ours


class MediaStore:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def store(self, data: bytes, content_type: str, filename: str, ttl: timedelta, *,
                    agency_id: int | None = None) -> str:
        async with self.db.transaction() as conn:
            return await repo.store_media(conn, data, content_type, filename, self.clock(), ttl, agency_id=agency_id)

    async def chart_url(self, chart: Chart) -> str | None:
        """Render a reply's chart (radar or bars) and return its public link; None without PMQA_PUBLIC_URL."""
        if self.settings.public_link("/") is None:
            return None
        png = await asyncio.to_thread(chart_png, chart)
        token = await self.store(png, "image/png", "chart.png", CHART_TTL)
        return self.settings.public_link(f"/charts/{token}.png")

    async def file_url(self, data: bytes, filename: str, content_type: str, ttl: timedelta, *,
                       agency_id: int | None = None) -> str | None:
        """A download link for a file (an Excel export for LINE, which cannot send files); None without
        PMQA_PUBLIC_URL.  `agency_id` is the export's scope: erasing a person who answered there (or beneath)
        deletes the file, so the link stops working."""
        if self.settings.public_link("/") is None:
            return None
        token = await self.store(data, content_type, filename, ttl, agency_id=agency_id)
        return self.settings.public_link(f"/files/{token}/{filename}")

    async def serve(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not TOKEN.fullmatch(token):  # e.g. %00, which PostgreSQL refuses in text: a 404, never a 500
            return PlainTextResponse("not found or expired", status_code=404)
        async with self.db.read() as conn:
            row = await repo.load_media(conn, token, self.clock())
        if row is None:
            return PlainTextResponse("not found or expired", status_code=404)
        disposition = "inline" if row.content_type.startswith("image/") else "attachment"
        headers = {"Cache-Control": "private, max-age=3600",
                   "Content-Disposition": f'{disposition}; filename="{row.filename}"'}
        return Response(row.data, media_type=row.content_type, headers=headers)


def chart_png(chart: Chart) -> bytes:
    """Draw a reply's chart: a radar of categories (1–4 series) or one bar per agency with the average."""
    from bot.charts import bar_png, radar_png

    if chart.kind == "radar":
        return radar_png(chart.labels, [(name, values) for name, values in chart.series], title=chart.title)
    if chart.kind == "bar":
        ((_, values),) = chart.series
        return bar_png(chart.labels, [0.0 if v is None else v for v in values], title=chart.title,
                       average=chart.average)
    raise ValueError(f"unknown chart kind {chart.kind!r}")
