"""Commands work anywhere, as a Thai word or a slash command (also /cmd@botname), and the
ones about answers are refused politely before consent and before joining."""

from __future__ import annotations

import functools
from datetime import date

import pytest

from conversations import Context, Forget, Phase, RoundInfo, Session, Start
from conversations import texts as t
from tests.conversations.conftest import (
    BANK,
    NOW,
    Chat,
    consented,
    joined,
    lowest,
    make_ctx,
    reviewing,
    submitted,
)

COMMANDS = {  # name: (Thai word, slash form)
    "start": ("เริ่ม", "/start"),
    "resume": ("ทำต่อ", "/resume"),
    "back": ("ย้อนกลับ", "/back"),
    "skip": ("ข้าม", "/skip"),
    "edit": ("แก้ไข", "/edit"),
    "progress": ("ความคืบหน้า", "/progress"),
    "summary": ("สรุป", "/summary"),
    "help": ("ช่วยเหลือ", "/help"),
    "forget": ("ลบข้อมูลของฉัน", "/forget"),
}
GUARDED = ["resume", "back", "skip", "edit", "progress", "summary"]


def spellings(name: str) -> list[str]:
    thai, slash = COMMANDS[name]
    return [thai, slash, f"{slash}@pmqa_bot", f"  {slash.upper()}  "]


def all_spellings(names: list[str]) -> list[tuple[str, str]]:
    return [(name, word) for name in names for word in spellings(name)]


def in_consent() -> Chat:
    chat = Chat(make_ctx(joined=False))
    chat.start()
    return chat


def at_fourth_question() -> Chat:
    """Answered Q1.1B, Q1.2B, Q1.3B with "ยังไม่มี": Q1.4B on screen."""
    chat = joined()
    chat.answer_until(lowest, stop="Q1.4B")
    assert chat.asked == "Q1.4B"
    return chat


# Guards before consent and before joining --------------------------------------------------------


@pytest.mark.parametrize(("name", "word"), all_spellings(GUARDED))
def test_commands_about_answers_need_consent_first(name: str, word: str) -> None:
    chat = in_consent()
    chat.text(word)
    assert chat.phase is Phase.CONSENT
    assert chat.replies[0].text == t.NEED_CONSENT
    assert chat.replies[-1].text == t.PDPA_NOTICE
    assert chat.facts == ()


@pytest.mark.parametrize(("name", "word"), all_spellings(GUARDED))
def test_commands_about_answers_need_an_invite_code_first(name: str, word: str) -> None:
    chat = consented()
    chat.text(word)
    assert chat.phase is Phase.JOIN
    assert chat.replies[0].text == t.NEED_JOIN
    assert chat.replies[-1].text == t.ASK_INVITE
    assert chat.facts == (), "a command word is never taken for an invite code"


@pytest.mark.parametrize("word", spellings("help"))
@pytest.mark.parametrize("where", ["consent", "join"])
def test_help_works_before_joining_too(word: str, where: str) -> None:
    chat = in_consent() if where == "consent" else consented()
    phase = chat.phase
    chat.text(word)
    assert chat.replies[0].text == t.HELP
    assert len(chat.replies) == 2, "help, then the prompt again"
    assert chat.phase is phase


@pytest.mark.parametrize("word", spellings("start"))
def test_start_in_consent_welcomes_again_and_in_join_asks_for_the_code(word: str) -> None:
    chat = in_consent()
    chat.text(word)
    assert chat.phase is Phase.CONSENT
    assert chat.replies[0].text.startswith("สวัสดีค่ะ")
    chat = consented()
    chat.text(word)
    assert chat.phase is Phase.JOIN
    assert chat.said == t.ASK_INVITE
    assert chat.facts == ()


@pytest.mark.parametrize("word", ["ความคืบหน้า", "สรุป"])
def test_guarded_commands_stay_guarded_inside_the_forget_detour_before_consent(word: str) -> None:
    chat = in_consent()
    chat.text("ลบข้อมูลของฉัน")
    assert chat.phase is Phase.CONFIRM_FORGET
    chat.text(word)
    assert chat.replies[0].text == t.NEED_CONSENT


# Every command while answering -----------------------------------------------------------------


