"""The server's edges under hostile input, on SQLite and PostgreSQL: bad events beside good ones,
Telegram updates of odd shapes, deep nesting, a database that goes away, bad link tokens, big bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from conversations import texts as t
from storage import invite_codes
from storage import repository as repo
from storage.database import Database
from storage.schema import answers, users
from tests.bot.edges_world import Edges, edge_server, tracebacks
from tests.fakes.line_webhook import follow_event, postback_event, text_event
from tests.fakes.telegram_updates import callback_update, message_update, next_update_id

USER = "U" + "b" * 32


@pytest.fixture
async def edges(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    async with edge_server(database, tmp_path, monkeypatch) as built:
        yield built


def line_body(*events: Any) -> bytes:
    """ASCII JSON, as a hostile sender may write it: a lone surrogate travels as the escape \\ud800."""
    return json.dumps({"destination": "U" + "0" * 32, "events": list(events)}).encode()


async def _joined(edges: Edges) -> str:
    """A LINE officer in a round, with Q1.1B on screen; returns that question's 'ยังไม่มี' tap data."""
    now = edges.app.state.services.clock()
    async with edges.db.transaction() as conn:
        agency = await repo.add_agency(conn, "AG", "สำนักงานจังหวัดน่าน", None, now)
        await repo.open_round(conn, "รอบ 2569", agency, now.date(), now.date().replace(year=now.year + 1), now)
        code = await invite_codes.create_invite(conn, agency, "officer", now, uses=10, days=30)
    fake = edges.line_fake

    def actions() -> list[dict[str, Any]]:
        return [i["action"] for i in fake.sent_to(USER)[-1].get("quickReply", {}).get("items", [])]

    await edges.line(line_body(follow_event(USER, fake.issue_reply_token(USER))))
    consent = next(a["data"] for a in actions() if a["displayText"] == t.BTN_ACCEPT)
    await edges.line(line_body(postback_event(USER, consent, fake.issue_reply_token(USER))))
    await edges.line(line_body(text_event(USER, code, fake.issue_reply_token(USER))))
    return str(next(a["data"] for a in actions() if a["displayText"] == "ยังไม่มี"))


def _tap(data: str) -> dict[str, Any]:
    return postback_event(USER, data, None)


BAD_LINE_EVENTS: dict[str, tuple[Any, str]] = {
    "lone surrogate in userId": (text_event("U" + "a" * 31 + "\ud800", "สวัสดี", None), "userId"),
    "65-character userId": (text_event("U" + "a" * 64, "สวัสดี", None), "userId"),
    "500 kB userId": (text_event("U" + "a" * 500_000, "สวัสดี", None), "userId"),
    "NUL in text": (text_event(USER, "ตอบ\x00ข้อ", None), "NUL"),
    "lone surrogate in text": (text_event(USER, "ตอบ\udfffข้อ", None), "surrogate"),
    "text is a list": (text_event(USER, ["x"], None), "message.text"),  # type: ignore[arg-type]
    "postback data is a number": (postback_event(USER, 7, None), "postback.data"),  # type: ignore[arg-type]
    "no message": ({**text_event(USER, "x", None), "message": None}, "message"),
    "nested 200 deep": ({**text_event(USER, "x", None), "extra": json.loads("[" * 200 + "]" * 200)}, "nested"),
    "not an object": ("event", "not an object"),
    "no event id": ({k: v for k, v in text_event(USER, "x", None).items() if k != "webhookEventId"},
                    "webhookEventId"),
}


async def test_a_bad_line_event_is_kept_aside_and_the_good_ones_around_it_are_stored(
        edges: Edges, caplog: pytest.LogCaptureFixture) -> None:
    data = await _joined(edges)
    first, second = data, data.replace("Q1.1B", "Q1.2B")
    for round_number, (name, (bad, reason)) in enumerate(BAD_LINE_EVENTS.items(), start=1):
        code = "1" if round_number % 2 else "0"  # each body changes both answers, so both must be stored anew
        taps = [_tap(first.replace(":0:", f":{code}:")), bad, _tap(second.replace(":0:", f":{code}:"))]
        response = await edges.line(line_body(*taps))
        assert response.status_code == 200, name
        async with edges.db.engine.connect() as conn:
            current = dict((await conn.execute(select(answers.c.question_id, answers.c.value)
                                               .where(answers.c.replaced_at.is_(None)))).all())
            stored = await conn.scalar(select(func.count()).select_from(answers))
            people = await conn.scalar(select(func.count()).select_from(users))
        assert current == {"Q1.1B": code, "Q1.2B": code}, name
        assert stored == 2 * round_number, f"{name}: both good answers of every body are stored"
        assert people == 1, f"{name}: no user is made from a bad event"
        kept = await edges.dead("line")
        assert len(kept) == round_number and reason in kept[-1].reason, (name, kept[-1].reason)
        assert len(kept[-1].payload) <= 2_000
    assert tracebacks(caplog) == []


