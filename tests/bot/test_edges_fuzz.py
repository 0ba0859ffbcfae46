"""Fuzzing both webhooks with signed/authenticated hostile bodies, on SQLite and PostgreSQL.

Hypothesis breaks good events and updates field by field (wrong types, missing fields, huge strings,
deep nesting, lone surrogates, NUL, unknown kinds) and mixes them with good ones; a fixed corpus adds
what a generator rarely hits (invalid UTF-8, nesting past the parser's limit, forged postback data).
Whatever arrives: no 5xx, no traceback in the log, every good event beside the bad ones is stored,
and /healthz is healthy afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.database import Database
from tests.bot.edges_world import Edges, edge_server, tracebacks
from tests.fakes.line_webhook import follow_event, new_user_id, postback_event, text_event, unfollow_event
from tests.fakes.telegram_updates import callback_update, message_update

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
USERS = [new_user_id() for _ in range(3)]  # few people, so their events interleave on one session


@pytest.fixture
async def edges(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    async with edge_server(database, tmp_path, monkeypatch) as built:
        yield built


def _deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


hostile_text = st.text(st.characters(codec=None, categories=None), max_size=40) | st.sampled_from(
    ["\x00", "a\x00b", "\ud800", "x\udfff", "\ufeff", "=HYPERLINK(\"x\")", "ก" * 6_000, "x" * 200_000])
hostile = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    hostile_text, st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.integers(min_value=33, max_value=300).map(_deep),
)

LINE_PATHS = [("type",), ("mode",), ("timestamp",), ("webhookEventId",), ("deliveryContext",),
              ("deliveryContext", "isRedelivery"), ("source",), ("source", "type"), ("source", "userId"),
              ("replyToken",), ("message",), ("message", "type"), ("message", "text"), ("message", "id"),
              ("postback",), ("postback", "data"), ("follow",), ("extra",)]


def _good_line(draw: st.DrawFn) -> dict[str, Any]:
    user = draw(st.sampled_from(USERS))
    kind = draw(st.sampled_from(["text", "postback", "follow", "unfollow"]))
    text = draw(st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60))
    if kind == "text":
        return text_event(user, text, None)
    if kind == "postback":  # forged postback data: never rendered by us, answered politely
        return postback_event(user, draw(st.sampled_from([text[:300], "a:Q9.9Z:0:1", "a:Q1.1B:9:0", "c:forget",
                                                          "e:8", "a:Q1.1B:0:999999999"])), None)
    if kind == "follow":
        return follow_event(user, "reply-token")
    return unfollow_event(user)


def _mutate(draw: st.DrawFn, event: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        holder: Any = event
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if not isinstance(holder, dict):
            continue
        if draw(st.booleans()) and path[-1] in holder:
            del holder[path[-1]]
        else:
            holder[path[-1]] = draw(hostile)
    return event


@st.composite
def line_bodies(draw: st.DrawFn) -> tuple[list[Any], list[str]]:
    events: list[Any] = []
    good: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        event = _good_line(draw)
        if draw(st.booleans()):
            events.append(event)
            good.append(event["webhookEventId"])
        else:
            events.append(draw(st.one_of(st.just(_mutate(draw, event, LINE_PATHS)), hostile)))
    return events, good


def _body(events: list[Any]) -> bytes:
    try:
        return json.dumps({"destination": "U" + "0" * 32, "events": events}).encode()
    except RecursionError:  # deeper than json.dumps goes: the corpus covers that
        return json.dumps({"destination": "U" + "0" * 32, "events": []}).encode()


async def _healthy(edges: Edges, caplog: pytest.LogCaptureFixture) -> None:
    health = await edges.http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert tracebacks(caplog) == []


@FUZZ
@given(body=line_bodies())
async def test_line_fuzz(edges: Edges, caplog: pytest.LogCaptureFixture, body: tuple[list[Any], list[str]]) -> None:
    caplog.clear()  # one example's log: the fixture's capture spans all of them
    events, good = body
    raw = _body(events)
    response = await edges.line(raw)
    assert response.status_code == 200, (response.status_code, raw[:500])
    claimed = await edges.claimed("line")
    missing = [event_id for event_id in good if event_id not in claimed]
    assert missing == [], f"good events beside bad ones must be stored: {raw[:500]!r}"
    await _healthy(edges, caplog)


TELEGRAM_PATHS = [("update_id",), ("message",), ("message", "message_id"), ("message", "date"), ("message", "chat"),
                  ("message", "chat", "id"), ("message", "chat", "type"), ("message", "from"),
                  ("message", "from", "id"), ("message", "from", "is_bot"), ("message", "from", "first_name"),
                  ("message", "from", "last_name"), ("message", "text"), ("message", "entities"),
                  ("callback_query",), ("callback_query", "id"), ("callback_query", "data"),
                  ("callback_query", "from"), ("callback_query", "from", "id"), ("callback_query", "message"),
                  ("callback_query", "message", "chat"), ("callback_query", "message", "date"),
                  ("callback_query", "message", "text"), ("my_chat_member",), ("poll",), ("message_reaction",)]


@st.composite
def telegram_updates(draw: st.DrawFn) -> tuple[Any, bool]:
    chat = draw(st.integers(min_value=1, max_value=2**40))
    text = draw(st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60))
    if draw(st.booleans()):
        update = message_update(chat, text)
    else:  # forged callback data: at most 64 bytes as Telegram allows, never rendered by us
        update = callback_update(chat, text.encode()[:64].decode("utf-8", "ignore") or "x", 1)
    if draw(st.booleans()):
        return update, True
    return draw(st.one_of(st.just(_mutate(draw, update, TELEGRAM_PATHS)), hostile)), False


@FUZZ
@given(case=telegram_updates())
async def test_telegram_fuzz(edges: Edges, caplog: pytest.LogCaptureFixture, case: tuple[Any, bool]) -> None:
    caplog.clear()
    update, good = case
    try:
        raw = json.dumps(update).encode()
    except (RecursionError, ValueError):
        raw = b"{}"
    response = await edges.telegram(update if good else raw)
    assert response.status_code == 200, (response.status_code, raw[:500])
    if good:
        assert str(update["update_id"]) in await edges.claimed("telegram"), raw[:500]
    await _healthy(edges, caplog)


GOOD_USER = "U" + "c" * 32
CORPUS: dict[str, bytes] = {
    "invalid UTF-8": b'{"destination":"U0","events":[{"type":"message","x":"\xc3\x28"}]}',
    "truncated": b'{"destination":"U0","events":[{"type":"mess',
    "empty": b"",
    "null": b"null",
    "events is an object": b'{"events":{"0":{}}}',
    "a 5,000-digit number": b'{"events":[' + b"9" * 5_000 + b"]}",
    "nested 5,000 deep": b'{"events":[' + b"[" * 5_000 + b"]" * 5_000 + b"]}",
    "nested objects 2,000 deep": b'{"events":[' + b'{"a":' * 2_000 + b"1" + b"}" * 2_000 + b"]}",
    "a lone surrogate escape": b'{"events":[{"type":"message","source":{"type":"user","userId":"U\\ud800"}}]}',
    "NUL escape": b'{"events":[{"type":"message","message":{"type":"text","text":"\\u0000"}}]}',
    "UTF-16": json.dumps({"events": []}).encode("utf-16"),
    "BOM": b"\xef\xbb\xbf" + json.dumps({"events": []}).encode(),
}


@pytest.mark.parametrize("name", list(CORPUS))
async def test_hostile_bodies_from_the_corpus(edges: Edges, caplog: pytest.LogCaptureFixture, name: str) -> None:
    raw = CORPUS[name]
    assert (await edges.line(raw)).status_code == 200, name
    telegram = raw.replace(b'"events":', b'"update_id":1,"message":') if raw.startswith(b"{") else raw
    assert (await edges.telegram(telegram)).status_code == 200, name
    good = text_event(GOOD_USER, "สวัสดี", None)
    assert (await edges.line(json.dumps({"destination": "U0", "events": [good]}).encode())).status_code == 200
    assert good["webhookEventId"] in await edges.claimed("line")
    await _healthy(edges, caplog)