@pytest.mark.parametrize("word", spellings("start") + spellings("resume"))
def test_start_and_resume_while_answering_welcome_back_at_the_same_question(word: str) -> None:
    chat = at_fourth_question()
    chat.text(word)
    assert chat.replies[0].text == t.RESUMED.format(item_id="1.4", answered=3, total=30)
    assert chat.asked == "Q1.4B"
    assert chat.facts == ()


def test_the_start_event_while_answering_resumes_too() -> None:
    chat = at_fourth_question()
    chat.send(Start())
    assert chat.replies[0].text == t.RESUMED.format(item_id="1.4", answered=3, total=30)
    assert chat.asked == "Q1.4B"


@pytest.mark.parametrize("word", spellings("back"))
def test_back_at_the_first_question_says_it_is_the_first(word: str, chat: Chat) -> None:
    chat.text(word)
    assert chat.replies[0].text == t.AT_FIRST
    assert chat.asked == "Q1.1B"
    assert chat.phase is Phase.ANSWERING


@pytest.mark.parametrize("word", spellings("back"))
def test_back_shows_the_previous_question_with_its_answer(word: str) -> None:
    chat = at_fourth_question()
    chat.text(word)
    assert chat.asked == "Q1.3B"
    assert chat.position == "Q1.3B"
    assert t.EDITING_NOTE.format(answer="ยังไม่มี") in chat.said
    assert chat.facts == ()


def test_back_then_reanswer_returns_to_where_the_person_was() -> None:
    chat = at_fourth_question()
    chat.text("ย้อนกลับ")
    chat.press(t.BTN_BACK)
    assert chat.asked == "Q1.2B"
    chat.answer("1")
    assert [(f.question_id, f.code) for f in chat.recorded] == [("Q1.2B", "1")]
    assert chat.asked == "Q1.4B"


def test_back_then_same_answer_again_also_returns(chat: Chat) -> None:
    chat.answer("0")
    chat.text("/back")
    chat.answer("0")
    assert chat.asked == "Q1.2B"


def test_back_walks_through_gated_questions_that_apply(chat: Chat) -> None:
    chat.answer("3")  # Q1.1B fully met → Q1.1A
    chat.answer("3")  # Q1.1A fully met → Q1.1S
    chat.answer("1")
    assert chat.asked == "Q1.2B"
    chat.text("ย้อนกลับ")
    assert chat.asked == "Q1.1S"
    chat.text("ย้อนกลับ")
    assert chat.asked == "Q1.1A"


def test_back_from_review_goes_to_the_last_question() -> None:
    chat = reviewing()
    chat.text("ย้อนกลับ")
    assert chat.phase is Phase.ANSWERING
    assert chat.asked == "Q7.6R"
    chat.answer("0")
    assert chat.phase is Phase.REVIEW


@pytest.mark.parametrize("word", spellings("skip"))
def test_skip_moves_on_and_remembers(word: str, chat: Chat) -> None:
    chat.text(word)
    assert chat.replies[0].text == t.SKIPPED
    assert chat.asked == "Q1.2B"
    assert chat.session.skipped == {"Q1.1B"}
    assert chat.facts == ()


def test_skip_on_an_answered_question_keeps_the_answer_and_moves_on() -> None:
    chat = at_fourth_question()
    chat.text("ย้อนกลับ")
    chat.text("ข้าม")
    assert chat.session.skipped == frozenset()
    assert chat.session.answers["Q1.3B"] == "0"
    assert chat.asked == "Q1.4B"


def test_skipped_questions_are_listed_in_review_and_answer_skipped_returns_to_them(chat: Chat) -> None:
    chat.text("ข้าม")  # Q1.1B
    chat.answer("0")  # Q1.2B
    chat.text("/skip")  # Q1.3B
    chat.answer_until(lowest)
    assert chat.phase is Phase.REVIEW
    assert t.REVIEW_SKIPPED.format(count=2) in chat.said
    assert "ข้ามไว้ 2 ข้อ" in chat.said
    assert "ตอบแล้ว 28 จาก 30" in chat.said
    assert chat.labels[-1] == t.BTN_ANSWER_SKIPPED  # last: the other numbers stay the same
    chat.press(t.BTN_ANSWER_SKIPPED)
    assert chat.phase is Phase.ANSWERING
    assert chat.asked == "Q1.1B"
    chat.answer("0")
    assert chat.asked == "Q1.3B"
    chat.answer("0")
    assert chat.phase is Phase.REVIEW
    assert chat.replies[-1].text.startswith(t.REVIEW_ALL)
    assert t.BTN_ANSWER_SKIPPED not in chat.labels


