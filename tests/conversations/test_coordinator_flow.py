"""Coordinators in the pure core: the menu instead of questions, requests leave as `Ask` facts, officers
are refused politely, and nothing in the officer's flow changes."""

from __future__ import annotations

from dataclasses import replace

from conversations import Ask, Denied, Joined, Phase, Tap
from conversations import coordinator_texts as ct
from conversations.coordinating import RemindConfirm, RemindPreview, StatusRequest, SummaryRequest
from tests.conversations.conftest import AGENCY, Chat, consented, joined, make_ctx


def coordinator() -> Chat:
    chat = consented(make_ctx(joined=False))
    chat.ctx = replace(make_ctx(), role="coordinator")
    chat.send(Joined(AGENCY, "coordinator"))
    return chat


def asks(chat: Chat) -> list[object]:
    return [f.request for f in chat.facts if isinstance(f, Ask)]


def test_a_coordinator_lands_on_the_menu_not_a_question() -> None:
    chat = coordinator()
    assert chat.phase is Phase.COORDINATING
    assert chat.asked is None
    assert "ผู้ประสานงาน" in chat.said
    assert chat.labels[:4] == ["สถานะ", "สรุปผล", "เตือนผู้ยังไม่เสร็จ", "ส่งออก Excel"]


def test_requests_leave_as_facts_by_word_button_or_number() -> None:
    chat = coordinator()
    chat.text("สถานะ")
    assert asks(chat) == [StatusRequest(None)]
    chat.send(Tap("c:summary"))  # the menu's สรุปผล button
    assert asks(chat) == [SummaryRequest(None)]
    chat.text("3")  # the third button: remind
    assert asks(chat) == [RemindPreview(None)]
    chat.send(Tap("r:42"))
    assert asks(chat) == [RemindConfirm(42)]
    chat.text("ความคืบหน้า")
    assert asks(chat) == [StatusRequest(None)]
    assert chat.phase is Phase.COORDINATING


def test_officer_commands_are_explained_to_a_coordinator() -> None:
    chat = coordinator()
    for word in ("ข้าม", "ย้อนกลับ", "แก้ไข", "คำอธิบาย"):
        chat.text(word)
        assert "ไม่ได้ตอบแบบประเมินเอง" in chat.said and not chat.facts
    chat.text("1")
    assert asks(chat) == [StatusRequest(None)]


def test_officers_are_refused_coordinator_commands_and_lose_nothing() -> None:
    chat = joined()
    on_screen = chat.asked
    for text, command in (("สถานะ", "status"), ("/remind", "remind"), ("รหัสเชิญ", "invite"),
                          ("รอบ เปิด 30/9/2570", "round"), ("ส่งออก", "export"), ("สรุป AG01", "summary")):
        chat.text(text)
        assert "สำหรับผู้ประสานงานเท่านั้น" in chat.said
        # nothing is asked of the shell but the refusal itself, for its audit log
        assert chat.facts == (Denied(command, ct.COORDINATOR_ONLY),) and chat.asked == on_screen
    chat.send(Tap("r:1"))
    assert not chat.facts and "ปุ่มนี้ใช้ไม่ได้" in chat.said
    chat.text("สรุป")  # alone, it is the officer's own summary
    assert any(reply.summary for reply in chat.replies)


def test_a_coordinator_can_forget_and_cancel_back_to_the_menu() -> None:
    chat = coordinator()
    chat.text("ลบข้อมูลของฉัน")
    assert chat.phase is Phase.CONFIRM_FORGET
    chat.press("ยกเลิก")
    assert chat.phase is Phase.COORDINATING and "เมนูผู้ประสานงาน" in chat.said


def test_the_officers_summary_marks_changes_since_their_previous_round() -> None:
    from conversations import PreviousRound
    from conversations.render import summary_text

    answers = {"Q1.1B": "3", "Q1.1A": "0", "Q2.1B": "1"}
    plain = summary_text(answers, make_ctx(), final=False)
    assert "▲" not in plain and "▼" not in plain
    ctx = replace(make_ctx(), previous=PreviousRound("รอบ 2569", {"Q1.1B": "1", "Q2.1B": "3"}))
    text = summary_text(answers, ctx, final=False)
    assert "▲" in text.split("หมวด 1")[1].split("\n")[0]  # category 1 rose
    assert "▼" in text.split("หมวด 2")[1].split("\n")[0]  # category 2 fell
    # categories 3–7 were answered in neither round: "ยังไม่ได้ตอบ", not "0 เท่าเดิม"
    assert text.count("เท่าเดิม") == 1 and text.count("ยังไม่ได้ตอบ") == 5 and "▲▼ = เปลี่ยนจากรอบ 2569" in text
