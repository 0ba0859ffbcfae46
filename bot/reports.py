"""Coordinators' summaries and the officer's comparison chart: load a round's report, let the core write it.

`summary_for` answers a coordinator's สรุป: the province view when the agency has agencies beneath it,
else the agency view, whose radar compares it with the average of its parent's agencies (so the report
is loaded at the parent, in the agency's round).  `officer_comparison` is the radar of an officer's own
answers against their agency's aggregate.  Both only read, inside the caller's connection.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncConnection

from conversations import report_texts as rt
from conversations.model import Chart, Reply
from conversations.reporting import RoundReport, officer_chart, summary_replies
from criteria.model import Bank
from storage.reporting import BANGKOK, load_round_report


async def summary_for(conn: AsyncConnection, bank: Bank, agency_id: int, now: datetime, *,
                      round_id: int | None = None, tz: tzinfo = BANGKOK) -> tuple[Reply, ...]:
    """The coordinator's summary of `agency_id` in `round_id` (default: the agency's current round).

    The caller checks that the coordinator may see this agency (it is theirs or beneath theirs).
    """
    report = await load_round_report(conn, bank, agency_id, round_id, now, tz=tz)
    if report is None:
        return (Reply(rt.NO_ROUND),)
    scope = report.agencies[0]
    if len(report.agencies) == 1 and scope.parent_id is not None:
        report = await _with_siblings(conn, bank, report, scope.parent_id, now, tz)
    # Pure but not instant: a province of 50 agencies takes about 0.1 s, the whole country (2,500 agencies,
    # 25,000 respondents, two rounds) about 5 s of scoring — off the event loop.
    return await asyncio.to_thread(summary_replies, bank, report, agency_id)


async def _with_siblings(conn: AsyncConnection, bank: Bank, own: RoundReport, parent_id: int, now: datetime,
                         tz: tzinfo) -> RoundReport:
    """The parent's report in the same round, for the average of its agencies; the agency keeps its own
    previous round (it may have had rounds of its own that its parent did not)."""
    wide = await load_round_report(conn, bank, parent_id, own.round_id, now, tz=tz)
    if wide is None:
        return own
    return dataclasses.replace(wide, previous=own.previous, previous_round_name=own.previous_round_name)


async def officer_comparison(conn: AsyncConnection, bank: Bank, agency_id: int, round_id: int,
                             own_answers: Mapping[str, str], categories: Sequence[int] | None = None,
                             *, now: datetime) -> Chart | None:
    """A radar of the officer's own category scores against their agency's (all respondents, lower median).

    None when the agency has no answers yet or the officer has none.  Pass the officer's current answers
    and assigned categories (None = all); set the result as `Reply.chart` on the officer's summary reply.
    """
    report = await load_round_report(conn, bank, agency_id, round_id, now)
    if report is None:
        return None
    return officer_chart(bank, own_answers, report.agencies[0], categories)
