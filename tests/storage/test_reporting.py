"""Loading a round's report: the subtree, its officers' current answers, submissions and the previous round."""

from __future__ import annotations

from datetime import date, timedelta

from criteria import default_bank
from criteria.scoring import aggregate
from storage import repository as repo
from storage.database import Database
from storage.reporting import load_round_report

BANK = default_bank()


async def _officer(conn, code: str, agency: int, now, *, name: str | None = None, categories: str | None = None):
    user = await repo.create_user(conn, "line", code, name, now, agency_id=agency)
    if categories:
        await repo.update_user(conn, user.id, categories=categories)
    return user.id


async def _answer(conn, assessment: int, user: int, given: dict[str, str], now) -> None:
    for question, code in given.items():
        await repo.record_answer(conn, assessment, user, question, code, now)


async def _province(db: Database, clock) -> dict[str, int]:
    """A province with two agencies (one with a sub-unit), a previous round and a current one."""
    now = clock()
    ids: dict[str, int] = {}
    async with db.transaction() as conn:
        ids["prov"] = await repo.add_agency(conn, "PROV", "สำนักงานจังหวัดน่าน", None, now)
        ids["a"] = await repo.add_agency(conn, "NAN-A", "สำนักงานเกษตรจังหวัดน่าน", ids["prov"], now)
        ids["b"] = await repo.add_agency(conn, "NAN-B", "สำนักงานสาธารณสุขจังหวัดน่าน", ids["prov"], now)
        ids["b1"] = await repo.add_agency(conn, "NAN-B1", "โรงพยาบาลน่าน", ids["b"], now)
        ids["other"] = await repo.add_agency(conn, "OTHER", "จังหวัดอื่น", None, now)
        ids["old"] = await repo.open_round(conn, "รอบ 2568", ids["prov"], date(2025, 11, 1), date(2025, 12, 31), now)
    clock.advance(days=1)
    now = clock()
    async with db.transaction() as conn:
        ids["round"] = await repo.open_round(conn, "รอบ 2569", ids["prov"], date(2026, 11, 1), date(2026, 12, 31),
                                             now)
        old_a = await repo.assessment_for(conn, ids["a"], ids["old"], BANK.id, BANK.version, now)
        cur_a = await repo.assessment_for(conn, ids["a"], ids["round"], BANK.id, BANK.version, now)
        cur_b1 = await repo.assessment_for(conn, ids["b1"], ids["round"], BANK.id, BANK.version, now)
        cur_other = await repo.assessment_for(conn, ids["other"], ids["round"], BANK.id, BANK.version, now)
        ids["u1"] = await _officer(conn, "U1", ids["a"], now, name="สมชาย")
        ids["u2"] = await _officer(conn, "U2", ids["a"], now, categories="1,2")
        ids["u3"] = await _officer(conn, "U3", ids["a"], now)  # joined, never answered
        ids["u4"] = await _officer(conn, "U4", ids["b1"], now, name="สมหญิง")
        coordinator = await repo.create_user(conn, "line", "C1", "ผู้ประสาน", now, role="coordinator",
                                             agency_id=ids["a"])
        outsider = await _officer(conn, "U5", ids["other"], now)
        await _answer(conn, old_a, ids["u1"], {"Q1.1B": "1", "Q1.2B": "1"}, now)
        await _answer(conn, cur_a, ids["u1"], {"Q1.1B": "0", "Q1.2B": "3"}, now)
        await repo.record_answer(conn, cur_a, ids["u1"], "Q1.1B", "3", now + timedelta(minutes=1))  # changed
        await _answer(conn, cur_a, ids["u2"], {"Q1.1B": "1", "Q1.2B": "3"}, now)
        await _answer(conn, cur_a, coordinator.id, {"Q1.1B": "0"}, now)  # a coordinator is not a respondent
        await _answer(conn, cur_b1, ids["u4"], {"Q7.1R": "300"}, now)
        await _answer(conn, cur_other, outsider, {"Q1.1B": "3"}, now)
        await repo.submit(conn, cur_a, ids["u1"], now)
        await repo.submit(conn, old_a, ids["u4"], now)  # submitted, but another assessment
    return ids


