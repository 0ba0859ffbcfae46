"""Building a coordinator's Excel export after the chat has been answered, and handing it to a channel.

The workbook is built in a worker thread (bot.export), one at a time per process so a national
export cannot starve the others; the task is kept here so shutdown waits for it instead of
dropping a file someone is waiting for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.coordination import ExportJob
from bot.services import Services

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_TTL = timedelta(days=7)
Deliver = Callable[[tuple[str, bytes] | None], Awaitable[None]]  # None: nothing to export (no round)


class Exporter:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._one_at_a_time = asyncio.Semaphore(1)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, job: ExportJob, deliver: Deliver, on_failure: Callable[[], Awaitable[None]]) -> None:
        """Build in the background and call `deliver` with the file; `on_failure` if building failed."""
        task = asyncio.create_task(self._run(job, deliver, on_failure))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def build(self, job: ExportJob) -> tuple[str, bytes] | None:
        from bot.export import export_workbook  # openpyxl loads on the first export, not at server start

        services = self.services
        async with self._one_at_a_time:
            return await export_workbook(services.db, services.bank, job.agency_id, job.round_id, services.clock(),
                                         timezone=services.settings.timezone)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, job: ExportJob, deliver: Deliver, on_failure: Callable[[], Awaitable[None]]) -> None:
        try:
            built = await self.build(job)
        except Exception:
            log.exception("export of %s failed", job.agency_code)
            await on_failure()
            return
        try:
            await deliver(built)
        except Exception:
            log.exception("could not deliver the export of %s", job.agency_code)