async def test_a_redelivered_body_keeps_its_dead_letter_once(edges: Edges) -> None:
    bad = text_event(USER, "a\x00b", None)
    for _ in range(3):
        assert (await edges.line(line_body(bad))).status_code == 200
    (kept,) = await edges.dead("line")
    assert kept.event_id == bad["webhookEventId"] and "NUL" in kept.reason
    assert "\x00" not in kept.payload and "\\u0000" in kept.payload, "the copy is printable: NUL escaped"


async def test_unknown_line_event_kinds_are_skipped_without_a_dead_letter(edges: Edges) -> None:
    future = {**text_event(USER, "x", None), "type": "somethingNew"}
    del future["message"]
    sticker_like = text_event(USER, "x", None)
    sticker_like["message"] = {"type": "hologram", "id": "1"}
    good = text_event(USER, "สวัสดี", edges.line_fake.issue_reply_token(USER))
    assert (await edges.line(line_body(future, sticker_like, good))).status_code == 200
    assert await edges.dead() == []
    assert good["webhookEventId"] in await edges.claimed("line")


async def test_the_signature_is_checked_on_the_raw_bytes(edges: Edges, caplog: pytest.LogCaptureFixture) -> None:
    raw = b'{"destination":"U0","events":[{"type":"message","text":"\xff\xfe"}]}'  # not UTF-8
    assert (await edges.line(raw, signed=False)).status_code == 400
    assert await edges.dead() == [], "nothing unsigned is ever stored"
    assert (await edges.line(raw)).status_code == 200, "signed by LINE yet unreadable: kept, not retried forever"
    (kept,) = await edges.dead("line")
    assert kept.reason.startswith("not JSON") and "\\xff" in kept.payload
    assert tracebacks(caplog) == []


BAD_UPDATES: dict[str, Any] = {
    "text is a number": lambda: {**message_update(9001, "x"), "message": {**message_update(9001, "x")["message"],
                                                                          "text": 12}},
    "callback data is a list": lambda: _with(callback_update(9001, "c:help", 5), ("callback_query", "data"), ["x"]),
    "chat is a string": lambda: _with(message_update(9001, "x"), ("message", "chat"), "private"),
    "user id too big": lambda: _with(message_update(9001, "x"), ("message", "from", "id"), 2**64),
    "user id is text": lambda: _with(message_update(9001, "x"), ("message", "from", "id"), "700"),
    "NUL in text": lambda: message_update(9001, "a\x00b"),
    "lone surrogate in text": lambda: message_update(9001, "a\ud800b"),
    "first name is a number": lambda: _with(message_update(9001, "x"), ("message", "from", "first_name"), 5),
    "message is a list": lambda: {"update_id": next_update_id(), "message": []},
    "no chat": lambda: _without(message_update(9001, "x"), ("message", "chat")),
    "no update_id": lambda: _without(message_update(9001, "x"), ("update_id",)),
    "two kinds": lambda: {**message_update(9001, "x"), "edited_message": message_update(9001, "y")["message"]},
    "callback message without chat": lambda: _without(callback_update(9001, "c:help", 5),
                                                      ("callback_query", "message", "chat")),
    "not an object": lambda: [1, 2, 3],
    "nested 100 deep": lambda: {**message_update(9001, "x"), "extra": json.loads("[" * 100 + "]" * 100)},
}


