"""Whole assessments: every question fully met (78 answers, overall 500, โดดเด่น), the minimal
path (30 answers, ยังไม่ถึงระดับพื้นฐาน, 3 actions), the final summary's content, and
assigned categories restricting what is asked and counted."""

from __future__ import annotations

import re

import pytest

from conversations import Phase, RecordAnswer, Submit, Text
from conversations import texts as t
from conversations.reporting import index_lines
from criteria.model import Question
from criteria.scoring import ranked_actions, score
from tests.conversations.conftest import (
    AGENCY,
    BANK,
    ROUND,
    Chat,
    Picker,
    assert_answers_consistent,
    full,
    joined,
    lowest,
    make_ctx,
)


def run_to_review(chat: Chat, pick: Picker, how: str) -> list[RecordAnswer]:
    """Answer until review, by button, typed label or typed number; returns every RecordAnswer."""
    recorded: list[RecordAnswer] = []
    for _ in range(100):
        if chat.phase is not Phase.ANSWERING:
            break
        question = BANK.question(chat.asked or "")
        assert question is not None
        code = pick(question)
        options = BANK.scale_for(question).options
        option = next(o for o in options if o.code == code)
        match how:
            case "tap":
                chat.answer(code)
            case "label":
                chat.send(Text(option.label))
            case _:
                chat.send(Text(str(options.index(option) + 1)))
        assert chat.recorded == [RecordAnswer(question.id, code)]
        recorded += chat.recorded
        assert_answers_consistent(chat.session, chat.ctx)
    assert chat.phase is Phase.REVIEW
    return recorded


def summary_of(chat: Chat) -> str:
    summaries = [r for r in chat.replies if r.summary]
    assert len(summaries) == 1
    return summaries[0].text


@pytest.mark.parametrize("how", ["tap", "label", "number"])
def test_a_full_run_reaches_78_answers_and_a_top_summary(how: str) -> None:
    chat = joined()
    recorded = run_to_review(chat, full, how)
    assert len(recorded) == 78
    assert len({r.question_id for r in recorded}) == 78
    assert len(chat.session.answers) == 78
    assert set(chat.session.answers) == {q.id for q in BANK.questions}
    assert chat.session.set_aside == {}
    done_lines = [s.replies[0].text for s in chat.steps if s.replies and s.replies[0].text.startswith("✅ จบหมวด")]
    assert done_lines == [t.CATEGORY_DONE.format(number=n, score="500", level="ระดับโดดเด่น") for n in range(1, 8)]
    chat.press(t.BTN_SUBMIT)
    assert chat.facts == (Submit(),)
    summary = summary_of(chat)
    assert "สรุปผลการประเมิน" in summary
    assert t.SUMMARY_OVERALL.format(change="", score="500", level="ระดับโดดเด่น", index=index_lines(4.0)) in summary
    for category in BANK.categories:
        assert t.SUMMARY_CATEGORY.format(
            number=category.number, category=category.short_name, score="500", level="ระดับโดดเด่น") in summary
    assert t.SUMMARY_ACTIONS not in summary, "nothing left to improve at 500"
    assert summary.rstrip().endswith(BANK.disclaimer)
    assert score(BANK, chat.session.answers).overall == pytest.approx(500)


@pytest.mark.parametrize("how", ["tap", "label", "number"])
def test_a_minimal_run_reaches_30_answers_and_three_actions(how: str) -> None:
    chat = joined()
    recorded = run_to_review(chat, lowest, how)
    assert len(recorded) == 30
    assert len(chat.session.answers) == 30
    assert all(q.endswith(("B", "R")) for q in chat.session.answers)
    chat.press(t.BTN_SUBMIT)
    summary = summary_of(chat)
    assert "สรุปผลการประเมิน" in summary
    assert t.SUMMARY_OVERALL.format(change="", score="0", level="ยังไม่ถึงระดับพื้นฐาน", index=index_lines(0.0)) in summary
    action_lines = [line for line in summary.splitlines() if re.match(r"^\d+\. \[", line)]
    assert len(action_lines) == 3
    assert summary.rstrip().endswith(BANK.disclaimer)


