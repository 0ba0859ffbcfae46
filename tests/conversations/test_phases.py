"""Every phase transition: welcome with the PDPA notice → consent → invite code → answering →
review → done, plus first contact in any form, refused invites and a round that is not open."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations import (
    Forget,
    GiveConsent,
    Joined,
    JoinRefused,
    Phase,
    RecordAnswer,
    RedeemInvite,
    Session,
    Start,
    Submit,
    Tap,
    Text,
    Unsupported,
    current_prompt,
)
from conversations import texts as t
from tests.conversations.conftest import (
    AGENCY,
    BANK,
    INVITE,
    Chat,
    consented,
    joined,
    lowest,
    make_ctx,
    reviewing,
    submitted,
)

PRE_JOIN = make_ctx(joined=False)


# Welcome and consent -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [Start(), Text("สวัสดีค่ะ"), Text("/start"), Text("/start@pmqa_bot"), Tap("a:Q1.1B:3:0"), Tap("junk"),
     Unsupported("sticker")],
    ids=["start", "hello", "slash-start", "telegram-start", "old-tap", "junk-tap", "sticker"],
)
def test_first_contact_of_any_kind_gets_the_welcome_and_pdpa_notice(event: object) -> None:
    chat = Chat(PRE_JOIN)
    chat.send(event)  # type: ignore[arg-type]
    assert chat.phase is Phase.CONSENT
    assert chat.said.startswith("สวัสดีค่ะ")
    assert "การคุ้มครองข้อมูลส่วนบุคคล" in chat.said
    assert "ลบข้อมูลของฉัน" in chat.said, "the notice tells how to erase one's data"
    assert chat.labels == [t.BTN_ACCEPT, t.BTN_DECLINE]
    assert chat.facts == ()


def test_welcome_names_the_person_when_the_channel_knows_the_name() -> None:
    chat = Chat(make_ctx(joined=False, display_name="สมชาย"))
    chat.start()
    assert chat.replies[0].text.startswith("สวัสดีค่ะ คุณสมชาย ")


def test_the_pdpa_notice_is_short_enough_for_one_phone_screen() -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    assert len(chat.replies[-1].text) < 400


@pytest.mark.parametrize("how", ["tap", "label", "number"])
def test_accepting_gives_consent_and_asks_for_the_invite_code(how: str) -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    match how:
        case "tap":
            chat.press(t.BTN_ACCEPT)
        case "label":
            chat.text("  ยอมรับ ")
        case _:
            chat.text("1")
    assert chat.facts == (GiveConsent(),)
    assert chat.phase is Phase.JOIN
    assert chat.said == t.ASK_INVITE


def test_declining_records_nothing_and_keeps_the_door_open() -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    chat.press(t.BTN_DECLINE)
    assert chat.phase is Phase.CONSENT
    assert chat.facts == ()
    assert chat.said == t.DECLINED
    assert chat.labels == [t.BTN_ACCEPT]
    chat.press(t.BTN_ACCEPT)
    assert chat.facts == (GiveConsent(),)
    assert chat.phase is Phase.JOIN


def test_declining_by_typing_the_label_or_number_two() -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    chat.text("ไม่ยอมรับ")
    assert chat.said == t.DECLINED
    chat.start()
    chat.text("๒")
    assert chat.said == t.DECLINED
    assert chat.phase is Phase.CONSENT
    chat.text("๒")  # the decline message shows one button, ยินยอม: 2 means nothing there
    assert t.NEED_CONSENT in chat.said and chat.facts == ()
    assert chat.phase is Phase.CONSENT


def test_anything_else_before_consent_asks_for_consent_again() -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    chat.text("ขอดูคำถามก่อน")
    assert chat.phase is Phase.CONSENT
    assert chat.replies[0].text == t.NEED_CONSENT
    assert chat.replies[-1].text == t.PDPA_NOTICE
    assert chat.labels == [t.BTN_ACCEPT, t.BTN_DECLINE]
    assert chat.facts == ()


def test_accepting_when_the_agency_is_already_known_goes_straight_to_the_questions() -> None:
    chat = Chat(make_ctx())
    chat.start()
    chat.press(t.BTN_ACCEPT)
    assert chat.facts == (GiveConsent(),)
    assert chat.phase is Phase.ANSWERING
    assert chat.asked == "Q1.1B"


def test_accept_button_outside_consent_just_shows_the_current_prompt(chat: Chat) -> None:
    chat.tap("c:accept")
    assert chat.facts == ()
    assert chat.asked == "Q1.1B"
    assert chat.phase is Phase.ANSWERING


# Joining ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "code"), [
    ("ABCD-EFGH", "ABCDEFGH"), ("abcd efgh", "ABCDEFGH"), (" ａｂｃｄ－ｅｆｇｈ ", "ABCDEFGH"), ("ab.cd_ef", "ABCDEF"),
])
def test_an_invite_code_is_handed_to_the_shell_normalised(typed: str, code: str) -> None:
    chat = consented()
    step = chat.text(typed)
    assert step.facts == (RedeemInvite(code),)
    assert step.replies == (), "the shell answers with Joined or JoinRefused"
    assert chat.phase is Phase.JOIN


def test_an_empty_invite_is_not_sent_to_the_shell() -> None:
    chat = consented()
    chat.text(" - ")
    assert chat.facts == ()
    assert chat.replies[-1].text == t.ASK_INVITE


@pytest.mark.parametrize("reason", ["unknown", "expired", "used_up"])
def test_a_refused_invite_says_why_and_waits_for_another_code(reason: str) -> None:
    chat = consented()
    chat.text("WRONG-CODE")
    chat.send(JoinRefused(reason))
    assert chat.said == t.INVITE_REFUSED[reason]
    assert chat.phase is Phase.JOIN
    assert chat.facts == ()
    step = chat.text(INVITE)
    assert step.facts == (RedeemInvite("ABCDEFGH"),)


def test_an_unexpected_refusal_reason_reads_as_unknown() -> None:
    chat = consented()
    chat.text("X")
    chat.send(JoinRefused("database-on-fire"))
    assert chat.said == t.INVITE_REFUSED["unknown"]


def test_joining_shows_the_agency_the_round_in_buddhist_era_and_the_first_question() -> None:
    chat = consented()
    chat.text(INVITE)
    chat.ctx = make_ctx()
    chat.send(Joined(AGENCY))
    assert chat.phase is Phase.ANSWERING
    assert chat.position == "Q1.1B"
    assert chat.replies[0].text == t.JOINED.format(agency=AGENCY)
    assert "รอบที่ 1/2569" in chat.replies[1].text
    assert "30 ก.ย. 2569" in chat.replies[1].text
    first = chat.replies[-1]
    assert first.question_id == "Q1.1B"
    assert first.text.splitlines()[0] == "หมวด 1 การนำองค์การ · ข้อ 1/30"
    assert first.text.splitlines()[1] == "ระดับพื้นฐาน (ข้อ 1.1)"
    assert BANK.question("Q1.1B").text in first.text  # type: ignore[union-attr]
    assert [c.label for c in first.choices] == [
        "ยังไม่มี", "เริ่มทำบางส่วน", "มีระบบ ยังไม่ทั่วถึง", "ครบทั่วทั้งองค์การ", "ไม่แน่ใจ",
        t.BTN_BACK, t.BTN_SKIP, t.BTN_EXPLAIN,
    ]


# Answering, review, done -----------------------------------------------------------------------


def test_one_question_per_message_with_item_progress_in_the_header(chat: Chat) -> None:
    chat.answer_until(lowest, stop="Q2.1B")
    assert chat.asked == "Q2.1B"
    question_replies = [r for r in chat.replies if r.question_id]
    assert len(question_replies) == 1
    assert question_replies[0].text.startswith("หมวด 2 การวางแผนยุทธศาสตร์ · ข้อ 5/30\n")


def test_the_last_answer_moves_to_review_with_submit_edit_and_summary() -> None:
    chat = reviewing()
    assert chat.position is None
    assert chat.replies[0].text == t.CATEGORY_DONE.format(number=7, score="0", level="ยังไม่ถึงระดับพื้นฐาน")
    assert chat.replies[-1].text.startswith(t.REVIEW_ALL)
    assert "ตอบแล้ว 30 จาก 30" in chat.said
    assert chat.labels == [t.BTN_SUBMIT, t.BTN_EDIT, t.BTN_SUMMARY]


def test_submitting_moves_to_done_with_the_final_summary() -> None:
    chat = reviewing()
    chat.press(t.BTN_SUBMIT)
    assert chat.phase is Phase.DONE
    assert chat.facts == (Submit(),)
    assert chat.replies[0].text == t.SUBMITTED
    summaries = [r for r in chat.replies if r.summary]
    assert len(summaries) == 1
    assert "สรุปผลการประเมิน" in summaries[0].text
    assert chat.replies[-1].text == t.DONE_HINT
    assert chat.labels == [t.BTN_SUMMARY, t.BTN_EDIT, t.BTN_PROGRESS]


def test_submit_is_refused_outside_review(chat: Chat) -> None:
    chat.tap("c:submit")
    assert chat.facts == ()
    assert chat.phase is Phase.ANSWERING
    assert chat.asked == "Q1.1B"


def test_submitting_twice_submits_once() -> None:
    chat = submitted()
    chat.tap("c:submit")
    assert chat.facts == ()
    assert chat.phase is Phase.DONE
    assert chat.said == t.DONE_HINT


def test_text_after_done_gets_the_done_hint() -> None:
    chat = submitted()
    chat.text("ขอบคุณค่ะ")
    assert chat.phase is Phase.DONE
    assert chat.replies[-1].text == t.DONE_HINT
    assert chat.facts == ()


# Unsupported messages ----------------------------------------------------------------------------


def test_a_sticker_while_answering_gets_a_hint_and_the_same_question(chat: Chat) -> None:
    chat.answer("0")
    asked = chat.asked
    before = chat.session
    chat.unsupported("sticker")
    assert chat.replies[0].text == t.UNSUPPORTED
    assert chat.asked == asked
    assert chat.facts == ()
    assert chat.session == replace(before, version=before.version + 1, shown=chat.session.shown)


@pytest.mark.parametrize("where", ["consent", "join", "review", "done"])
def test_a_photo_elsewhere_gets_the_idle_hint_and_the_current_prompt(where: str) -> None:
    chat = {"consent": lambda: Chat(PRE_JOIN), "join": consented, "review": reviewing, "done": submitted}[where]()
    if where == "consent":
        chat.start()
    phase = chat.phase
    chat.unsupported("photo")
    assert chat.replies[0].text == t.UNSUPPORTED_IDLE
    assert len(chat.replies) >= 2
    assert chat.phase is phase
    assert chat.facts == ()


# No round open ------------------------------------------------------------------------------------


def no_round_chat() -> Chat:
    chat = consented()
    chat.text(INVITE)
    chat.ctx = make_ctx(round_info=None)
    chat.send(Joined(AGENCY))
    return chat


def test_joining_without_an_open_round_says_so_and_asks_nothing() -> None:
    chat = no_round_chat()
    assert chat.phase is Phase.ANSWERING
    assert chat.replies[0].text == t.JOINED.format(agency=AGENCY)
    assert chat.replies[-1].text == t.NO_ROUND
    assert chat.labels == [t.BTN_RESUME]
    assert chat.asked is None


@pytest.mark.parametrize("event", [
    Text("1"), Text("ครบทั่วทั้งองค์การ"), Text("3"), Text("ทำต่อ"), Text("ข้าม"), Text("ย้อนกลับ"),
    Tap("a:Q1.1B:3:1"), Tap("c:resume"), Tap("c:skip"), Unsupported("sticker"),
])
def test_without_a_round_nothing_is_recorded_and_the_no_round_message_stays(event: object) -> None:
    chat = no_round_chat()
    chat.send(event)  # type: ignore[arg-type]
    assert not [f for f in chat.facts if isinstance(f, RecordAnswer)]
    assert chat.session.answers == {}
    assert chat.replies[-1].text == t.NO_ROUND


def test_when_the_round_opens_resume_asks_the_first_question() -> None:
    chat = no_round_chat()
    chat.ctx = make_ctx()
    chat.press(t.BTN_RESUME)
    assert chat.replies[0].text == t.RESUMED.format(item_id="1.1", answered=0, total=30)
    assert chat.asked == "Q1.1B"


def test_the_round_closing_mid_way_keeps_answers_and_records_nothing_new(chat: Chat) -> None:
    chat.answer("0")
    chat.ctx = make_ctx(round_info=None)
    data = chat.answer_data("3") if chat.asked else ""
    chat.text("2")
    assert chat.recorded == []
    chat.tap(data)
    assert chat.recorded == []
    assert chat.session.answers == {"Q1.1B": "0"}
    assert t.NO_ROUND in chat.said


def test_typing_one_for_the_resume_button_after_the_round_opens_records_nothing() -> None:
    chat = no_round_chat()
    assert chat.labels == [t.BTN_RESUME]
    chat.ctx = make_ctx()  # the coordinator opens the round
    chat.text("1")  # choice 1 on screen is "ทำต่อ"
    assert chat.recorded == []
    assert not chat.said.startswith("บันทึกการแก้ไข")
    assert chat.asked == "Q1.1B"


# current_prompt ---------------------------------------------------------------------------------


def test_current_prompt_reshows_what_each_phase_waits_for() -> None:
    ctx = make_ctx()
    assert current_prompt(Session(), ctx)[-1].text == t.PDPA_NOTICE
    assert current_prompt(Session(phase=Phase.JOIN), ctx)[-1].text == t.ASK_INVITE
    chat = joined()
    chat.answer("0")
    prompt = current_prompt(chat.session, chat.ctx)
    assert prompt[-1].question_id == chat.asked
    assert [c.data for c in prompt[-1].choices] == [c.data for c in chat.replies[-1].choices]
    done = submitted()
    assert current_prompt(done.session, done.ctx)[-1].text == t.DONE_HINT


def test_current_prompt_does_not_change_anything() -> None:
    chat = joined()
    before = chat.session
    current_prompt(before, chat.ctx)
    assert chat.session is before


# Forget returns to NEW from anywhere -----------------------------------------------------------


@pytest.mark.parametrize("where", ["consent", "join", "answering", "review", "done"])
def test_forget_from_every_phase_gives_a_fresh_new_session(where: str) -> None:
    if where == "consent":
        chat = Chat(PRE_JOIN)
        chat.start()
    else:
        chat = {"join": consented, "answering": joined, "review": reviewing, "done": submitted}[where]()
    chat.text("ลบข้อมูลของฉัน")
    assert chat.phase is Phase.CONFIRM_FORGET
    version = chat.session.version
    chat.press(t.BTN_FORGET_YES)
    assert chat.facts == (Forget(),)
    assert chat.session == Session(version=version + 1)
    assert chat.said == t.FORGOTTEN
    chat.start()
    assert chat.phase is Phase.CONSENT


def test_every_kind_of_event_bumps_the_version_by_exactly_one() -> None:
    chat = Chat(PRE_JOIN)
    events = [Start(), Unsupported("sticker"), Tap("junk"), Tap("c:decline"), Tap("c:accept"), Text("BAD"),
              JoinRefused("expired"), Text(INVITE)]
    for event in events:
        chat.send(event)
    chat.ctx = make_ctx()
    chat.send(Joined(AGENCY))
    data = chat.answer_data("0")
    chat.tap(data)
    chat.tap(data)  # the silent duplicate still counts
    chat.text("/forget")
    chat.press(t.BTN_FORGET_YES)
    assert chat.session.version == len(events) + 5 == len(chat.steps)
    assert [s.session.version for s in chat.steps] == list(range(1, len(chat.steps) + 1))
