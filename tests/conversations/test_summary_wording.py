"""Issue 11, defect 5 and the Thai wording list: summaries that say only what is true."""

from __future__ import annotations

import re

from conversations import coordinator_texts as ct
from conversations import report_texts as rt
from conversations import texts as t
from conversations.render import explain_reply, first_hint, summary_card, summary_text
from conversations.reporting import agency_summary_replies
from criteria import shown
from tests.conversations.conftest import BANK, make_ctx
from tests.conversations.test_reporting import PROVINCE, agency, person, report


def _texts(module: object) -> list[str]:
    return [v for k, v in vars(module).items() if k.isupper() and isinstance(v, str)]


def test_a_level_name_is_never_prefixed_twice() -> None:
    summary = summary_text({"Q1.1B": "1"}, make_ctx(), final=True)  # overall below Basic
    assert "ยังไม่ถึงระดับพื้นฐาน" in summary
    assert "ระดับยังไม่" not in summary and "ระดับระดับ" not in summary
    (reply,) = agency_summary_replies(BANK, PROVINCE, 2)
    assert "ระดับยังไม่" not in reply.text and "ระดับระดับ" not in reply.text
    strong = summary_text({q.id: "500" if q.level == "result" else "3" for q in BANK.questions}, make_ctx(), final=True)
    assert "· ระดับโดดเด่น" in strong and "ระดับระดับ" not in strong


def test_an_unanswered_category_says_so_instead_of_zero() -> None:
    text = summary_text({"Q1.1B": "3"}, make_ctx(), final=False)
    assert "หมวด 2 การวางแผนยุทธศาสตร์: ยังไม่ได้ตอบ" in text
    assert "0 (ยังไม่ถึงระดับพื้นฐาน)" not in text
    card = summary_card({"Q1.1B": "3"}, make_ctx(), final=False)
    assert card is not None
    assert [line.answered for line in card.categories] == [True] + [False] * 6
    (reply,) = agency_summary_replies(BANK, PROVINCE, 2)
    assert "หมวด 2 การวางแผนยุทธศาสตร์: ยังไม่ได้ตอบ" in reply.text
    assert reply.chart is not None and reply.chart.series[0][1][1] is None  # drawn as "ยังไม่ได้ตอบ"


def test_no_action_and_no_strength_from_questions_not_answered() -> None:
    text = summary_text({"Q1.1B": "3", "Q2.1B": "1"}, make_ctx(), final=False)
    actions = text.split(t.SUMMARY_ACTIONS)[1]
    assert "[2.1]" in actions and "[1.1]" not in actions and "[3.1]" not in actions
    strengths = text.split(t.SUMMARY_STRENGTHS)[1].split(t.SUMMARY_ACTIONS)[0]
    assert "1.1" in strengths and "2.1" not in strengths  # 100 of 500 is not a strength
    weak = summary_text({"Q2.1B": "1"}, make_ctx(), final=False)
    assert t.SUMMARY_STRENGTHS not in weak


def test_unsure_counts_zero_and_the_summary_says_so() -> None:
    assert t.SUMMARY_UNSURE_ZERO in summary_text({"Q1.1B": "u", "Q1.2B": "3"}, make_ctx(), final=False)
    assert t.SUMMARY_UNSURE_ZERO not in summary_text({"Q1.2B": "3"}, make_ctx(), final=False)


def test_the_index_says_what_it_is() -> None:
    text = summary_text({"Q1.1B": "3"}, make_ctx(), final=True)
    assert "≈ ระบบราชการ" not in text
    assert "ดัชนีระบบราชการ 4.0 ประมาณ 0.1 จาก 4\n(คิดจากการประเมินตนเอง ไม่ใช่สถานะทางการ)" in text
    (reply,) = agency_summary_replies(BANK, PROVINCE, 2)
    assert "≈ ระบบราชการ" not in reply.text and "จาก 4" in reply.text


