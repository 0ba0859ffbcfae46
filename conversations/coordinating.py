"""Coordinator commands: what a coordinator typed, parsed into a request for the shell.

The core only recognises and parses these; the shell answers them, because the answers
(who has finished, an invite code, a round) live in the database and depend on scope.
Thai word or slash form, e.g. ``รหัสเชิญ ผู้ประสานงาน ABC01 หมวด 1,2`` or
``/invite coordinator ABC01 1,2``; ``รอบ เปิด 30/9/2570`` or ``/round open 2026-09-30``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from conversations.parsing import normalize

# Requests ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InviteRequest:
    role: str  # officer | coordinator
    agency_code: str | None  # None: the coordinator's own agency
    categories: tuple[int, ...] | None  # None: all


@dataclass(frozen=True, slots=True)
class InviteList:
    """The invite codes still usable in the coordinator's scope."""


@dataclass(frozen=True, slots=True)
class InviteRevoke:
    code: str  # as typed; matched without its dash or case


@dataclass(frozen=True, slots=True)
class RoundList:
    pass


@dataclass(frozen=True, slots=True)
class RoundOpen:
    closes_on: date
    agency_code: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class RoundClose:
    round_id: int | None  # None: the round now open for the coordinator's own agency


@dataclass(frozen=True, slots=True)
class RoundExtend:
    closes_on: date
    round_id: int | None


@dataclass(frozen=True, slots=True)
class StatusRequest:
    agency_code: str | None


@dataclass(frozen=True, slots=True)
class RemindPreview:
    message: str | None  # the coordinator's own words, included in the reminder


@dataclass(frozen=True, slots=True)
class RemindConfirm:
    reminder_id: int | None  # from the preview's button; None when typed (the latest preview)


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    agency_code: str | None


@dataclass(frozen=True, slots=True)
class ExportRequest:
    agency_code: str | None


@dataclass(frozen=True, slots=True)
class DashboardRequest:
    """A one-time link that signs the coordinator in to the web dashboard."""


@dataclass(frozen=True, slots=True)
class Malformed:
    """The command word was right, its arguments were not; `usage` says how to write it."""

    usage: str


CoordinatorRequest = (InviteRequest | InviteList | InviteRevoke | RoundList | RoundOpen | RoundClose | RoundExtend
                      | StatusRequest | RemindPreview | RemindConfirm | SummaryRequest | ExportRequest
                      | DashboardRequest)

# Words ---------------------------------------------------------------------------------------

COORDINATOR_WORDS: dict[str, tuple[str, ...]] = {
    "invite": ("รหัสเชิญ", "เชิญ", "/invite", "invite"),
    "round": ("รอบ", "/round", "round"),
    "status": ("สถานะ", "/status", "status"),
    "remind": ("เตือน", "/remind", "remind"),
    "summary": ("สรุป", "สรุปผล", "/summary", "summary"),
    "export": ("ส่งออก", "/export", "export"),
    "dashboard": ("แดชบอร์ด", "/dashboard", "dashboard"),
}
_WORD_OF = {normalize(w): name for name, words in COORDINATOR_WORDS.items() for w in words}
_ROLE_WORDS = {
    "officer": ("เจ้าหน้าที่", "ผู้ตอบ", "officer", "officers"),
    "coordinator": ("ผู้ประสานงาน", "ผู้ประสาน", "coordinator", "coordinators"),
}
_ROLE_OF = {normalize(w): role for role, words in _ROLE_WORDS.items() for w in words}
_OPEN_WORDS = frozenset({"เปิด", "open", "new"})
_CLOSE_WORDS = frozenset({"ปิด", "close"})
_EXTEND_WORDS = frozenset({"เลื่อน", "ขยาย", "extend", "deadline"})
_LIST_WORDS = frozenset({"ดู", "รายการ", "list"})
_REVOKE_WORDS = frozenset({"ยกเลิก", "revoke", "cancel"})
_CATEGORY_WORDS = frozenset({"หมวด", "category", "categories"})
_BOT_SUFFIX = re.compile(r"^(/\w+)@\w+")
_CODE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_\-.]{0,31}\Z")
_CATEGORY_LIST = re.compile(r"\A[1-7](?:\s*[,\-]\s*[1-7])*\Z")
_ROUND_ID = re.compile(r"\A#?(\d{1,9})\Z")
_DMY = re.compile(r"\A(\d{1,2})/(\d{1,2})/(\d{4})\Z")
_YMD = re.compile(r"\A(\d{4})-(\d{1,2})-(\d{1,2})\Z")

USAGE = {
    "invite": "รหัสเชิญ [เจ้าหน้าที่|ผู้ประสานงาน] [รหัสหน่วยงาน] [หมวด 1,2] · รหัสเชิญ ดู · รหัสเชิญ ยกเลิก รหัส",
    "round": "รอบ · รอบ เปิด 30/9/2570 [ชื่อรอบ] · รอบ เลื่อน [เลขรอบ] 15/10/2570 · รอบ ปิด [เลขรอบ]",
    "status": "สถานะ [รหัสหน่วยงาน]",
    "summary": "สรุป [รหัสหน่วยงาน]",
    "export": "ส่งออก [รหัสหน่วยงาน]",
}


