"""The shape checks on their own: pure, and safe on any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.edges.shapes import (
    Accepted,
    Rejected,
    Unknown,
    check_line_event,
    check_telegram_update,
    clean_name,
    text_problem,
    too_deep,
)
from tests.fakes.line_webhook import text_event
from tests.fakes.telegram_updates import message_update

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=30)


def test_depth_is_measured_without_recursion() -> None:
    deep: list[object] = []
    for _ in range(200_000):  # far past Python's recursion limit
        deep = [deep]
    assert too_deep(deep)
    assert not too_deep({"a": [{"b": 1}]})


@settings(max_examples=100, deadline=None)
@given(raw=json_values | st.dictionaries(st.sampled_from(["type", "webhookEventId", "source", "message",
                                                           "postback", "update_id", "callback_query"]),
                                         json_values, max_size=5))
def test_any_value_gets_a_verdict_never_an_exception(raw: object) -> None:
    assert isinstance(check_line_event(raw), Accepted | Unknown | Rejected)
    assert isinstance(check_telegram_update(raw), Accepted | Unknown | Rejected)


def test_documented_shapes() -> None:
    good = text_event("U" + "a" * 32, "สวัสดี", None)
    assert check_line_event(good) == Accepted("message")
    assert isinstance(check_line_event({**good, "source": {"type": "user", "userId": "U" + "A" * 32}}), Rejected)
    assert check_telegram_update(message_update(42, "/start")) == Accepted("message")
    assert check_telegram_update({"update_id": 1, "chat_boost": {}}) == Unknown("chat_boost")
    assert isinstance(check_telegram_update({"update_id": True, "message": {}}), Rejected), "a bool is not an id"


def test_text_and_names() -> None:
    assert text_problem("ก" * 10, 10) is None
    assert text_problem("a\x00", 10) == "contains NUL"
    assert text_problem("a\udc80", 10) == "contains a lone surrogate"
    assert text_problem(5, 10) == "not a string but int"
    assert clean_name("  สม\x00หญิง\ud800 ") == "สมหญิง?"
    assert clean_name(7) is None and clean_name("   ") is None
    assert len(clean_name("x" * 10_000) or "") == 100