def test_the_final_summary_contains_everything_the_issue_lists() -> None:
    chat = joined()
    picks = {"1": "3", "2": "2", "3": "1", "4": "u", "5": "0", "6": "3"}

    def mixed(question: Question) -> str:
        qid = question.id
        if qid.endswith("R"):
            return "300" if qid < "Q7.4R" else "150"
        if qid.endswith(("A", "S")):
            return "1"
        return picks[qid[1]]

    run_to_review(chat, mixed, "tap")
    chat.press(t.BTN_SUBMIT)
    summary = summary_of(chat)
    result = score(BANK, chat.session.answers)
    lines = summary.splitlines()
    assert lines[0] == t.SUMMARY_TITLE
    assert "สรุปผลการประเมิน" in lines[0]
    assert lines[1] == f"{AGENCY} · {ROUND.name}"
    assert t.SUMMARY_OVERALL.format(change="",
        score=f"{result.overall:.0f}", level=result.level.name, index=index_lines(result.index)) in summary
    assert result.level.name in summary
    for category in result.categories:
        line = t.SUMMARY_CATEGORY.format(number=category.category.number, category=category.category.short_name,
                                         score=f"{category.score:.0f}", level=category.level.name)
        assert line in lines
    top = ranked_actions(BANK, result)[:3]
    action_block = lines[lines.index(t.SUMMARY_ACTIONS) + 1:][:3]
    assert action_block == [f"{n}. [{a.item.id}] {a.text}" for n, a in enumerate(top, 1)]
    assert t.SUMMARY_STRENGTHS in lines
    assert t.SUMMARY_CONFIDENCE.format(percent=round(result.confidence * 100), unsure=4) in lines  # type: ignore[operator]
    assert lines[-1] == BANK.disclaimer
    assert summary.count(BANK.disclaimer) == 1


# Assigned categories ----------------------------------------------------------------------------------


def test_assigned_categories_restrict_questions_progress_and_summary() -> None:
    ctx = make_ctx(categories=(1, 7))
    chat = joined(ctx)
    first = chat.replies[-1].text.splitlines()[0]
    assert first == "หมวด 1 การนำองค์การ · ข้อ 1/10"
    asked = []
    while chat.phase is Phase.ANSWERING:
        asked.append(chat.asked)
        chat.answer(full(BANK.question(chat.asked or "")))  # type: ignore[arg-type]
    assert {BANK.item_of(q).category_number for q in asked if q} == {1, 7}
    assert len(asked) == 12 + 6
    assert chat.replies[-1].text.count("หมวด ") == 2, "progress lists the assigned categories only"
    chat.text("ความคืบหน้า")
    assert chat.replies[0].text.splitlines()[0] == t.PROGRESS_TITLE.format(answered=18, total=18)
    assert "หมวด 2" not in chat.replies[0].text
    chat.text("ส่งคำตอบ")
    summary = summary_of(chat)
    assert "หมวด 1 การนำองค์การ: 500 (ระดับโดดเด่น)" in summary
    assert "หมวด 7 ผลลัพธ์: 500 (ระดับโดดเด่น)" in summary
    assert "หมวด 2" not in summary


def test_the_category_7_header_counts_items_among_the_assigned_ones() -> None:
    chat = joined(make_ctx(categories=(1, 7)))
    chat.answer_until(lowest, stop="Q7.1R")
    assert chat.replies[-1].text.splitlines()[0] == "หมวด 7 ผลลัพธ์ · ข้อ 5/10"
    assert chat.replies[-1].text.splitlines()[1] == "ผลลัพธ์ (ข้อ 7.1)"


def test_headers_count_items_among_all_thirty() -> None:
    chat = joined()
    headers = []
    while chat.phase is Phase.ANSWERING:
        headers.append(chat.replies[-1].text.splitlines()[0])
        chat.answer("0")
    assert headers[0] == "หมวด 1 การนำองค์การ · ข้อ 1/30"
    assert headers[4] == "หมวด 2 การวางแผนยุทธศาสตร์ · ข้อ 5/30"
    assert headers[-1] == "หมวด 7 ผลลัพธ์ · ข้อ 30/30"
    assert len(headers) == 30


def test_a_single_assigned_category_gets_no_overall_but_its_own_score() -> None:
    chat = joined(make_ctx(categories=(4,)))
    assert chat.asked == "Q4.1B"
    chat.answer_until(lowest)
    chat.press(t.BTN_SUBMIT)
    summary = summary_of(chat)
    assert "หมวด 4 ข้อมูลและความรู้: 0 (ยังไม่ถึงระดับพื้นฐาน)" in summary
    assert "ภาพรวม" not in summary, "an overall score needs every category"
    assert all(f"[{n}." not in summary for n in (1, 2, 3, 5, 6, 7)), "actions come from category 4 only"
