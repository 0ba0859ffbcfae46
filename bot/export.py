"""The Excel export of one round (issue 7): an agency, or a province or the whole country, in one workbook.

`export_workbook` is what the chat command and `pmqa-bot export` call: it loads the round and builds
the workbook in a worker thread, so even a national export (2,500 agencies × 10 respondents) never
holds the event loop (figures in `bench/bench_export.py`).  `build_workbook` is pure CPU work on a
loaded `RoundReport`: no I/O, no clock.

Sheets, all in Thai, dates in พ.ศ.:

* ภาพรวม — the round, one row per agency (invited, respondents, finished, completion, overall score,
  level, Government-4.0 index, the previous round) and a native bar chart of overall scores: every
  agency when there are at most `CHART_ALL_MAX`, else the `CHART_LOWEST` lowest (a bar chart of
  thousands of bars is unreadable; the agencies that need support first are the useful subset),
  plus a count of agencies per level.
* หมวด — one row per agency: score and level of each category.
* รายข้อ — one row per agency × answered question, with the agency's (aggregated) answer and every
  respondent's answer by name in one column.  One row per *respondent* × question would be easier
  to pivot but reaches 1.5 million rows at national scale, beyond Excel's 1,048,576; per agency the
  ~195,000 rows fit, and a PMQA team filters them by agency, category, level, answer or disagreement.
* ความเห็นต่าง — questions whose answers span two or more scale steps.
* แผนพัฒนา — every ranked improvement action per agency, with empty columns ผู้รับผิดชอบ, กำหนดเสร็จ
  and สถานะ (a drop-down) for the team to fill in.

Respondents appear by display name only; no user id, internal or platform, is written.  The whole
workbook is written in openpyxl's write-only mode: rows stream to temporary files instead of living
as cell objects (measured: a normal workbook of the national export needs gigabytes).
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from conversations.reporting import completion
from conversations.texts import LEVEL_WORD, UNANSWERED, thai_date
from criteria import shown
from criteria.model import Bank
from criteria.scoring import Aggregate, Result, aggregate, ranked_actions, score

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from conversations.reporting import AgencyRound, Respondent, RoundReport
    from storage.database import Database

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_OVERVIEW = "ภาพรวม"
SHEET_CATEGORIES = "หมวด"
SHEET_QUESTIONS = "รายข้อ"
SHEET_DISAGREEMENTS = "ความเห็นต่าง"
SHEET_PLAN = "แผนพัฒนา"
SHEETS = (SHEET_OVERVIEW, SHEET_CATEGORIES, SHEET_QUESTIONS, SHEET_DISAGREEMENTS, SHEET_PLAN)
STATUS_CHOICES = ("ยังไม่เริ่ม", "กำลังดำเนินการ", "เสร็จแล้ว")
CHART_ALL_MAX = 40
CHART_LOWEST = 30
ANSWER_SEPARATOR = " | "

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
_TITLE_FONT = Font(bold=True, size=14)
_LABEL_FONT = Font(bold=True)
_SCORE = "0"  # whole points, as every other view rounds them (criteria.shown)
_INDEX = "0.0"
_PERCENT = "0%"
_THAI_DATE = "d/m/bbbb"  # Excel's Buddhist-era year, for the due dates the team types in


# What each agency's answers come to, computed once for every sheet ------------------------------


@dataclass(frozen=True, slots=True)
class _Scored:
    agency: AgencyRound
    answering: tuple[Respondent, ...]  # respondents with at least one answer
    finished: int
    combined: Aggregate | None  # None when nobody answered
    result: Result | None
    previous: Result | None
    completion: float | None  # share of applicable questions answered, as สถานะ and สรุป show it


def _scored(bank: Bank, report: RoundReport) -> list[_Scored]:
    rows = []
    for agency in report.agencies:
        answering = tuple(r for r in agency.respondents if r.answers)
        combined = aggregate(bank, [r.answers for r in answering]) if answering else None
        result = score(bank, combined.answers) if combined else None
        before = report.previous.get(agency.agency_id)
        previous = score(bank, before) if before else None
        finished = sum(1 for r in agency.respondents if r.submitted)
        share = completion(bank, agency) if agency.respondents else None
        rows.append(_Scored(agency, answering, finished, combined, result, previous, share))
    return rows


# Entry points --------------------------------------------------------------------------------------


def build_workbook(bank: Bank, report: RoundReport, *, generated_at: datetime, timezone: str) -> bytes:
    """The .xlsx file of one round report.  Pure CPU work: safe to run in a worker thread."""
    scored = _scored(bank, report)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "pmqa-bot"
    workbook.properties.title = f"{bank.short_title} — {report.round_name} — {report.scope_name}"
    _overview(workbook.create_sheet(SHEET_OVERVIEW), bank, report, scored, generated_at.astimezone(ZoneInfo(timezone)))
    _categories(workbook.create_sheet(SHEET_CATEGORIES), bank, scored)
    _questions(workbook.create_sheet(SHEET_QUESTIONS), bank, scored)
    _disagreements(workbook.create_sheet(SHEET_DISAGREEMENTS), bank, scored)
    _plan(workbook.create_sheet(SHEET_PLAN), bank, scored)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(report: RoundReport, generated_at: datetime, timezone: str) -> str:
    """ASCII only (mail gateways and LINE links mangle Thai file names): pmqa-CODE-round-ID-2569-11-24.xlsx."""
    day = generated_at.astimezone(ZoneInfo(timezone)).date()
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", report.scope_code).strip("-") or "agency"
    return f"pmqa-{code}-round-{report.round_id}-{_be_iso(day)}.xlsx"


async def export_workbook(db: Database, bank: Bank, agency_id: int, round_id: int | None, now: datetime, *,
                          timezone: str = "Asia/Bangkok") -> tuple[str, bytes] | None:
    """(file name, .xlsx bytes) of a round for `agency_id` and every agency beneath it; None when the
    agency is unknown or has no such round (`round_id` None = its current round, else its latest).

    Loading and building both run in one worker thread with its own connection, in a read snapshot
    that never takes SQLite's write lock, so chat traffic goes on while a national export is built;
    await it from a task of its own and send the file when it returns.
    """
    export = await export_round(db, bank, agency_id, round_id, now, timezone=timezone)
    return None if export is None else (export.filename, export.data)


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    data: bytes
    round_id: int
    round_name: str
    agencies: int
    answering_agencies: int
    respondents: int


async def export_round(db: Database, bank: Bank, agency_id: int, round_id: int | None, now: datetime, *,
                       timezone: str = "Asia/Bangkok") -> Export | None:
    """`export_workbook` with the counts the command line prints."""
    return await asyncio.to_thread(_export_in_thread, db, bank, agency_id, round_id, now, timezone)


def _export_in_thread(db: Database, bank: Bank, agency_id: int, round_id: int | None, now: datetime,
                      timezone: str) -> Export | None:
    report = asyncio.run(_load_snapshot(db, bank, agency_id, round_id, now, timezone))
    if report is None:
        return None
    data = build_workbook(bank, report, generated_at=now, timezone=timezone)
    return Export(export_filename(report, now, timezone), data, report.round_id, report.round_name,
                  len(report.agencies), sum(1 for a in report.agencies if a.respondents),
                  sum(len(a.respondents) for a in report.agencies))


async def _load_snapshot(db: Database, bank: Bank, agency_id: int, round_id: int | None, now: datetime,
                         timezone: str) -> RoundReport | None:
    """Run the loader on this thread's own loop, with its own engine (the caller's belongs to its loop), in a
    read snapshot that holds no write lock."""
    from storage.reporting import load_round_report

    own = db.another()
    try:
        async with own.read() as conn:
            return await load_round_report(conn, bank, agency_id, round_id, now, tz=ZoneInfo(timezone))
    finally:
        await own.dispose()


# Sheets ----------------------------------------------------------------------------------------------


def _overview(sheet: WriteOnlyWorksheet, bank: Bank, report: RoundReport, scored: list[_Scored],
              generated: datetime) -> None:
    header: tuple[str, ...] = ("รหัส", "หน่วยงาน", "สังกัด", "ผู้เข้าร่วม", "ผู้ตอบ", "ส่งแล้ว", "ความครบถ้วน", "คะแนนรวม (เต็ม 500)",
              "ระดับ", "ดัชนีระบบราชการ 4.0", "ความเห็นต่าง (ข้อ)")
    has_previous = bool(report.previous)
    if has_previous:
        header += (f"คะแนนรอบก่อน ({report.previous_round_name or 'รอบก่อน'})", "เปลี่ยนแปลง")
    _widths(sheet, (14, 44, 14, 11, 9, 9, 12, 14, 22, 14, 13, 18, 12))
    info = [
        ("รอบการประเมิน", report.round_name),
        ("หน่วยงาน", f"{report.scope_name} ({report.scope_code})"),
        ("ช่วงเวลา", f"{thai_date(report.opens_on)} – {thai_date(report.closes_on)}"),
        ("จัดทำเมื่อ", f"{thai_date(generated.date())} เวลา {generated:%H:%M} น."),
        ("หมายเหตุ", bank.disclaimer),
    ]
    header_row = len(info) + 3  # title, the facts, a blank row
    sheet.freeze_panes = f"C{header_row + 1}"
    _append(sheet, [_styled(sheet, f"{bank.title}: รายงานผลการประเมินตนเอง", font=_TITLE_FONT)])
    for label, value in info:
        _append(sheet, [_styled(sheet, label, font=_LABEL_FONT), value])
    _append(sheet, [])
    _append(sheet, _header(sheet, header))
    codes = {a.agency_id: a.code for a in report.agencies}
    for entry in scored:
        agency, result = entry.agency, entry.result
        row: list[Any] = [
            agency.code,
            _styled(sheet, agency.name, alignment=Alignment(indent=min(agency.depth, 10))),
            codes.get(agency.parent_id) if agency.parent_id is not None else None,
            agency.invited, len(entry.answering), entry.finished,
            _number(sheet, None if entry.completion is None else shown.percent(entry.completion) / 100, _PERCENT),
            _number(sheet, result.overall if result else None, _SCORE),
            result.level.name if result else None,
            _number(sheet, shown.tenth(result.index) if result else None, _INDEX),
            len(entry.combined.disagreements) if entry.combined else None,
        ]
        if has_previous:
            before = entry.previous.overall if entry.previous else None
            change = shown.whole(result.overall) - shown.whole(before) if result and before is not None else None
            row += [_number(sheet, before, _SCORE), _number(sheet, change, "+0;-0;0")]
        _append(sheet, row)
    last = header_row + len(scored)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(header))}{last}"
    _overview_charts(sheet, bank, scored, header_row, last, len(header))


def _overview_charts(sheet: WriteOnlyWorksheet, bank: Bank, scored: list[_Scored], header_row: int, last: int,
                     width: int) -> None:
    results = [(e.agency, e.result) for e in scored if e.result is not None]
    chart = BarChart()
    chart.type = "bar"  # horizontal: long Thai agency names stay readable
    chart.style = 10
    chart.x_axis.title = "หน่วยงาน"
    chart.y_axis.title = "คะแนนรวม"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 500
    chart.legend = None
    if len(results) <= CHART_ALL_MAX:
        chart.title = "คะแนนรวมรายหน่วยงาน"
        data = Reference(sheet, min_col=8, min_row=header_row, max_row=last)
        names = Reference(sheet, min_col=2, min_row=header_row + 1, max_row=last)
        shown = len(scored)
    else:  # a helper table under the agencies: the lowest scores, to support first
        lowest = sorted(results, key=lambda pair: pair[1].overall)[:CHART_LOWEST]
        title = f"{CHART_LOWEST} หน่วยงานที่คะแนนรวมต่ำสุด (จาก {len(results)} หน่วยงาน)"
        chart.title = title
        _append(sheet, [])
        _append(sheet, [_styled(sheet, title, font=_LABEL_FONT)])
        _append(sheet, _header(sheet, ("รหัส", "หน่วยงาน", "คะแนนรวม")))
        table = last + 3  # after a blank row and the title
        for agency, result in lowest:
            _append(sheet, [agency.code, agency.name, _number(sheet, result.overall, _SCORE)])
        data = Reference(sheet, min_col=3, min_row=table, max_row=table + len(lowest))
        names = Reference(sheet, min_col=2, min_row=table + 1, max_row=table + len(lowest))
        shown = len(lowest)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(names)
    chart.height = max(7.5, min(0.6 * shown + 3, 40))
    chart.width = 18
    sheet.add_chart(chart, f"{get_column_letter(width + 2)}{header_row}")
    _level_counts(sheet, bank, [r for _, r in results])


def _level_counts(sheet: WriteOnlyWorksheet, bank: Bank, results: list[Result]) -> None:
    _append(sheet, [])
    _append(sheet, _header(sheet, ("ระดับ", "จำนวนหน่วยงาน")))
    for level in bank.levels:
        _append(sheet, [level.name, sum(1 for r in results if r.level.key == level.key)])


def _categories(sheet: WriteOnlyWorksheet, bank: Bank, scored: list[_Scored]) -> None:
    header: list[str] = ["รหัส", "หน่วยงาน"]
    for category in bank.categories:
        header += [f"หมวด {category.number} {category.short_name}", f"ระดับ หมวด {category.number}"]
    header += ["คะแนนรวม", "ระดับรวม"]
    _start(sheet, header, (14, 44, *([14, 20] * len(bank.categories)), 12, 20), freeze="C2")
    count = 1
    for entry in scored:
        if entry.result is None:
            continue
        row: list[Any] = [entry.agency.code, entry.agency.name]
        for result in entry.result.categories:
            if not result.has_answers:  # nobody answered in it: not a score of 0
                row += [None, UNANSWERED]
                continue
            row += [_number(sheet, result.score, _SCORE), result.level.name]
        row += [_number(sheet, entry.result.overall, _SCORE), entry.result.level.name]
        _append(sheet, row)
        count += 1
    _filter(sheet, len(header), count)


def _questions(sheet: WriteOnlyWorksheet, bank: Bank, scored: list[_Scored]) -> None:
    header = ("รหัสหน่วยงาน", "หน่วยงาน", "หมวด", "ข้อ", "รหัสคำถาม", "ระดับ", "คำถาม", "คำตอบของหน่วยงาน",
              "จำนวนผู้ตอบ", "ความเห็นต่าง (ขั้น)", "คำตอบรายบุคคล")
    _start(sheet, header, (14, 36, 7, 6, 10, 10, 60, 22, 10, 12, 80), freeze="F2")
    labels = _labels(bank)
    count = 1
    for entry in scored:
        if entry.combined is None:
            continue
        code, name = entry.agency.code, entry.agency.name
        spreads = {d.question.id: d.spread for d in entry.combined.disagreements}
        for question in bank.questions:
            agreed = entry.combined.answers.get(question.id)
            if agreed is None:
                continue
            item = bank.item_of(question.id)
            _append(sheet, [code, name, item.category_number, item.id, question.id, LEVEL_WORD[question.level],
                          question.text, labels[question.id, agreed], entry.combined.respondents[question.id],
                          spreads.get(question.id), _individual(labels, question.id, entry.answering)])
            count += 1
    _filter(sheet, len(header), count)


def _disagreements(sheet: WriteOnlyWorksheet, bank: Bank, scored: list[_Scored]) -> None:
    header = ("รหัสหน่วยงาน", "หน่วยงาน", "หมวด", "ข้อ", "รหัสคำถาม", "คำถาม", "ห่างกัน (ขั้น)", "คำตอบของหน่วยงาน",
              "คำตอบรายบุคคล")
    _start(sheet, header, (14, 36, 7, 6, 10, 60, 12, 22, 80), freeze="F2")
    labels = _labels(bank)
    count = 1
    for entry in scored:
        if entry.combined is None:
            continue
        for disagreement in entry.combined.disagreements:
            question = disagreement.question
            item = bank.item_of(question.id)
            _append(sheet, [entry.agency.code, entry.agency.name, item.category_number, item.id, question.id,
                          question.text, disagreement.spread, labels[question.id, entry.combined.answers[question.id]],
                          _individual(labels, question.id, entry.answering)])
            count += 1
    _filter(sheet, len(header), count)


def _plan(sheet: WriteOnlyWorksheet, bank: Bank, scored: list[_Scored]) -> None:
    header = ("รหัสหน่วยงาน", "หน่วยงาน", "ลำดับความสำคัญ", "หมวด", "ข้อ", "ระดับเป้าหมาย", "สิ่งที่ควรทำ",
              "คะแนนข้อปัจจุบัน", "ผู้รับผิดชอบ", "กำหนดเสร็จ", "สถานะ")
    _start(sheet, header, (14, 36, 10, 30, 44, 12, 70, 12, 20, 14, 18), freeze="C2")
    count = 1
    for entry in scored:
        if entry.result is None:
            continue
        for action in ranked_actions(bank, entry.result):
            due = WriteOnlyCell(sheet, None)
            due.number_format = _THAI_DATE
            _append(sheet, [entry.agency.code, entry.agency.name, action.priority,
                          f"{action.category.number} {action.category.short_name}",
                          f"{action.item.id} {action.item.title}", LEVEL_WORD[action.question.level], action.text,
                          _number(sheet, action.item_score, _SCORE), None, due, None])
            count += 1
    choices = ",".join(STATUS_CHOICES)
    status = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="สถานะ", error=f"เลือกจากรายการ: {choices}")
    status.add(f"K2:K{max(count, 2)}")
    sheet.data_validations.append(status)
    _filter(sheet, len(header), count)


# Cells -----------------------------------------------------------------------------------------------


def _labels(bank: Bank) -> dict[tuple[str, str], str]:
    """(question id, code) → the answer's button label, e.g. ("Q1.1B", "3") → "ครบทั่วทั้งองค์การ"."""
    return {(q.id, o.code): o.label for q in bank.questions for o in bank.scale_for(q).options}