def test_skipping_again_from_answer_skipped_goes_back_to_review(chat: Chat) -> None:
    chat.text("ข้าม")
    chat.answer_until(lowest)
    chat.press(t.BTN_ANSWER_SKIPPED)
    chat.text("ข้าม")
    assert chat.phase is Phase.REVIEW
    assert t.REVIEW_SKIPPED.format(count=1) in chat.said


def test_submitting_with_skipped_questions_is_allowed(chat: Chat) -> None:
    chat.text("ข้าม")
    chat.answer_until(lowest)
    chat.press(t.BTN_SUBMIT)
    assert chat.phase is Phase.DONE


@pytest.mark.parametrize("word", spellings("skip") + spellings("back"))
def test_skip_and_back_in_done_leave_done_alone_or_reopen_the_last_question(word: str) -> None:
    chat = submitted()
    chat.text(word)
    assert chat.facts == ()
    if word.strip().casefold().startswith(("/skip", "ข้าม")):
        assert chat.phase is Phase.DONE
        assert chat.said == t.DONE_HINT
    else:
        assert chat.phase is Phase.ANSWERING
        assert chat.asked == "Q7.6R"


@pytest.mark.parametrize("word", spellings("edit"))
def test_edit_with_no_answers_says_there_is_nothing_to_edit(word: str, chat: Chat) -> None:
    chat.text(word)
    assert chat.replies[0].text == t.EDIT_NOTHING
    assert chat.asked == "Q1.1B"
    assert chat.phase is Phase.ANSWERING


@pytest.mark.parametrize("word", spellings("edit"))
def test_edit_opens_the_category_menu(word: str) -> None:
    chat = at_fourth_question()
    chat.text(word)
    assert chat.phase is Phase.EDIT_CATEGORY
    assert chat.said.startswith(t.EDIT_PICK_CATEGORY)
    assert chat.labels == ["หมวด 1", t.BTN_CANCEL]


@pytest.mark.parametrize("word", spellings("progress"))
def test_progress_lists_every_category_and_the_deadline_in_buddhist_era(word: str) -> None:
    chat = at_fourth_question()
    chat.text(word)
    progress = chat.replies[0].text
    lines = progress.splitlines()
    assert lines[0] == t.PROGRESS_TITLE.format(answered=3, total=30)
    assert lines[1] == "🟡 หมวด 1 การนำองค์การ: 3/4"
    for category in BANK.categories[1:]:
        line = f"⬜ หมวด {category.number} {category.short_name}: 0/{len(category.items)}"
        assert line in lines
    assert lines[-1] == "ปิดรับคำตอบ 30 ก.ย. 2569 (อีก 213 วัน)"
    assert chat.asked == "Q1.4B", "progress, then the question again"
    assert chat.facts == ()


def test_progress_counts_gated_questions_that_now_apply(chat: Chat) -> None:
    chat.answer("3")  # opens Q1.1A
    chat.text("ความคืบหน้า")
    assert chat.replies[0].text.splitlines()[0] == t.PROGRESS_TITLE.format(answered=1, total=31)


@pytest.mark.parametrize(("closes", "line"), [
    (date(2026, 3, 1), "ปิดรับคำตอบวันนี้ (1 มี.ค. 2569)"),
    (date(2026, 3, 2), "ปิดรับคำตอบ 2 มี.ค. 2569 (อีก 1 วัน)"),
    (date(2026, 2, 28), "รอบนี้ปิดรับไปแล้วเมื่อ 28 ก.พ. 2569"),
    (date(2027, 1, 15), "ปิดรับคำตอบ 15 ม.ค. 2570 (อีก 320 วัน)"),
])
def test_the_deadline_line_counts_days_from_ctx_now(closes: date, line: str) -> None:
    chat = joined(make_ctx(round_info=RoundInfo("รอบทดสอบ", closes)))
    chat.text("/progress")
    assert chat.replies[0].text.splitlines()[-1] == line
    assert NOW.date() == date(2026, 3, 1)


