"""The dashboard's charts as PNG, drawn by the chat's own code: the summary (`bot.reports.summary_for`)
says what to draw and `bot.media.chart_png` draws it with bot/charts.py, so a chart on the page is the one
the chat sends.  `bars`: a province's agencies by overall score; `radar`: an agency's categories against
the average of its province's agencies (or a province's averages).  Scope is checked as for its page.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.dashboard.pages import now_of, services_of, signed_in_with_agency, tz_of
from bot.dashboard.security import secure
from bot.reports import summary_for

KINDS = {"bars": "bar", "radar": "radar"}


async def agency_chart(request: Request) -> Response:
    kind = KINDS.get(request.path_params["kind"])
    services = services_of(request)
    async with services.db.transaction() as conn:
        found = await signed_in_with_agency(request, conn)
        if isinstance(found, Response):
            return found
        _visitor, agency = found
        if kind is None:
            return secure(PlainTextResponse("not found", status_code=404))
        replies = await summary_for(conn, services.bank, agency.id, now_of(request), tz=tz_of(request))
    chart = next((reply.chart for reply in replies if reply.chart is not None and reply.chart.kind == kind), None)
    if chart is None:  # no answers yet, so nothing to draw
        return secure(PlainTextResponse("no chart yet", status_code=404))
    from bot.media import chart_png

    png = await asyncio.to_thread(chart_png, chart)
    return secure(Response(png, media_type="image/png"))
