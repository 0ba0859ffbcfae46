"""Coordinators' summaries computed from a report: aggregates, completion, a province's table, the changes
since the previous round, and replies that fit LINE and Telegram."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from conversations import report_texts as rt
from conversations.reporting import (
    BAR_LIMIT,
    TABLE_LINES,
    AgencyRound,
    Respondent,
    RoundReport,
    agency_result,
    agency_summary_replies,
    category_deltas,
    completion,
    group_average,
    officer_chart,
    province_rows,
    province_summary_replies,
    summary_replies,
)
from criteria import default_bank
from criteria.scoring import aggregate, score

BANK = default_bank()
TELEGRAM_MAX = 4096
LINE_MAX = 5000
BASICS_1 = ("Q1.1B", "Q1.2B", "Q1.3B", "Q1.4B")


def person(user_id: int, answers: dict[str, str], *, categories: tuple[int, ...] | None = None,
           submitted: bool = False) -> Respondent:
    return Respondent(user_id, f"ผู้ตอบ {user_id}", categories, answers, submitted)


def agency(agency_id: int, name: str, parent: int | None, depth: int, *people: Respondent,
           invited: int | None = None) -> AgencyRound:
    return AgencyRound(agency_id, f"A{agency_id:04d}", name, parent, depth,
                       len(people) if invited is None else invited, people)


def report(*agencies: AgencyRound, previous: dict[int, dict[str, str]] | None = None) -> RoundReport:
    return RoundReport(7, "รอบ 2570", date(2026, 11, 1), date(2027, 3, 31), agencies[0].code, agencies[0].name,
                       agencies, previous or {}, "รอบ 2569" if previous else None)


ALL_FULL_1 = dict.fromkeys(BASICS_1, "3")  # category 1: every item at Basic, 300
PROVINCE = report(
    agency(1, "สำนักงานจังหวัดน่าน", None, 0),
    agency(2, "สำนักงานเกษตรจังหวัดน่าน", 1, 1,
           person(10, {"Q1.1B": "3", "Q1.2B": "3"}, submitted=True),
           person(11, {"Q1.1B": "1", "Q1.2B": "3"}),
           person(12, {"Q1.1B": "0", "Q1.2B": "u"}), invited=5),
    agency(3, "สำนักงานสาธารณสุขจังหวัดน่าน", 1, 1, person(20, ALL_FULL_1, submitted=True)),
    agency(4, "สำนักงานพัฒนาชุมชนจังหวัดน่าน", 1, 1, invited=2),
    previous={3: dict.fromkeys(BASICS_1, "1"), 2: {"Q1.1B": "3"}},
)


def test_an_agency_answer_is_the_lower_median_and_spreads_of_two_steps_are_flagged() -> None:
    result = agency_result(BANK, PROVINCE.agencies[1])
    assert result is not None
    # Q1.1B: 0, 1, 3 → 1 (a third of Basic: 100 points); Q1.2B: 3, 3 and "not sure" left out → 3 (300)
    assert result.category(1).items[0].score == pytest.approx(100)
    assert result.category(1).items[1].score == pytest.approx(300)
    assert result.category(1).score == pytest.approx(100)  # (100 + 300 + 0 + 0) / 4
    assert result.overall == pytest.approx(100 / 7)
    expected = score(BANK, aggregate(BANK, [r.answers for r in PROVINCE.agencies[1].respondents]).answers)
    assert result.overall == pytest.approx(expected.overall)
    assert agency_result(BANK, PROVINCE.agencies[3]) is None


def test_completion_counts_each_respondents_applicable_questions_in_their_categories() -> None:
    only_1 = person(1, {"Q1.1B": "1", "Q1.2B": "1", "Q1.3B": "1", "Q1.4B": "1"}, categories=(1,))
    everything = person(2, {"Q1.1B": "3", "Q7.1R": "300"})  # Q1.1B fully met opens Q1.1A: 30 + 1 to answer
    assert completion(BANK, agency(1, "x", None, 0, only_1)) == pytest.approx(1.0)
    assert completion(BANK, agency(1, "x", None, 0, only_1, everything)) == pytest.approx((4 + 2) / (4 + 31))
    assert completion(BANK, agency(1, "x", None, 0)) == 0.0


def test_the_province_table_puts_the_least_complete_first_and_skips_its_own_empty_office() -> None:
    rows = province_rows(BANK, PROVINCE)
    assert [r.agency_id for r in rows] == [4, 2, 3]
    empty, agri, health = rows
    assert (empty.invited, empty.respondents, empty.overall, empty.level) == (2, 0, None, None)
    assert (agri.invited, agri.respondents, agri.submitted) == (5, 3, 1)
    assert health.overall == pytest.approx(300 / 7) and health.level == "ยังไม่ถึงระดับพื้นฐาน"
    assert health.completion == pytest.approx(4 / 34), "four fully met Basics open their four Advances"


def test_the_province_summary_gives_the_average_the_table_and_the_changes() -> None:
    table, categories = province_summary_replies(BANK, PROVINCE)
    mean = (100 / 7 + 300 / 7) / 2  # 28.57…
    assert "ค่าเฉลี่ย 29 จาก 500 คะแนน" in table.text
    assert "1. สำนักงานพัฒนาชุมชนจังหวัดน่าน (A0004): ตอบ 0% · ยังไม่มีคะแนน" in table.text
    assert "3. สำนักงานสาธารณสุขจังหวัดน่าน (A0003): ตอบ 12% · 43 (ยังไม่ถึงระดับพื้นฐาน)" in table.text
    assert "ผู้ตอบ 4 จาก 8 คน · ส่งแล้ว 2 คน" in table.text
    # before: agency 2 had 300 in 1.1 → cat 1 = 75; agency 3 had 100 in each → 100; mean 87.5, shown 88
    assert "หมวด 1 การนำองค์การ: 200 ▲112 (ยังไม่ถึงระดับพื้นฐาน)" in categories.text
    assert "หมวด 2 การวางแผนยุทธศาสตร์: 0 เท่าเดิม (ยังไม่ถึงระดับพื้นฐาน)" in categories.text
    assert rt.CHANGE_NOTE.format(round="รอบ 2569") in categories.text
    assert table.chart is not None and table.chart.kind == "bar"
    assert table.chart.labels == ("สำนักงานสาธารณสุขจังหวัดน่าน", "สำนักงานเกษตรจังหวัดน่าน")
    assert table.chart.average == pytest.approx(mean)
    assert categories.chart is not None and categories.chart.kind == "radar"
    assert [name for name, _ in categories.chart.series] == [rt.SERIES_THIS_ROUND_AVERAGE, "รอบ 2569"]
    assert categories.chart.series[0][1][0] == pytest.approx(200)


def test_the_agency_summary_lists_the_disagreements_and_compares_with_its_province() -> None:
    (reply,) = agency_summary_replies(BANK, PROVINCE, 2)
    text = reply.text
    assert text.startswith("📊 สรุปผลหน่วยงาน สำนักงานเกษตรจังหวัดน่าน")
    assert "ปิดรับ 31 มี.ค. 2570" in text
    assert "ผู้ตอบ 3 จาก 5 คน · ส่งแล้ว 1 คน" in text
    assert ("ภาพรวม 14 จาก 500 คะแนน ▲3 · ยังไม่ถึงระดับพื้นฐาน\n"
            "ดัชนีระบบราชการ 4.0 ประมาณ 0.1 จาก 4\n(คิดจากการประเมินตนเอง ไม่ใช่สถานะทางการ)") in text  # was 75 / 7: 11
    assert "หมวด 1 การนำองค์การ: 100 ▲25 (ยังไม่ถึงระดับพื้นฐาน)" in text
    assert rt.DISAGREE_TITLE.format(count=1) in text
    assert "• ข้อ 1.1 พื้นฐาน: ยังไม่มี 1 · เริ่มทำบางส่วน 1 · ครบทั่วทั้งองค์การ 1" in text
    assert "ค่าเฉลี่ยจังหวัดน่าน 29 จาก 500 คะแนน" in text  # the province, by name
    assert reply.chart is not None and reply.chart.kind == "radar" and len(reply.chart.labels) == 7
    names = [name for name, _ in reply.chart.series]
    assert names == [rt.SERIES_THIS_AGENCY, "ค่าเฉลี่ยจังหวัดน่าน", "รอบ 2569"]
    assert reply.chart.title == "ผลรายหมวด: สำนักงานเกษตรจังหวัดน่าน"
    average = group_average(BANK, PROVINCE, PROVINCE.agencies[1])
    assert average is not None and average[0] == pytest.approx((100 + 300) / 2)


def test_an_agency_alone_has_no_average_and_no_answers_is_said_politely() -> None:
    alone = report(agency(2, "กรมตัวอย่าง", None, 0, person(1, ALL_FULL_1), person(2, ALL_FULL_1)))
    (reply,) = agency_summary_replies(BANK, alone, 2)
    assert "ค่าเฉลี่ย" not in reply.text and "▲" not in reply.text
    assert rt.NO_DISAGREEMENT in reply.text
    assert reply.chart is not None and len(reply.chart.series) == 1
    (empty,) = agency_summary_replies(BANK, PROVINCE, 4)
    assert empty.chart is None and rt.NO_ANSWERS.format(invited=2) in empty.text


def test_summary_replies_pick_the_province_view_for_an_agency_with_agencies_beneath() -> None:
    assert len(summary_replies(BANK, PROVINCE, 1)) == 2
    assert summary_replies(BANK, PROVINCE, 3)[0].text.startswith("📊 สรุปผลหน่วยงาน")


def test_category_deltas_are_points_per_category() -> None:
    assert category_deltas((300.0, 100.0), (250.0, 125.0)) == (50.0, -25.0)


def test_officer_chart_compares_own_scores_with_the_agency_in_their_categories() -> None:
    chart = officer_chart(BANK, {"Q1.1B": "3"}, PROVINCE.agencies[1], (1, 2, 3))
    assert chart is not None and chart.kind == "radar"
    assert chart.labels == ("1 การนำองค์การ", "2 การวางแผนเชิงยุทธศาสตร์", "3 ผู้รับบริการ") or len(chart.labels) == 3
    (own_name, own), (agency_name, whole) = chart.series
    assert (own_name, agency_name) == (rt.SERIES_OWN, rt.SERIES_AGENCY)
    assert own[0] == pytest.approx(75) and whole[0] == pytest.approx(100)
    assert len(officer_chart(BANK, {"Q1.1B": "3"}, PROVINCE.agencies[1]).labels) == 7  # type: ignore[union-attr]
    assert officer_chart(BANK, {}, PROVINCE.agencies[1]) is None
    assert officer_chart(BANK, {"Q1.1B": "3"}, PROVINCE.agencies[3]) is None


def _country(count: int) -> RoundReport:
    name = "สำนักงานส่งเสริมการปกครองท้องถิ่นและพัฒนาคุณภาพชีวิตประชาชนจังหวัดที่มีชื่อยาวมาก"
    agencies = [agency(1, "ประเทศไทย", None, 0)]
    for n in range(2, count + 2):
        level = str(n % 4)
        answers = {q.id: level for q in BANK.questions if q.level == "basic"}
        agencies.append(agency(n, f"{name} {n}", 1, 1, *(person(n * 100 + k, answers) for k in range(3)),
                               invited=10))
    return report(*agencies)


def test_a_country_of_2500_agencies_fits_one_message_and_points_to_the_export() -> None:
    replies = province_summary_replies(BANK, _country(2500))
    for reply in replies:
        assert len(reply.text) <= min(TELEGRAM_MAX, LINE_MAX)
    table = replies[0].text
    assert rt.TABLE_MORE.format(count=f"{2500 - TABLE_LINES:,}") in table
    assert "หน่วยงาน 2,500 แห่ง" in table
    chart = replies[0].chart
    assert chart is not None and len(chart.labels) == BAR_LIMIT
    assert chart.series[0][1][0] == 0.0 and "ต่ำสุด" in chart.title, "the weakest are shown, weakest first"
    assert list(chart.series[0][1]) == sorted(chart.series[0][1])
    assert chart.labels[0].endswith(" 4"), "ties in code order"


def test_an_agency_with_every_question_disagreed_still_fits() -> None:
    low = {q.id: "0" for q in BANK.questions if q.level in ("basic", "result")}
    high = {q.id: ("3" if q.level != "result" else "500") for q in BANK.questions}
    (reply,) = agency_summary_replies(BANK, report(agency(1, "ก" * 200, None, 0, person(1, low), person(2, high))), 1)
    assert len(reply.text) <= min(TELEGRAM_MAX, LINE_MAX)
    assert "…และอีก" in reply.text


def test_completion_counts_exactly_what_applicable_questions_asks() -> None:
    import random

    from criteria.scoring import applicable_questions

    rng = random.Random(2569)
    for _ in range(300):
        answers = {}
        for question in BANK.questions:
            if rng.random() < 0.7:
                codes = [o.code for o in BANK.scale_for(question).options]
                answers[question.id] = rng.choice(codes)
        categories = None if rng.random() < 0.5 else tuple(sorted(rng.sample(range(1, 8), rng.randint(1, 7))))
        wanted = applicable_questions(BANK, answers, categories)
        expected = sum(1 for q in wanted if q.id in answers) / len(wanted)
        assert completion(BANK, agency(1, "x", None, 0, person(1, answers, categories=categories))) == \
            pytest.approx(expected)


def test_long_names_are_shortened_in_the_middle_without_splitting_a_letter_from_its_marks() -> None:
    from conversations.reporting import _short

    name = "สำนักงานส่งเสริมการปกครองท้องถิ่นและพัฒนาคุณภาพชีวิตประชาชนจังหวัดแม่ฮ่องสอน"
    short = _short(name, 40)
    assert len(short) <= 40 + 3 and short.startswith("สำนักงานส่งเสริม") and short.endswith("แม่ฮ่องสอน")
    head, tail = short.split("…")
    assert name.startswith(head) and name.endswith(tail)
    for part in (head, tail):
        assert not unicodedata.category(part[0]).startswith("M") and part[-1] not in "เแโใไ"
    assert _short("กรมสั้น", 40) == "กรมสั้น"