@pytest.mark.parametrize("word", spellings("summary"))
def test_summary_before_any_answer_says_there_is_nothing_yet(word: str, chat: Chat) -> None:
    chat.text(word)
    assert chat.replies[0].text == t.SUMMARY_NOTHING
    assert chat.replies[0].summary
    assert chat.asked == "Q1.1B"


@pytest.mark.parametrize("word", [*spellings("summary"), "สรุปผล", "ดูสรุปผล"])
def test_summary_any_time_gives_partial_results_and_the_question_again(word: str) -> None:
    chat = at_fourth_question()
    chat.text(word)
    partial = chat.replies[0]
    assert partial.summary
    assert partial.text.startswith(t.SUMMARY_PARTIAL.format(answered=3, total=30))
    assert "สรุปผลการประเมิน" not in partial.text, "the final title is kept for the submitted summary"
    assert BANK.disclaimer in partial.text
    assert chat.asked == "Q1.4B"
    assert chat.facts == ()


def test_summary_after_done_is_the_final_one() -> None:
    chat = submitted()
    chat.text("สรุป")
    assert chat.replies[0].summary
    assert "สรุปผลการประเมิน" in chat.replies[0].text
    assert chat.replies[-1].text == t.DONE_HINT


@pytest.mark.parametrize("word", [*spellings("help"), "วิธีใช้"])
@pytest.mark.parametrize("where", ["answering", "review", "done"])
def test_help_lists_the_commands_then_reshows_the_prompt(word: str, where: str) -> None:
    chat = {"answering": at_fourth_question, "review": reviewing, "done": submitted}[where]()
    phase = chat.phase
    chat.text(word)
    assert chat.replies[0].text == t.HELP
    for thai, _ in COMMANDS.values():
        if thai not in ("เริ่ม", "ช่วยเหลือ"):
            assert thai in t.HELP
    assert len(chat.replies) >= 2
    assert chat.phase is phase
    if where == "answering":
        assert chat.asked == "Q1.4B"


@pytest.mark.parametrize("word", ["คำอธิบาย", "/explain", "?"])
def test_explain_gives_the_help_text_of_the_question_with_its_buttons(word: str, chat: Chat) -> None:
    chat.text(word)
    question = BANK.question("Q1.1B")
    assert question is not None
    assert question.help in chat.said
    assert chat.asked == "Q1.1B"
    chat.text("1")
    assert [(f.question_id, f.code) for f in chat.recorded] == [("Q1.1B", "0")]


def test_explain_outside_a_question_falls_back_to_help() -> None:
    chat = reviewing()
    chat.text("คำอธิบาย")
    assert chat.replies[0].text == t.HELP


@pytest.mark.parametrize("word", ["ลบ ข้อมูล ของฉัน", "ลบข้อมูลของฉัน ", "/FORGET", "/forget@PMQA_Bot"])
def test_forget_spellings(word: str) -> None:
    chat = at_fourth_question()
    chat.text(word)
    assert chat.phase is Phase.CONFIRM_FORGET


# Forget ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", spellings("forget"))
def test_forget_asks_for_confirmation_first(word: str) -> None:
    chat = at_fourth_question()
    chat.text(word)
    assert chat.phase is Phase.CONFIRM_FORGET
    assert chat.said == t.FORGET_CONFIRM
    assert chat.labels == [t.BTN_FORGET_YES, t.BTN_CANCEL]
    assert chat.facts == ()
    assert chat.session.answers, "nothing is erased before confirming"


@pytest.mark.parametrize("cancel", ["button", "ย้อนกลับ", "/resume", "2"])
def test_cancelling_forget_returns_to_the_question(cancel: str) -> None:
    chat = at_fourth_question()
    chat.text("ลบข้อมูลของฉัน")
    if cancel == "button":
        chat.press(t.BTN_CANCEL)
    else:
        chat.text(cancel)
    assert chat.facts == ()
    assert chat.phase is Phase.ANSWERING
    assert chat.asked == "Q1.4B"
    assert len(chat.session.answers) == 3