async def test_the_province_report_holds_its_subtree_answers_and_submissions(database: Database, clock) -> None:
    ids = await _province(database, clock)
    async with database.engine.connect() as conn:
        report = await load_round_report(conn, BANK, ids["prov"], None, clock())
    assert report is not None
    assert (report.round_id, report.round_name, report.scope_code) == (ids["round"], "รอบ 2569", "PROV")
    assert report.closes_on == date(2026, 12, 31)
    assert [(a.code, a.depth, a.parent_id) for a in report.agencies] == [
        ("PROV", 0, None), ("NAN-A", 1, ids["prov"]), ("NAN-B", 1, ids["prov"]), ("NAN-B1", 2, ids["b"])]
    a = report.agencies[1]
    assert a.invited == 3, "officers who joined, answered or not; not the coordinator"
    assert [(r.user_id, r.name, r.categories, dict(r.answers), r.submitted) for r in a.respondents] == [
        (ids["u1"], "สมชาย", None, {"Q1.1B": "3", "Q1.2B": "3"}, True),
        (ids["u2"], "ผู้ตอบ 2", (1, 2), {"Q1.1B": "1", "Q1.2B": "3"}, False),
    ]
    b1 = report.agencies[3]
    assert [(r.name, dict(r.answers), r.submitted) for r in b1.respondents] == [("สมหญิง", {"Q7.1R": "300"}, False)]
    assert report.previous_round_name == "รอบ 2568"
    assert dict(report.previous) == {ids["a"]: aggregate(BANK, [{"Q1.1B": "1", "Q1.2B": "1"}]).answers}


async def test_an_agency_report_is_its_own_subtree_and_a_closed_round_still_counts(database: Database,
                                                                                  clock) -> None:
    ids = await _province(database, clock)
    clock.advance(days=400)  # both rounds ended long ago, none closed: still "open" (no closed_at)
    async with database.engine.connect() as conn:
        report = await load_round_report(conn, BANK, ids["b"], None, clock())
        old = await load_round_report(conn, BANK, ids["a"], ids["old"], clock())
        missing = await load_round_report(conn, BANK, 999_999, None, clock())
        none = await load_round_report(conn, BANK, ids["other"], None, clock())
    assert report is not None and [a.code for a in report.agencies] == ["NAN-B", "NAN-B1"]
    assert old is not None and old.round_name == "รอบ 2568" and old.previous_round_name is None
    assert [dict(r.answers) for r in old.agencies[0].respondents] == [{"Q1.1B": "1", "Q1.2B": "1"}]
    assert missing is None
    assert none is None, "no round for that agency or above it"


async def test_without_an_open_round_the_newest_round_is_reported(database: Database, clock) -> None:
    ids = await _province(database, clock)
    async with database.transaction() as conn:
        from sqlalchemy import update

        from storage.schema import rounds
        await conn.execute(update(rounds).values(closed_at=clock()))
    async with database.engine.connect() as conn:
        report = await load_round_report(conn, BANK, ids["a"], None, clock())
    assert report is not None and report.round_id == ids["round"]


async def test_summary_for_a_province_an_agency_and_nothing(database: Database, clock) -> None:
    from bot.reports import officer_comparison, summary_for
    from conversations import report_texts as rt

    ids = await _province(database, clock)
    async with database.engine.connect() as conn:
        province = await summary_for(conn, BANK, ids["prov"], clock())
        agency = await summary_for(conn, BANK, ids["a"], clock())
        nothing = await summary_for(conn, BANK, ids["other"], clock())
        chart = await officer_comparison(conn, BANK, ids["a"], ids["round"], {"Q1.1B": "3"}, now=clock())
    assert len(province) == 2 and province[0].text.startswith("📊 สรุปผลภาพรวม สำนักงานจังหวัดน่าน")
    # NAN-A and NAN-B1; NAN-B has agencies beneath it and no officer: a grouping level, not listed
    assert "หน่วยงาน 2 แห่ง · เริ่มตอบแล้ว 2 แห่ง" in province[0].text
    (reply,) = agency
    assert reply.text.startswith("📊 สรุปผลหน่วยงาน สำนักงานเกษตรจังหวัดน่าน")
    assert "ผู้ตอบ 2 จาก 3 คน · ส่งแล้ว 1 คน" in reply.text
    # before: 1.1 and 1.2 at 1 (100 each) → 50; now 1.1 = lower median of 3 and 1 = 1 (100), 1.2 = 3 (300) → 100
    assert "หมวด 1 การนำองค์การ: 100 ▲50 (ยังไม่ถึงระดับพื้นฐาน)" in reply.text
    assert reply.chart is not None and reply.chart.series[0][0] == rt.SERIES_THIS_AGENCY
    assert [r.text for r in nothing] == [rt.NO_ROUND]
    assert chart is not None and chart.series[0][0] == rt.SERIES_OWN
    assert chart.series[1][1][0] == agency_scores_first_category(ids)


def agency_scores_first_category(ids: dict[str, int]) -> float:
    from criteria.scoring import score

    combined = aggregate(BANK, [{"Q1.1B": "3", "Q1.2B": "3"}, {"Q1.1B": "1", "Q1.2B": "3"}]).answers
    return score(BANK, combined).category(1).score