def _with(update: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    holder = update
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return update


def _without(update: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    holder = update
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return update


async def test_telegram_updates_of_odd_shapes_are_kept_aside_and_answered_200(
        edges: Edges, caplog: pytest.LogCaptureFixture) -> None:
    for count, (name, build) in enumerate(BAD_UPDATES.items(), start=1):
        response = await edges.telegram(build())
        assert response.status_code == 200, name
        kept = await edges.dead("telegram")
        assert len(kept) == count, name
        good = message_update(9002, "/start")
        assert (await edges.telegram(good)).status_code == 200
        assert str(good["update_id"]) in await edges.claimed("telegram"), f"{name}: the next update goes on"
    assert tracebacks(caplog) == []


async def test_telegram_update_kinds_added_later_are_ignored_politely(edges: Edges) -> None:
    for kind in ("message_reaction", "business_message", "channel_post", "purchased_paid_media"):
        update = {"update_id": next_update_id(), kind: {"anything": [1, {"x": None}]}}
        assert (await edges.telegram(update)).status_code == 200
    assert await edges.dead() == []


@pytest.mark.parametrize("depth", [1_000, 100_000])
async def test_deeply_nested_json_is_never_a_5xx(edges: Edges, caplog: pytest.LogCaptureFixture, depth: int) -> None:
    deep = ("[" * depth + "]" * depth).encode()
    line = b'{"destination":"U0","events":[' + deep + b"]}"
    assert (await edges.line(line)).status_code == 200
    telegram = b'{"update_id":1,"message":' + deep + b"}"
    assert (await edges.telegram(telegram)).status_code == 200
    assert [row.reason for row in await edges.dead()] == ["not JSON: nested too deeply"] * 2
    assert tracebacks(caplog) == []


async def test_an_unavailable_database_answers_503_so_the_platform_redelivers(edges: Edges,
                                                                              tmp_path: Path) -> None:
    db = edges.db
    working = db.engine
    # A real engine that cannot connect: a port nobody listens on, or a file in a missing folder.
    broken = create_async_engine("sqlite+aiosqlite:///" + str(tmp_path / "missing" / "x.db") if db.is_sqlite
                                 else "postgresql+asyncpg://postgres@127.0.0.1:1/test")
    line_event = text_event(USER, "สวัสดี", None)
    update = message_update(9003, "/start")
    db.engine = broken
    try:
        assert (await edges.line(line_body(line_event))).status_code == 503
        assert (await edges.telegram(update)).status_code == 503
        assert (await edges.http.get("/healthz")).status_code == 503
    finally:
        db.engine = working
        await broken.dispose()
    assert (await edges.line(line_body(line_event))).status_code == 200
    assert (await edges.telegram(update)).status_code == 200
    assert line_event["webhookEventId"] in await edges.claimed("line")
    assert str(update["update_id"]) in await edges.claimed("telegram")
    assert await edges.dead() == [], "a transient failure is not a dead letter"


@pytest.mark.parametrize("path", ["/files/%00/x.xlsx", "/charts/%00.png", "/files/%ED%A0%80/x.xlsx",
                                  "/files/" + "a" * 5_000 + "/x.xlsx", "/charts/..%2F..%2Fetc.png",
                                  "/files/a%00b%00c%00d%00e%00f%00g%00h/x.xlsx"])
async def test_bad_link_tokens_are_404_never_5xx(edges: Edges, path: str, caplog: pytest.LogCaptureFixture) -> None:
    assert (await edges.http.get(path)).status_code == 404
    assert tracebacks(caplog) == []


async def test_a_body_over_the_limit_is_refused_with_413(edges: Edges) -> None:
    limit = edges.app.state.services.settings.max_body_bytes
    assert limit == 1_000_000
    big = line_body(text_event(USER, "x" * (limit + 1), None))
    assert (await edges.line(big)).status_code == 413

    async def chunks():  # no Content-Length: counted as it streams
        for _ in range(limit // 10_000 + 2):
            yield b" " * 10_000

    response = await edges.http.post("/webhooks/telegram", content=chunks(),
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
    assert response.status_code == 413
    assert (await edges.http.post("/healthz", content=b"x" * (limit + 1))).status_code == 413, "every route"
    assert await edges.dead() == []


async def test_the_body_limit_is_a_setting(database: Database, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    async with edge_server(database, tmp_path, monkeypatch, PMQA_MAX_BODY_BYTES="5000") as edges:
        event = text_event(USER, "สวัสดี", None)
        assert (await edges.line(line_body(event))).status_code == 200
        assert (await edges.line(line_body({**event, "pad": "x" * 5_000}))).status_code == 413
