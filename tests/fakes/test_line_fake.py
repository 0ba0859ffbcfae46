"""The fake LINE API and the webhook builders, exercised through the real line-bot-sdk (no internet)."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    FlexContainer,
    FlexMessage,
    ImageMessage,
    MessageAction,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    ShowLoadingAnimationRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    AudioMessageContent,
    FileMessageContent,
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
    VideoMessageContent,
)
from PIL import Image
from pydantic.v1 import ValidationError

from tests.fakes import line_webhook as wh
from tests.fakes.line_api import FakeLineApi, grapheme_len, image_size, utf16_len

USER = "U" + "1" * 32
OTHER = "U" + "2" * 32
SECRET = "channel-secret-for-tests"


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
async def fake(ticker: Ticker) -> AsyncIterator[FakeLineApi]:
    async with FakeLineApi(clock=ticker) as server:
        yield server
    assert server.server_errors == []


@pytest.fixture
async def client(fake: FakeLineApi) -> AsyncIterator[AsyncApiClient]:
    api_client = AsyncApiClient(Configuration(host=fake.base_url, access_token=fake.access_token))
    try:
        yield api_client
    finally:
        await api_client.close()


@pytest.fixture
def api(client: AsyncApiClient) -> AsyncMessagingApi:
    return AsyncMessagingApi(client)


@pytest.fixture
def blob(client: AsyncApiClient) -> AsyncMessagingApiBlob:
    return AsyncMessagingApiBlob(client)


def error_body(error: ApiException) -> dict[str, Any]:
    return json.loads(error.body)


def quick_reply(*labels: str) -> QuickReply:
    return QuickReply(
        items=[QuickReplyItem(action=PostbackAction(label=lb, data=f"a={i}", display_text=lb)) for i, lb in enumerate(labels)]
    )


async def raw_post(fake: FakeLineApi, path: str, payload: Any, **headers: str) -> tuple[int, dict[str, Any]]:
    """A request the SDK would refuse to build, sent straight to the fake."""
    hdrs = {"Authorization": f"Bearer {fake.access_token}", "Content-Type": "application/json", **headers}
    async with aiohttp.ClientSession() as session, session.post(fake.base_url + path, json=payload, headers=hdrs) as r:
        return r.status, await r.json()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 94, 184)).save(out, format="PNG")
    return out.getvalue()


# --- reply tokens ------------------------------------------------------------------------------
async def test_reply_succeeds_once_then_the_token_is_spent(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    token = fake.issue_reply_token(USER)
    request = ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="สวัสดีครับ"), TextMessage(text="เริ่มประเมิน")])

    response = await api.reply_message(request)

    assert len(response.sent_messages) == 2
    assert all(m.id and m.quote_token for m in response.sent_messages)
    assert [m["text"] for m in fake.sent_to(USER)] == ["สวัสดีครับ", "เริ่มประเมิน"]
    with pytest.raises(ApiException) as error:
        await api.reply_message(request)
    assert error.value.status == 400
    assert error_body(error.value) == {"message": "Invalid reply token"}
    assert len(fake.sent_to(USER)) == 2


async def test_expired_and_unknown_reply_tokens_are_refused(
    fake: FakeLineApi, api: AsyncMessagingApi, ticker: Ticker
) -> None:
    token = fake.issue_reply_token(USER, ttl=60.0)
    ticker.now += 60.0
    for stale in (token, "0" * 32):
        with pytest.raises(ApiException) as error:
            await api.reply_message(ReplyMessageRequest(reply_token=stale, messages=[TextMessage(text="ช้าไป")]))
        assert error.value.status == 400
        assert error_body(error.value)["message"] == "Invalid reply token"
    assert fake.sent_to(USER) == []
    assert fake.violations == []  # a dead token is not a malformed request


async def test_a_refused_reply_does_not_spend_the_token(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    token = fake.issue_reply_token(USER)
    with pytest.raises(ApiException):
        await api.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="ก" * 5001)]))
    await api.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="ก" * 5000)]))
    assert len(fake.sent_to(USER)) == 1


# --- retry keys ----------------------------------------------------------------------------------
async def test_push_retry_key_repeat_gets_409_with_the_accepted_request_id(
    fake: FakeLineApi, api: AsyncMessagingApi
) -> None:
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=USER, messages=[TextMessage(text="เตือนความจำ")])

    first = await api.push_message_with_http_info(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as error:
        await api.push_message(request, x_line_retry_key=key)

    assert error.value.status == 409
    assert error.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    body = error_body(error.value)
    assert body["message"] == "The retry key is already accepted"
    assert body["sentMessages"][0]["id"] == first.data.sent_messages[0].id
    assert fake.push_count == 1
    assert len(fake.sent_to(USER)) == 1
    assert fake.calls_to("/v2/bot/message/push")[0].headers["x-line-retry-key"] == key


async def test_multicast_counts_recipients_and_shares_retry_keys(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    key = str(uuid.uuid4())
    await api.multicast(MulticastRequest(to=[USER, OTHER], messages=[TextMessage(text="ถึงเวลาประเมิน")]), x_line_retry_key=key)
    with pytest.raises(ApiException) as error:
        await api.multicast(MulticastRequest(to=[USER, OTHER], messages=[TextMessage(text="ถึงเวลาประเมิน")]), x_line_retry_key=key)
    assert error.value.status == 409
    assert error.value.headers["x-line-accepted-request-id"]
    assert fake.multicast_recipients == 2
    assert fake.sent_to(OTHER) == [{"type": "text", "text": "ถึงเวลาประเมิน"}]


async def test_retry_key_must_be_a_uuid(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    with pytest.raises(ApiException) as error:
        await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]), x_line_retry_key="retry-1")
    assert error.value.status == 400
    assert error_body(error.value)["details"][0]["property"] == "X-Line-Retry-Key"
    assert fake.push_count == 0


async def test_sdk_refuses_501_multicast_recipients_before_any_request(fake: FakeLineApi) -> None:
    with pytest.raises(ValidationError):
        MulticastRequest(to=[f"U{i:032x}" for i in range(501)], messages=[TextMessage(text="x")])
    assert fake.calls == []


# --- message validation ---------------------------------------------------------------------------
async def test_thai_label_of_21_is_refused_by_the_fake_20_is_fine(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    ok, too_long = "ก" * 20, "ก" * 21
    await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="เลือก", quick_reply=quick_reply(ok))]))

    with pytest.raises(ApiException) as error:  # the SDK sent it: it does not check label length
        await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="เลือก", quick_reply=quick_reply(too_long))]))

    assert error.value.status == 400
    detail = error_body(error.value)["details"][0]
    assert detail["property"] == "messages[0].quickReply.items[0].action.label"
    assert fake.violations and "action.label" in fake.violations[0]
    assert fake.push_count == 1


async def test_labels_count_grapheme_clusters_so_thai_tone_marks_are_free(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    label = "ที่" * 20  # 60 code points, 20 grapheme clusters
    assert (len(label), utf16_len(label), grapheme_len(label)) == (60, 60, 20)
    await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="เลือก", quick_reply=quick_reply(label))]))
    with pytest.raises(ApiException):
        await api.push_message(
            PushMessageRequest(to=USER, messages=[TextMessage(text="เลือก", quick_reply=quick_reply(label + "ก"))])
        )


async def test_14_quick_reply_items_are_refused_by_the_sdk_before_any_request(fake: FakeLineApi) -> None:
    with pytest.raises(ValidationError, match="13"):
        TextMessage(text="เลือก", quick_reply=quick_reply(*[f"ข้อ {i}" for i in range(14)]))
    TextMessage(text="เลือก", quick_reply=quick_reply(*[f"ข้อ {i}" for i in range(13)]))
    assert fake.calls == []


async def test_14_quick_reply_items_sent_raw_are_refused_by_the_fake(fake: FakeLineApi) -> None:
    items = [{"type": "action", "action": {"type": "message", "label": f"ข้อ {i}", "text": str(i)}} for i in range(14)]
    status, body = await raw_post(
        fake, "/v2/bot/message/push", {"to": USER, "messages": [{"type": "text", "text": "x", "quickReply": {"items": items}}]}
    )
    assert status == 400
    assert body["details"][0]["property"] == "messages[0].quickReply.items"


async def test_non_https_image_is_refused(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    image = ImageMessage(original_content_url="http://charts.example/radar.png", preview_image_url="https://charts.example/s.png")
    with pytest.raises(ApiException) as error:
        await api.push_message(PushMessageRequest(to=USER, messages=[image]))
    assert error.value.status == 400
    assert error_body(error.value)["details"] == [
        {"message": "Must be an https URL", "property": "messages[0].originalContentUrl"}
    ]
    good = ImageMessage(original_content_url="https://charts.example/radar.png", preview_image_url="https://charts.example/s.png")
    await api.push_message(PushMessageRequest(to=USER, messages=[good]))


async def test_text_limit_is_5000_utf16_code_units(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="ก" * 5000)]))
    for text in ("ก" * 5001, "🍎" * 2501):  # 2,501 emoji are 5,002 code units
        with pytest.raises(ApiException) as error:
            await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text=text)]))
        assert error.value.status == 400
        assert error_body(error.value)["details"][0]["property"] == "messages[0].text"
    assert fake.push_count == 1


async def test_flex_message_is_checked(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    bubble = {
        "type": "bubble",
        "hero": {"type": "image", "url": "https://charts.example/radar.png"},
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "button", "action": {"type": "postback", "label": "ดูรายละเอียด", "data": "detail=1"}}],
        },
    }
    await api.push_message(
        PushMessageRequest(to=USER, messages=[FlexMessage(alt_text="ผลการประเมิน", contents=FlexContainer.from_dict(bubble))])
    )
    with pytest.raises(ApiException) as error:
        await api.push_message(
            PushMessageRequest(to=USER, messages=[FlexMessage(alt_text="ก" * 401, contents=FlexContainer.from_dict(bubble))])
        )
    assert error_body(error.value)["details"][0]["property"] == "messages[0].altText"
    bubble["hero"]["url"] = "http://charts.example/radar.png"
    with pytest.raises(ApiException) as error:
        await api.push_message(
            PushMessageRequest(to=USER, messages=[FlexMessage(alt_text="ผล", contents=FlexContainer.from_dict(bubble))])
        )
    assert error_body(error.value)["details"][0]["property"] == "messages[0].contents.hero.url"


def text_with_item(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "text", "text": "x", "quickReply": {"items": [item]}}]


def action_item(**action: Any) -> dict[str, Any]:
    return {"type": "action", "action": action}


@pytest.mark.parametrize(
    ("messages", "prop"),
    [
        ([{"type": "carousel-of-dreams"}], "messages[0].type"),
        ([{"type": "text", "text": "x"}] * 6, "messages"),
        ([], "messages"),
        ([{"type": "text", "text": ""}], "messages[0].text"),
        (
            text_with_item({"type": "button", "action": {"type": "message", "label": "a", "text": "a"}}),
            "messages[0].quickReply.items[0].type",
        ),
        (
            text_with_item(action_item(type="postback", label="a", data="d" * 301)),
            "messages[0].quickReply.items[0].action.data",
        ),
        (
            text_with_item(action_item(type="postback", label="a", data="d", displayText="ข" * 301)),
            "messages[0].quickReply.items[0].action.displayText",
        ),
        (text_with_item(action_item(type="message", text="a")), "messages[0].quickReply.items[0].action.label"),
        (
            [{"type": "image", "originalContentUrl": "https://a.example/" + "x" * 2000, "previewImageUrl": "https://a.example/p.png"}],
            "messages[0].originalContentUrl",
        ),
        ([{"type": "flex", "altText": "ผล"}], "messages[0].contents"),
    ],
)
async def test_broken_messages_get_400_with_details(fake: FakeLineApi, messages: list[Any], prop: str) -> None:
    status, body = await raw_post(fake, "/v2/bot/message/push", {"to": USER, "messages": messages})
    assert status == 400
    assert body["message"].startswith("The request body has")
    assert prop in [d["property"] for d in body["details"]]
    assert fake.violations
    assert fake.push_count == 0


# --- failures and rate limits ----------------------------------------------------------------------
async def test_fail_next_429_with_retry_after_then_success(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    fake.fail_next("/v2/bot/message/push", 429, retry_after=3)
    request = PushMessageRequest(to=USER, messages=[TextMessage(text="x")])
    with pytest.raises(ApiException) as error:
        await api.push_message(request, x_line_retry_key=(key := str(uuid.uuid4())))
    assert error.value.status == 429
    assert error.value.headers["Retry-After"] == "3"
    await api.push_message(request, x_line_retry_key=key)  # a refused request does not burn its retry key
    assert fake.push_count == 1
    assert [c.status for c in fake.calls_to("/push")] == [429, 200]


async def test_fail_next_5xx_several_times(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    fake.fail_next("/v2/bot/message/reply", 503, times=2)
    token = fake.issue_reply_token(USER)
    request = ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="x")])
    for _ in range(2):
        with pytest.raises(ApiException) as error:
            await api.reply_message(request)
        assert error.value.status == 503
    await api.reply_message(request)  # the token survived the injected failures
    assert len(fake.sent_to(USER)) == 1


async def test_rate_limit_per_endpoint(ticker: Ticker) -> None:
    async with FakeLineApi(rate_limits={"/v2/bot/message/multicast": 2}, clock=ticker) as fake:
        client = AsyncApiClient(Configuration(host=fake.base_url, access_token=fake.access_token))
        try:
            api = AsyncMessagingApi(client)
            request = MulticastRequest(to=[USER], messages=[TextMessage(text="x")])
            await api.multicast(request)
            await api.multicast(request)
            with pytest.raises(ApiException) as error:
                await api.multicast(request)
            assert error.value.status == 429
            await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]))  # other endpoint
            ticker.now += 1.0
            await api.multicast(request)
        finally:
            await client.close()
    assert len(fake.refused) == 1
    assert fake.refused[0].path == "/v2/bot/message/multicast"
    assert fake.multicast_recipients == 3


# --- other endpoints ------------------------------------------------------------------------------
async def test_profile_lookup(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    fake.set_profile(USER, "สมชาย ใจดี", picture_url="https://profile.example/u.jpg")
    profile = await api.get_profile(USER)
    assert (profile.user_id, profile.display_name, profile.language, profile.picture_url) == (
        USER, "สมชาย ใจดี", "th", "https://profile.example/u.jpg",
    )  # fmt: skip
    with pytest.raises(ApiException) as error:
        await api.get_profile(OTHER)
    assert error.value.status == 404


async def test_loading_animation(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    await api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=USER, loading_seconds=5))
    assert fake.calls_to("/chat/loading/start")[0].status == 202
    with pytest.raises(ApiException) as error:  # within the SDK's 5..60 but not a multiple of 5
        await api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=USER, loading_seconds=7))
    assert error.value.status == 400


def rich_menu(height: int = 843, label: str = "เริ่มประเมิน", areas: int = 2, chat_bar: str = "เมนู") -> RichMenuRequest:
    width = 2500 // areas
    return RichMenuRequest(
        size=RichMenuSize(width=2500, height=height),
        selected=True,
        name="PMQA main",
        chat_bar_text=chat_bar,
        areas=[
            RichMenuArea(
                bounds=RichMenuBounds(x=i * width, y=0, width=width, height=height),
                action=MessageAction(label=label, text=f"menu {i}"),
            )
            for i in range(areas)
        ],
    )


async def test_rich_menu_create_upload_and_set_default(
    fake: FakeLineApi, api: AsyncMessagingApi, blob: AsyncMessagingApiBlob
) -> None:
    menu_id = (await api.create_rich_menu(rich_menu())).rich_menu_id
    assert re.fullmatch(r"richmenu-[0-9a-f]{32}", menu_id)

    with pytest.raises(ApiException) as error:  # no image yet
        await api.set_default_rich_menu(menu_id)
    assert error.value.status == 400

    image = png(2500, 843)
    await blob.set_rich_menu_image(menu_id, image, _headers={"Content-Type": "image/png"})
    await api.set_default_rich_menu(menu_id)

    assert fake.rich_menu_images[menu_id] == ("image/png", image)
    assert fake.default_rich_menu_id == menu_id
    assert (await api.get_default_rich_menu_id()).rich_menu_id == menu_id
    assert [m.rich_menu_id for m in (await api.get_rich_menu_list()).richmenus] == [menu_id]
    assert await blob.get_rich_menu_image(menu_id) == image
    upload = fake.calls_to("/content")[0]
    assert (upload.method, upload.path, upload.headers["content-type"]) == (
        "POST", f"/v2/bot/richmenu/{menu_id}/content", "image/png",
    )  # fmt: skip

    await api.delete_rich_menu(menu_id)
    assert fake.rich_menus == {}
    assert fake.default_rich_menu_id is None


async def test_rich_menu_image_needs_an_explicit_content_type(
    fake: FakeLineApi, api: AsyncMessagingApi, blob: AsyncMessagingApiBlob
) -> None:
    menu_id = (await api.create_rich_menu(rich_menu())).rich_menu_id
    with pytest.raises(TypeError, match="JSON serializable"):  # the SDK defaults to application/json
        await blob.set_rich_menu_image(menu_id, png(2500, 843))
    with pytest.raises(ApiException) as error:  # image does not match the menu's size
        await blob.set_rich_menu_image(menu_id, png(2500, 1686), _headers={"Content-Type": "image/png"})
    assert error.value.status == 400
    assert len(fake.calls_to("/content")) == 1


@pytest.mark.parametrize(
    ("menu", "prop"),
    [
        (rich_menu(height=1000), "size"),
        (rich_menu(areas=21), "areas"),
        (rich_menu(label="ก" * 21), "areas[0].action.label"),
    ],
)
async def test_broken_rich_menus_are_refused(fake: FakeLineApi, api: AsyncMessagingApi, menu: RichMenuRequest, prop: str) -> None:
    with pytest.raises(ApiException) as error:
        await api.create_rich_menu(menu)
    assert error.value.status == 400
    assert prop in [d["property"] for d in error_body(error.value)["details"]]
    assert fake.rich_menus == {}


async def test_sdk_checks_chat_bar_text_length(fake: FakeLineApi) -> None:
    with pytest.raises(ValidationError):
        rich_menu(chat_bar="ก" * 15)
    assert fake.calls == []


async def test_wrong_or_missing_bearer_token_gets_401(fake: FakeLineApi) -> None:
    client = AsyncApiClient(Configuration(host=fake.base_url, access_token="not-the-token"))
    try:
        with pytest.raises(ApiException) as error:
            await AsyncMessagingApi(client).get_profile(USER)
    finally:
        await client.close()
    assert error.value.status == 401
    async with aiohttp.ClientSession() as session, session.get(f"{fake.base_url}/v2/bot/profile/{USER}") as r:
        assert r.status == 401
        assert "access token" in (await r.json())["message"]


async def test_calls_are_recorded(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    await api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]), _request_timeout=10)
    (call,) = fake.calls
    assert (call.method, call.path, call.status) == ("POST", "/v2/bot/message/push", 200)
    assert call.headers["authorization"] == f"Bearer {fake.access_token}"
    assert call.headers["user-agent"].startswith("line-bot-sdk-python/")
    assert call.json["messages"] == [{"type": "text", "text": "x"}]
    assert call.at == 1000.0


async def test_unknown_path_is_a_json_404(fake: FakeLineApi) -> None:
    status, body = await raw_post(fake, "/v2/bot/message/narrowcast", {})
    assert status == 404
    assert "message" in body


def test_grapheme_counting() -> None:
    assert [grapheme_len(s) for s in ("ที่", "ทำ", "สวัสดีครับ", "👍🏽", "👨‍👩‍👧", "🇹🇭🇯🇵", "한국어", "e\u0301", "a\r\nb")] == [
        1, 1, 7, 1, 1, 2, 3, 1, 3,
    ]  # fmt: skip
    assert utf16_len("🍎") == 2


# --- webhook bodies ---------------------------------------------------------------------------------
def parse(*events: dict[str, Any], destination: str = wh.DEFAULT_DESTINATION) -> list[Any]:
    raw = wh.body(*events, destination=destination)
    return WebhookParser(SECRET).parse(raw.decode("utf-8"), wh.sign(raw, SECRET))


def test_webhook_bodies_parse_into_the_sdk_event_classes() -> None:
    events = parse(
        wh.text_event(USER, "สวัสดี", "tok-1"),
        wh.postback_event(USER, "q=1&a=5", "tok-2", params={"date": "2026-11-24"}),
        wh.follow_event(USER, "tok-3"),
        wh.unfollow_event(USER),
        *(wh.message_event(USER, kind, f"tok-{kind}") for kind in wh.MESSAGE_KINDS),
    )
    assert [type(e) for e in events] == [MessageEvent, PostbackEvent, FollowEvent, UnfollowEvent] + [MessageEvent] * 6
    text, postback, follow, unfollow, sticker, image, video, audio, file, location = events
    assert isinstance(text.message, TextMessageContent) and text.message.text == "สวัสดี"
    assert text.reply_token == "tok-1" and text.message.quote_token
    assert postback.postback.data == "q=1&a=5" and postback.postback.params == {"date": "2026-11-24"}
    assert follow.reply_token == "tok-3" and follow.follow.is_unblocked is False
    assert isinstance(unfollow.source, UserSource) and unfollow.source.user_id == USER
    assert isinstance(sticker.message, StickerMessageContent) and sticker.message.sticker_resource_type == "STATIC"
    assert isinstance(image.message, ImageMessageContent) and image.message.content_provider.type == "line"
    assert isinstance(video.message, VideoMessageContent)
    assert isinstance(audio.message, AudioMessageContent)
    assert isinstance(file.message, FileMessageContent) and file.message.file_size == 2138
    assert isinstance(location.message, LocationMessageContent) and location.message.latitude == pytest.approx(13.7603)
    for event in events:
        assert event.mode.value == "active"
        assert event.delivery_context.is_redelivery is False
        assert len(event.webhook_event_id) == 26


def test_group_and_room_sources() -> None:
    group, room = parse(
        wh.text_event(USER, "ในกลุ่ม", "tok-g", source=wh.group_source("C" + "3" * 32, USER)),
        wh.postback_event(USER, "x=1", None, source=wh.room_source("R" + "4" * 32, USER)),
    )
    assert isinstance(group.source, GroupSource) and group.source.group_id == "C" + "3" * 32
    assert group.source.user_id == USER
    assert isinstance(room.source, RoomSource) and room.reply_token is None


def test_redelivery_keeps_the_event_id() -> None:
    original = wh.text_event(USER, "ซ้ำ", "tok")
    again = wh.redelivered(original)
    assert original["deliveryContext"]["isRedelivery"] is False
    (parsed,) = parse(again)
    assert parsed.delivery_context.is_redelivery is True
    assert parsed.webhook_event_id == original["webhookEventId"]


def test_event_ids_are_unique_ulids() -> None:
    ids = [wh.text_event(USER, "x", None, timestamp=1_764_000_000_000)["webhookEventId"] for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert ids == sorted(ids)
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)


def test_body_is_compact_utf8_json() -> None:
    raw = wh.body(wh.text_event(USER, "สวัสดี", "tok"))
    assert "สวัสดี".encode() in raw
    assert b": " not in raw and b", " not in raw
    payload = json.loads(raw)
    assert re.fullmatch(r"U[0-9a-f]{32}", payload["destination"])
    assert wh.body(destination=wh.DEFAULT_DESTINATION) == b'{"destination":"' + wh.DEFAULT_DESTINATION.encode() + b'","events":[]}'


def test_wrong_signature_is_rejected() -> None:
    raw = wh.body(wh.text_event(USER, "x", "tok"))
    parser = WebhookParser(SECRET)
    with pytest.raises(InvalidSignatureError):
        parser.parse(raw.decode(), wh.sign(raw, "another-secret"))
    with pytest.raises(InvalidSignatureError):
        parser.parse(raw.decode(), wh.sign(raw + b" ", SECRET))
    assert wh.signed_headers(raw, SECRET)["X-Line-Signature"] == wh.sign(raw, SECRET)


def test_image_size_reads_png_and_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGB", (2500, 1686), (255, 255, 255)).save(out, format="JPEG", quality=70)
    assert image_size(out.getvalue()) == ("image/jpeg", 2500, 1686)
    assert image_size(png(2500, 843)) == ("image/png", 2500, 843)
    assert image_size(b"GIF89a....") is None


async def test_reply_in_a_group_is_delivered_to_the_group(fake: FakeLineApi, api: AsyncMessagingApi) -> None:
    group = "C" + "3" * 32
    token = fake.issue_reply_token(group)
    await api.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="ทุกคน")]))
    assert fake.sent_to(group) == [{"type": "text", "text": "ทุกคน"}]
    assert [d.kind for d in fake.deliveries] == ["reply"]
