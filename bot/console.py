"""`pmqa-bot chat`: the whole assessment in a terminal, through the same engine as LINE and
Telegram.  Reads lines from stdin (a terminal or a pipe); EOF ends the chat with state kept."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.coordination import ExportJob
from bot.demo import DEMO_INVITE, ensure_starter
from bot.engine import Inbound
from bot.exporting import Exporter
from bot.services import Services
from conversations import Reply, Start, Text
from conversations import coordinator_texts as ct

CHANNEL = "console"
STARTER_NOTE = (
    "ℹ️  ฐานข้อมูลยังว่าง จึงสร้าง \"หน่วยงานสาธิต\" พร้อมรอบประเมินที่เปิดอยู่ให้แล้ว\n"
    "    เมื่อระบบขอรหัสเชิญ ให้พิมพ์: {code}\n"
)
CHART_NOTE = "📈 (แผนภูมิ \"{title}\" แสดงใน LINE และ Telegram)"
WORDS_LINE = "   หรือพิมพ์: {words}"
GOODBYE = "\n💾 บันทึกความคืบหน้าไว้แล้ว พิมพ์ pmqa-bot chat เพื่อทำต่อได้ทุกเมื่อ"


def render(replies: Iterable[Reply]) -> str:
    blocks = []
    for reply in replies:
        lines = [reply.text]
        lines += [f"   {choice.number}) {choice.label}" for choice in reply.choices if choice.number is not None]
        words = [choice.label for choice in reply.choices if choice.number is None]
        if words:  # navigation has no number (numbers are answers): it is typed as its word
            lines.append(WORDS_LINE.format(words=" · ".join(words)))
        if reply.chart is not None:  # a terminal shows no image: name the chart the chat apps would send
            lines.append(CHART_NOTE.format(title=reply.chart.title))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


async def chat(services: Services, *, user_id: str, name: str | None, stdin: TextIO = sys.stdin,
               stdout: TextIO = sys.stdout) -> int:
    engine = services.engine
    async with services.db.transaction() as conn:
        created = await ensure_starter(conn, services.clock(), ZoneInfo(services.settings.timezone))
    if created:
        print(STARTER_NOTE.format(code=DEMO_INVITE), file=stdout)
    interactive = stdin.isatty()
    outcome = await engine.handle(Inbound(CHANNEL, user_id, Start(), display_name=name))
    _show(stdout, outcome.replies)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            print(GOODBYE, file=stdout)
            return 0
        text = line.strip()
        if not text:
            continue
        if not interactive:
            print(f"> {text}", file=stdout)  # a piped transcript reads like a conversation
        outcome = await engine.handle(Inbound(CHANNEL, user_id, Text(text), display_name=name))
        _show(stdout, outcome.replies)
        for job in outcome.exports:
            await _export(services, job, stdout)


async def _export(services: Services, job: ExportJob, stdout: TextIO) -> None:
    """A terminal has no chat upload: the workbook is written to the current directory."""
    built = await Exporter(services).build(job)
    if built is None:
        print(ct.EXPORT_EMPTY + "\n", file=stdout, flush=True)
        return
    filename, data = built
    path = Path.cwd() / filename
    await asyncio.to_thread(path.write_bytes, data)
    print(ct.EXPORT_SAVED.format(path=path) + "\n", file=stdout, flush=True)


def _show(stdout: TextIO, replies: tuple[Reply, ...]) -> None:
    if replies:
        print(render(replies) + "\n", file=stdout, flush=True)