def test_cancelling_forget_from_done_returns_to_done() -> None:
    chat = submitted()
    chat.text("/forget")
    chat.press(t.BTN_CANCEL)
    assert chat.replies[0].text == t.FORGET_CANCELLED
    assert chat.phase is Phase.DONE


@pytest.mark.parametrize("confirm", ["button", "typed label", "typed number"])
def test_confirming_forget_yields_the_fact_and_a_fresh_session(confirm: str) -> None:
    chat = at_fourth_question()
    chat.text("/forget")
    version = chat.session.version
    if confirm == "button":
        chat.press(t.BTN_FORGET_YES)
    elif confirm == "typed label":
        chat.text(t.BTN_FORGET_YES)
    else:
        chat.text("1")
    assert chat.facts == (Forget(),)
    assert chat.session == Session(version=version + 1)
    assert chat.phase is Phase.NEW
    assert chat.said == t.FORGOTTEN


def test_an_unclear_reply_to_the_forget_question_asks_again() -> None:
    chat = at_fourth_question()
    chat.text("/forget")
    chat.text("อืม")
    assert chat.phase is Phase.CONFIRM_FORGET
    assert chat.facts == ()
    assert chat.replies[-1].text == t.FORGET_CONFIRM


def test_forget_yes_button_outside_the_confirmation_does_nothing() -> None:
    chat = at_fourth_question()
    chat.tap("c:forget_yes")
    assert chat.facts == ()
    assert chat.phase is Phase.ANSWERING
    assert len(chat.session.answers) == 3


def test_after_forgetting_old_buttons_only_bring_the_welcome() -> None:
    chat = at_fourth_question()
    old = chat.answer_data("3")
    chat.text("/forget")
    chat.press(t.BTN_FORGET_YES)
    chat.tap(old)
    assert chat.phase is Phase.CONSENT
    assert chat.recorded == []


@pytest.mark.parametrize(("name", "word"), all_spellings(["resume", "back", "edit", "progress", "summary", "help"]))
def test_every_command_in_review_keeps_a_reply_coming(name: str, word: str) -> None:
    chat = reviewing()
    chat.text(word)
    assert chat.replies
    assert chat.facts == ()


# Every command in every phase -------------------------------------------------------------------


@functools.cache
def prepared(phase: str) -> tuple[Session, Context]:
    """A session in `phase`, built once and reused (sessions are immutable)."""
    match phase:
        case "consent":
            chat = in_consent()
        case "join":
            chat = consented()
        case "answering":
            chat = at_fourth_question()
        case "review":
            chat = reviewing()
        case "done":
            chat = submitted()
        case "edit_category":
            chat = at_fourth_question()
            chat.text("แก้ไข")
        case "edit_question":
            chat = at_fourth_question()
            chat.text("แก้ไข")
            chat.press("หมวด 1")
        case _:
            chat = at_fourth_question()
            chat.text("ลบข้อมูลของฉัน")
    assert chat.phase.value == phase
    return chat.session, chat.ctx


PHASES = ["consent", "join", "answering", "review", "done", "edit_category", "edit_question", "confirm_forget"]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize(("name", "word"), [(n, w) for n, pair in COMMANDS.items() for w in pair])
def test_every_command_in_every_phase_answers_and_records_nothing(phase: str, name: str, word: str) -> None:
    session, ctx = prepared(phase)
    chat = Chat(ctx, session)
    chat.text(word)  # Chat.send checks: a reply, version + 1, buttons within limits
    assert chat.facts == ()
    assert chat.session.answers == session.answers
    if name == "forget":
        assert chat.phase is Phase.CONFIRM_FORGET
    if phase in ("consent", "join") and name in GUARDED:
        assert chat.replies[0].text == (t.NEED_CONSENT if phase == "consent" else t.NEED_JOIN)
        assert chat.phase.value == phase
    if phase in ("edit_category", "edit_question") and name in ("back", "resume"):
        assert chat.phase is Phase.ANSWERING, "leaving the detour returns to the question"
        assert chat.asked == "Q1.4B"