def _individual(labels: dict[tuple[str, str], str], question_id: str, respondents: Iterable[Respondent]) -> str:
    return ANSWER_SEPARATOR.join(
        f"{r.name}: {labels[question_id, code]}" for r in respondents
        if (code := r.answers.get(question_id)) is not None and (question_id, code) in labels)


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> WriteOnlyCell:
    """The one place a cell is made. Text is always a string cell: openpyxl turns a str starting with "="
    into a formula, so a round or agency name like =HYPERLINK(...) would run in Excel (formula injection).
    Forcing data_type "s" keeps the text exactly as the person typed it."""
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _append(sheet: WriteOnlyWorksheet, row: Iterable[Any]) -> None:
    sheet.append([_cell(sheet, v) if isinstance(v, str) else v for v in row])


def _styled(sheet: WriteOnlyWorksheet, value: Any, *, font: Font | None = None,
            alignment: Alignment | None = None) -> WriteOnlyCell:
    cell = _cell(sheet, value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _number(sheet: WriteOnlyWorksheet, value: float | None, number_format: str) -> WriteOnlyCell | None:
    if value is None:
        return None
    # Whole points (percent and index are rounded by the caller): the cell shows what the chat shows.
    cell = WriteOnlyCell(sheet, shown.whole(value) if number_format in (_SCORE, "+0;-0;0") else round(value, 4))
    cell.number_format = number_format
    return cell


def _header(sheet: WriteOnlyWorksheet, titles: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = _cell(sheet, title)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        cells.append(cell)
    return cells


def _widths(sheet: WriteOnlyWorksheet, widths: Iterable[float]) -> None:
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _start(sheet: WriteOnlyWorksheet, header: Sequence[str], widths: Iterable[float], *, freeze: str) -> None:
    """Widths and frozen panes go before the first row: a write-only sheet writes its head then."""
    _widths(sheet, widths)
    sheet.freeze_panes = freeze
    _append(sheet, _header(sheet, header))


def _filter(sheet: WriteOnlyWorksheet, columns: int, last_row: int) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(last_row, 1)}"


def _be_iso(day: date) -> str:
    return f"{day.year + 543:04d}-{day.month:02d}-{day.day:02d}"
