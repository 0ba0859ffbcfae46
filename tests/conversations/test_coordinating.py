"""Parsing coordinators' commands: Thai and slash forms, พ.ศ. dates, Thai digits, and polite usage on nonsense."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.coordinating import (
    ExportRequest,
    InviteRequest,
    Malformed,
    RemindPreview,
    RoundClose,
    RoundExtend,
    RoundList,
    RoundOpen,
    StatusRequest,
    SummaryRequest,
    parse_date,
    parse_request,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("รหัสเชิญ", InviteRequest("officer", None, None)),
    ("รหัสเชิญ ผู้ประสานงาน nan-agri", InviteRequest("coordinator", "NAN-AGRI", None)),
    ("/invite officer AG01 1,3", InviteRequest("officer", "AG01", (1, 3))),
    ("/invite@pmqa_bot coordinator", InviteRequest("coordinator", None, None)),
    ("รหัสเชิญ เจ้าหน้าที่ หมวด 1-3,7", InviteRequest("officer", None, (1, 2, 3, 7))),
    ("รอบ", RoundList()),
    ("/round list", RoundList()),
    ("รอบ เปิด 30/9/2570", RoundOpen(date(2027, 9, 30), None, None)),
    ("รอบ เปิด ๓๐/๙/๒๕๗๐ รอบปีงบ 2570", RoundOpen(date(2027, 9, 30), None, "รอบปีงบ 2570")),
    ("/round open 2027-09-30 First round AG01", RoundOpen(date(2027, 9, 30), "AG01", "First round")),
    ("รอบ ปิด", RoundClose(None)),
    ("รอบ ปิด #12", RoundClose(12)),
    ("รอบ เลื่อน 15/10/2570", RoundExtend(date(2027, 10, 15), None)),
    ("/round extend 3 2027-10-15", RoundExtend(date(2027, 10, 15), 3)),
    ("สถานะ", StatusRequest(None)),
    ("สถานะ ag01", StatusRequest("AG01")),
    ("/summary AG01", SummaryRequest("AG01")),
    ("ส่งออก", ExportRequest(None)),
    ("เตือน", RemindPreview(None)),
    ("เตือน   กรุณาส่งภายในวันศุกร์นะคะ  ", RemindPreview("กรุณาส่งภายในวันศุกร์นะคะ")),
])
def test_commands_parse(text: str, expected: object) -> None:
    assert parse_request(text) == expected


@pytest.mark.parametrize("text", [
    "รหัสเชิญ หมวด 9", "รหัสเชิญ A B", "รอบ เปิด พรุ่งนี้", "รอบ เปิด 31/2/2570", "รอบ ปิด สิบ",
    "รอบ เลื่อน x 1/1/2570", "รอบ บิน", "สถานะ A1 A2", "ส่งออก ทุกหน่วย!",
])
def test_nonsense_arguments_get_the_usage(text: str) -> None:
    result = parse_request(text)
    assert isinstance(result, Malformed) and result.usage


@pytest.mark.parametrize("text", ["สวัสดี", "1", "ทำต่อ", "", "   ", "รอบๆ ตัว"])
def test_other_text_is_not_a_coordinator_command(text: str) -> None:
    assert parse_request(text) is None


def test_dates_in_both_eras() -> None:
    assert parse_date("30/9/2570") == parse_date("30/9/2027") == parse_date("2570-09-30") == date(2027, 9, 30)
    assert parse_date("29/2/2571") == date(2028, 2, 29)
    assert parse_date("29/2/2570") is None
    assert parse_date("30-9-2570") is None


def test_a_long_reminder_message_is_cut_to_fit() -> None:
    result = parse_request("เตือน " + "ก" * 1000)
    assert isinstance(result, RemindPreview) and result.message is not None and len(result.message) == 300