def test_everything_answered_does_not_say_the_result_will_change() -> None:
    every = {q.id: "0" for q in BANK.questions if q.level in ("basic", "result")}
    text = summary_text(every, make_ctx(), final=False)
    assert "ผลจะเปลี่ยนเมื่อตอบเพิ่ม" not in text
    assert text.splitlines()[0] == t.SUMMARY_ALL_ANSWERED.format(total=30)
    assert "ผลจะเปลี่ยนเมื่อตอบเพิ่ม" in summary_text({"Q1.1B": "3"}, make_ctx(), final=False)


def test_every_score_says_out_of_500() -> None:
    assert "จาก 500" in t.CATEGORY_DONE and "จาก 500" in t.SUMMARY_OVERALL and "จาก 500" in rt.OVERALL
    assert "จาก 500" in rt.AVERAGE_LINE and "จาก 500" in rt.PROVINCE_AVERAGE


def test_the_wording_list_of_issue_11() -> None:
    assert "ถูกพักไว้" not in t.SET_ASIDE and "อีกครั้ง" in t.SET_ASIDE  # active, and what happens next
    assert "ตอบครบแล้ว" not in t.REVIEW_SKIPPED and "ข้อที่ข้ามไว้" in t.REVIEW_SKIPPED
    assert "ให้ผู้ที่ท่านต้องการเชิญ" in ct.INVITE_CREATED and "เชิญแล้ว" not in ct.INVITE_LINE
    assert "สังกัดเดียวกัน" not in rt.SERIES_GROUP_AVERAGE
    for text in _texts(t) + _texts(ct) + _texts(rt) + [*ct.INVITE_FORWARD.values()]:
        assert not re.search(r"กด", text), text  # "แตะ" for buttons, everywhere
        assert "PMQA_" not in text and "pmqa-bot" not in text, text


def test_the_legend_names_the_province() -> None:
    (reply,) = agency_summary_replies(BANK, PROVINCE, 2)
    assert reply.chart is not None
    assert reply.chart.series[1][0] == "ค่าเฉลี่ยจังหวัดน่าน"
    ministry = report(agency(1, "กระทรวงตัวอย่าง", None, 0),
                      agency(2, "กรมหนึ่ง", 1, 1, person(1, {"Q1.1B": "3"})),
                      agency(3, "กรมสอง", 1, 1, person(2, {"Q1.1B": "1"})))
    (reply,) = agency_summary_replies(BANK, ministry, 2)
    assert reply.chart is not None and reply.chart.series[1][0] == "ค่าเฉลี่ยหน่วยงานในกระทรวงตัวอย่าง"


def test_each_answers_full_meaning_is_shown_at_the_start_and_in_the_explanation() -> None:
    ctx = make_ctx()
    hint = first_hint(ctx)
    question = BANK.questions[0]
    from conversations import Session
    explained = explain_reply(Session(), ctx, question).text
    for n, option in enumerate(BANK.scale_for(question).options, 1):
        line = t.SCALE_GUIDE_LINE.format(number=n, label=option.label, text=option.text)
        assert line in hint and line in explained
    assert "ไม่แน่ใจ = ไม่แน่ใจ / ไม่มีข้อมูลพอจะตอบ (นับเป็น 0 คะแนน)" in hint
    result = next(q for q in BANK.questions if q.level == "result")
    assert "ดีกว่าหน่วยงานอื่น = เกินเป้าหมาย" in explain_reply(Session(), ctx, result).text


def test_one_rounding_for_every_view() -> None:
    assert shown.points(141.7) == "142" and shown.points(112.5) == "113" and shown.points(87.5) == "88"
    assert shown.points(3 * 100 / 3 - 1e-12) == "100"
    assert shown.percent(0.775) == 78 and shown.percent(0.7749) == 77
    assert shown.percent(0.996) == 99 and shown.percent(1.0) == 100  # 100 only when complete
    assert shown.percent(0.001) == 1 and shown.percent(0.0) == 0
    assert shown.index_text(1.75) == "1.8" and shown.index_text(0.05) == "0.1"