def coordinator_word(text: str) -> str | None:
    """The coordinator command a message starts with, if any ("status", "invite", …)."""
    words = normalize(text).split(" ", 1)
    if not words[0]:
        return None
    return _WORD_OF.get(_BOT_SUFFIX.sub(r"\1", words[0]))


def has_arguments(text: str) -> bool:
    return len(normalize(text).split(" ", 1)) > 1


def parse_request(text: str) -> CoordinatorRequest | Malformed | None:
    """None when the text is not a coordinator command at all."""
    name = coordinator_word(text)
    if name is None:
        return None
    raw_rest = _rest(text)
    tokens = normalize(raw_rest).split() if raw_rest else []
    match name:
        case "invite":
            return _invite(tokens, raw_rest)
        case "round":
            return _round(tokens, raw_rest)
        case "status":
            return _single_code(tokens, "status", StatusRequest)
        case "summary":
            return _single_code(tokens, "summary", SummaryRequest)
        case "export":
            return _single_code(tokens, "export", ExportRequest)
        case "dashboard":
            return DashboardRequest()
        case _:  # remind: the rest, as typed, is the coordinator's message
            message = " ".join(raw_rest.split())[:300] if raw_rest else None
            return RemindPreview(message or None)


def parse_date(text: str) -> date | None:
    """30/9/2570 (พ.ศ.), 30/9/2026, 2026-09-30 or 2569-09-30; Thai digits allowed.  None if not a date."""
    cleaned = normalize(text)
    if match := _DMY.match(cleaned):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.match(cleaned):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    if year > 2400:
        year -= 543
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _rest(text: str) -> str:
    parts = " ".join(text.split()).split(" ", 1)
    return parts[1] if len(parts) > 1 else ""


def _invite(tokens: list[str], raw: str) -> InviteRequest | InviteList | InviteRevoke | Malformed:
    if tokens and tokens[0] in _LIST_WORDS:
        return InviteList() if len(tokens) == 1 else Malformed(USAGE["invite"])
    if tokens and tokens[0] in _REVOKE_WORDS:
        if len(tokens) == 2 and _CODE.match(tokens[1]):
            return InviteRevoke(tokens[1].upper())
        return Malformed(USAGE["invite"])
    role = "officer"
    code: str | None = None
    categories: tuple[int, ...] | None = None
    after_category_word = False
    for token in tokens:
        if token in _CATEGORY_WORDS:
            after_category_word = True
            continue
        if _CATEGORY_LIST.match(token):
            categories = _categories(token)
        elif after_category_word:  # "หมวด 9": not a category, and not an agency code either
            return Malformed(USAGE["invite"])
        elif token in _ROLE_OF:
            role = _ROLE_OF[token]
        elif _CODE.match(token) and code is None:
            code = token.upper()
        else:
            return Malformed(USAGE["invite"])
        after_category_word = False
    return InviteRequest(role, code, categories)


def _categories(token: str) -> tuple[int, ...]:
    numbers: set[int] = set()
    for part in token.replace(" ", "").split(","):
        if "-" in part:
            low, high = sorted(int(n) for n in part.split("-"))
            numbers.update(range(low, high + 1))
        else:
            numbers.add(int(part))
    return tuple(sorted(numbers))


def _round(tokens: list[str], raw: str) -> CoordinatorRequest | Malformed:
    if not tokens or tokens[0] in _LIST_WORDS:
        return RoundList() if len(tokens) <= 1 else Malformed(USAGE["round"])
    verb, args = tokens[0], tokens[1:]
    if verb in _OPEN_WORDS and args:
        closes = parse_date(args[0])
        if closes is None:
            return Malformed(USAGE["round"])
        code = None
        name_words = raw.split()[2:]  # as typed: the name keeps its case and Thai spacing
        if name_words and _CODE.match(name_words[-1]) and name_words[-1].isupper():
            code = name_words.pop()
        return RoundOpen(closes, code, " ".join(name_words)[:200] or None)
    if verb in _CLOSE_WORDS and len(args) <= 1:
        round_id = _round_id(args[0]) if args else None
        if args and round_id is None:
            return Malformed(USAGE["round"])
        return RoundClose(round_id)
    if verb in _EXTEND_WORDS and 1 <= len(args) <= 2:
        closes = parse_date(args[-1])
        round_id = _round_id(args[0]) if len(args) == 2 else None
        if closes is None or (len(args) == 2 and round_id is None):
            return Malformed(USAGE["round"])
        return RoundExtend(closes, round_id)
    return Malformed(USAGE["round"])


def _round_id(token: str) -> int | None:
    match = _ROUND_ID.match(token)
    return int(match.group(1)) if match else None


def _single_code(tokens: list[str], name: str,
                 kind: type[StatusRequest] | type[SummaryRequest] | type[ExportRequest]
                 ) -> StatusRequest | SummaryRequest | ExportRequest | Malformed:
    if not tokens:
        return kind(None)
    if len(tokens) == 1 and _CODE.match(tokens[0]):
        return kind(tokens[0].upper())
    return Malformed(USAGE[name])
