"""The PDPA notice says what coordinators really see, and consent is given with ยินยอม / ไม่ยินยอม."""

from __future__ import annotations

import pytest

from conversations import GiveConsent, Phase
from conversations import texts as t
from tests.conversations.conftest import Chat, make_ctx

PRE_JOIN = make_ctx(joined=False)


def test_the_notice_names_what_coordinators_see_in_short_lines() -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    notice = chat.replies[-1].text
    assert chat.labels == ["ยินยอม", "ไม่ยินยอม"]
    for said in ("ชื่อ", "ความคืบหน้า", "Excel", "คำตอบทุกข้อ", "ลบข้อมูลของฉัน"):
        assert said in notice
    assert "ผลรวม" not in notice, "coordinators see more than totals: the notice must not say otherwise"
    assert all(len(line) <= 90 for line in notice.splitlines()), "short lines that fit a phone"
    assert notice.endswith("ท่านยินยอมหรือไม่คะ")


@pytest.mark.parametrize("typed", ["ยินยอม", "ยอมรับ", "ใช่"])
def test_consent_by_the_new_label_or_the_old_word(typed: str) -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    chat.text(typed)
    assert chat.facts == (GiveConsent(),) and chat.phase is Phase.JOIN


@pytest.mark.parametrize("typed", ["ไม่ยินยอม", "ไม่ยอมรับ", "ไม่"])
def test_declining_by_the_new_label_or_the_old_word(typed: str) -> None:
    chat = Chat(PRE_JOIN)
    chat.start()
    chat.text(typed)
    assert chat.said == t.DECLINED and chat.facts == () and chat.phase is Phase.CONSENT
