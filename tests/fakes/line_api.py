"""A fake LINE Messaging API on 127.0.0.1 for driving the real line-bot-sdk in tests.

Point the SDK at it with ``Configuration(host=fake.base_url, access_token=fake.access_token)``.
``AsyncApiClient`` uses ``configuration.host`` for *every* operation when it is set, including the
blob operations (``AsyncMessagingApiBlob``) that otherwise go to ``https://api-data.line.me``, so one
fake serves both hosts.  Upload a rich menu image with an explicit content type, because the SDK
does not set one and would try to JSON-encode the bytes::

    await blob.set_rich_menu_image(menu_id, png_bytes, _headers={"Content-Type": "image/png"})

Limits follow LINE's OpenAPI spec (/work/shared/line-openapi/messaging-api.yml) and the reference:
text is counted in UTF-16 code units; action labels, postback/message action texts and the rich
menu ``name``/``chatBarText`` are counted in grapheme clusters (LINE's "Counting characters in a
text" page), so a Thai label with tone marks may hold more than 20 code points.
"""

from __future__ import annotations

import json
import re
import secrets
import struct
import time
import unicodedata
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web

# --- limits (LINE Messaging API reference) ---------------------------------------------------
MAX_MESSAGES = 5
MAX_TEXT = 5000  # UTF-16 code units
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL = 20  # grapheme clusters: quick reply, templates, rich menu
MAX_LABEL_IMAGE_CAROUSEL = 12
MAX_LABEL_FLEX = 40  # flex button labels; from the action-object reference, not in the OpenAPI file
MAX_POSTBACK_DATA = 300  # UTF-16 code units
MAX_DISPLAY_TEXT = 300  # grapheme clusters
MAX_ACTION_TEXT = 300  # grapheme clusters (message action text)
MAX_URL = 2000
MAX_URI_ACTION = 1000
MAX_ALT_TEXT = 400  # the brief's limit; newer references allow 1500 for flex
MAX_MULTICAST = 500
MAX_RICH_MENU_AREAS = 20
MAX_CHAT_BAR_TEXT = 14
MAX_RICH_MENU_NAME = 300
RICH_MENU_WIDTH = 2500
RICH_MENU_HEIGHTS = (1686, 843)
MAX_RICH_MENU_IMAGE = 1024 * 1024

MESSAGE_TYPES = frozenset(
    {"text", "textV2", "sticker", "image", "video", "audio", "location", "imagemap", "template", "flex", "coupon"}
)
ACTION_TYPES = frozenset(
    {"postback", "message", "uri", "datetimepicker", "camera", "cameraRoll", "location", "richmenuswitch", "clipboard"}
)
QUOTABLE_TYPES = frozenset({"text", "textV2", "sticker", "image", "video"})
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

UNAUTHORIZED = "Authentication failed. Confirm that the access token in the authorization header is valid."
RATE_LIMITED = "The API rate limit has been exceeded. Try again later."


# --- character counting ------------------------------------------------------------------------
def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as LINE counts message text (🍎 counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _is_extend(cp: int, cat: str) -> bool:
    return (
        cat in ("Mn", "Me")
        or cp == 0x200C
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences
    )


def _is_spacing_mark(cp: int, cat: str) -> bool:
    return cat == "Mc" or cp in (0x0E33, 0x0EB3)  # THAI / LAO SARA AM


def _is_control(cp: int, cat: str) -> bool:
    return cat in ("Cc", "Zl", "Zp") or (cat == "Cf" and cp not in (0x200C, 0x200D) and not 0xE0020 <= cp <= 0xE007F)


def _is_pictographic(cp: int, cat: str) -> bool:
    return cat == "So" or 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF


def _hangul(cp: int) -> str:
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def grapheme_len(text: str) -> int:
    """Number of extended grapheme clusters (UAX #29, the rules that matter for Thai, emoji and Hangul).

    Thai tone marks and above/below vowels (Mn) and SARA AM join the preceding consonant, so
    "ที่" and "ทำ" are one each; ZWJ emoji sequences, flags and skin tones are one each.
    """
    count = 0
    prev_cp, prev_cat = -1, ""
    ri_run = 0  # regional indicators ending at the previous character
    pict = ""  # "pict" after ExtPict Extend*, "zwj" after ExtPict Extend* ZWJ
    for ch in text:
        cp, cat = ord(ch), unicodedata.category(ch)
        is_ri = 0x1F1E6 <= cp <= 0x1F1FF
        if prev_cp < 0:
            join = False
        elif prev_cp == 0x0D and cp == 0x0A:
            join = True
        elif prev_cp in (0x0D, 0x0A) or _is_control(prev_cp, prev_cat) or cp in (0x0D, 0x0A) or _is_control(cp, cat):
            join = False
        elif (h1 := _hangul(prev_cp)) and (h2 := _hangul(cp)):
            join = (
                (h1 == "L" and h2 in ("L", "V", "LV", "LVT"))
                or (h1 in ("LV", "V") and h2 in ("V", "T"))
                or (h1 in ("LVT", "T") and h2 == "T")
            )
        elif (
            _is_extend(cp, cat)
            or cp == 0x200D
            or _is_spacing_mark(cp, cat)  # GB9, GB9a
            or (pict == "zwj" and _is_pictographic(cp, cat))  # GB11: emoji ZWJ sequences
        ):
            join = True
        else:
            join = is_ri and ri_run % 2 == 1
        if not join:
            count += 1
        ri_run = ri_run + 1 if is_ri else 0
        if _is_pictographic(cp, cat):
            pict = "pict"
        elif cp == 0x200D and pict == "pict":
            pict = "zwj"
        elif not (pict == "pict" and _is_extend(cp, cat)):
            pict = ""
        prev_cp, prev_cat = cp, cat
    return count


# --- records -----------------------------------------------------------------------------------
@dataclass
class Call:
    """One request the fake received.  Header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    body: bytes
    at: float
    request_id: str
    status: int | None = None


@dataclass
class Delivery:
    """Messages the fake accepted for one recipient (a reply, a push, or one multicast recipient)."""

    kind: str  # "reply" | "push" | "multicast"
    to: str
    messages: list[dict[str, Any]]
    at: float
    request_id: str
    retry_key: str | None = None


@dataclass
class _Failure:
    path_suffix: str
    status: int
    remaining: int
    retry_after: float | str | None


@dataclass
class _ReplyToken:
    user_id: str
    expires_at: float
    used: bool = False


@dataclass
class _Accepted:
    request_id: str
    sent_messages: list[dict[str, str]] | None


class ApiError(Exception):
    """Raised inside a handler; turned into a LINE-shaped JSON error response."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


Problems = list[tuple[str, str]]  # (property, message)


# --- message validation --------------------------------------------------------------------------
def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _check_len(problems: Problems, prop: str, value: Any, lo: int, hi: int, *, graphemes: bool = False) -> None:
    if not _is_str(value):
        problems.append((prop, "Must be a string"))
        return
    n = grapheme_len(value) if graphemes else utf16_len(value)
    if not lo <= n <= hi:
        unit = "grapheme clusters" if graphemes else "characters"
        problems.append((prop, f"Length must be between {lo} and {hi} {unit} (got {n})"))


def _check_https(problems: Problems, prop: str, value: Any, *, required: bool = True, max_len: int = MAX_URL) -> None:
    if value is None:
        if required:
            problems.append((prop, "Must be specified"))
        return
    if not _is_str(value):
        problems.append((prop, "Must be a string"))
        return
    if not value.startswith("https://"):
        problems.append((prop, "Must be an https URL"))
    if len(value) > max_len:
        problems.append((prop, f"Length must be at most {max_len} (got {len(value)})"))


def validate_action(action: Any, prop: str, *, label_required: bool, label_max: int = MAX_LABEL) -> Problems:
    """Check an action object (quick reply, template, flex, rich menu)."""
    problems: Problems = []
    if not isinstance(action, dict):
        return [(prop, "Must be an action object")]
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        problems.append((f"{prop}.type", f"Invalid action type: {kind!r}"))
    label = action.get("label")
    if label is None:
        if label_required:
            problems.append((f"{prop}.label", "Must be specified"))
    else:
        _check_len(problems, f"{prop}.label", label, 1, label_max, graphemes=True)
    if kind == "postback":
        data = action.get("data")
        if data is None:
            problems.append((f"{prop}.data", "Must be specified"))
        else:
            _check_len(problems, f"{prop}.data", data, 0, MAX_POSTBACK_DATA)
        for name in ("displayText", "text", "fillInText"):
            if action.get(name) is not None:
                _check_len(problems, f"{prop}.{name}", action[name], 1, MAX_DISPLAY_TEXT, graphemes=True)
        option = action.get("inputOption")
        if option is not None and option not in ("closeRichMenu", "openRichMenu", "openKeyboard", "openVoice"):
            problems.append((f"{prop}.inputOption", f"Invalid value: {option!r}"))
    elif kind == "message":
        if action.get("text") is None:
            problems.append((f"{prop}.text", "Must be specified"))
        else:
            _check_len(problems, f"{prop}.text", action["text"], 1, MAX_ACTION_TEXT, graphemes=True)
    elif kind == "uri":
        uri = action.get("uri")
        if not _is_str(uri) or not re.match(r"^(https?|line|tel):", uri):
            problems.append((f"{prop}.uri", "Must be an http, https, line or tel URI"))
        elif len(uri) > MAX_URI_ACTION:
            problems.append((f"{prop}.uri", f"Length must be at most {MAX_URI_ACTION}"))
    elif kind == "datetimepicker":
        if action.get("mode") not in ("date", "time", "datetime"):
            problems.append((f"{prop}.mode", "Must be date, time or datetime"))
        if action.get("data") is not None:
            _check_len(problems, f"{prop}.data", action["data"], 0, MAX_POSTBACK_DATA)
    elif kind == "richmenuswitch":
        if not _is_str(action.get("richMenuAliasId")):
            problems.append((f"{prop}.richMenuAliasId", "Must be specified"))
        if action.get("data") is None:
            problems.append((f"{prop}.data", "Must be specified"))
        else:
            _check_len(problems, f"{prop}.data", action["data"], 0, MAX_POSTBACK_DATA)
    elif kind == "clipboard":
        _check_len(problems, f"{prop}.clipboardText", action.get("clipboardText"), 1, 1000)
    return problems


def _validate_quick_reply(quick_reply: Any, prop: str) -> Problems:
    if not isinstance(quick_reply, dict):
        return [(prop, "Must be an object")]
    items = quick_reply.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_QUICK_REPLY_ITEMS:
        size = len(items) if isinstance(items, list) else "none"
        return [(f"{prop}.items", f"Size must be between 1 and {MAX_QUICK_REPLY_ITEMS} (got {size})")]
    problems: Problems = []
    for i, item in enumerate(items):
        iprop = f"{prop}.items[{i}]"
        if not isinstance(item, dict):
            problems.append((iprop, "Must be an object"))
            continue
        if item.get("type") != "action":
            problems.append((f"{iprop}.type", "Must be 'action'"))
        if item.get("imageUrl") is not None:
            _check_https(problems, f"{iprop}.imageUrl", item["imageUrl"], max_len=1000)
        if "action" not in item:
            problems.append((f"{iprop}.action", "Must be specified"))
        else:
            problems += validate_action(item["action"], f"{iprop}.action", label_required=True)
    return problems


def _walk_flex(node: Any, prop: str, problems: Problems) -> None:
    if isinstance(node, list):
        for i, child in enumerate(node):
            _walk_flex(child, f"{prop}[{i}]", problems)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "button" and "action" not in node:
        problems.append((f"{prop}.action", "Must be specified"))
    if kind == "image":
        _check_https(problems, f"{prop}.url", node.get("url"))
    for key, value in node.items():
        if key == "action":
            problems += validate_action(value, f"{prop}.action", label_required=kind == "button", label_max=MAX_LABEL_FLEX)
        elif isinstance(value, dict | list):
            _walk_flex(value, f"{prop}.{key}", problems)


def _validate_flex_container(contents: Any, prop: str) -> Problems:
    if not isinstance(contents, dict):
        return [(prop, "Must be specified")]
    problems: Problems = []
    kind = contents.get("type")
    if kind == "carousel":
        bubbles = contents.get("contents")
        if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= 12:
            problems.append((f"{prop}.contents", "Size must be between 1 and 12"))
        elif any(not isinstance(b, dict) or b.get("type") != "bubble" for b in bubbles):
            problems.append((f"{prop}.contents", "A carousel holds bubbles only"))
    elif kind != "bubble":
        problems.append((f"{prop}.type", "Must be 'bubble' or 'carousel'"))
    _walk_flex(contents, prop, problems)
    return problems


def _validate_template(template: Any, prop: str) -> Problems:
    if not isinstance(template, dict):
        return [(prop, "Must be specified")]
    problems: Problems = []
    kind = template.get("type")
    if kind not in ("buttons", "confirm", "carousel", "image_carousel"):
        return [(f"{prop}.type", f"Invalid template type: {kind!r}")]
    label_max = MAX_LABEL_IMAGE_CAROUSEL if kind == "image_carousel" else MAX_LABEL

    def actions(owner: dict[str, Any], oprop: str, lo: int, hi: int) -> None:
        acts = owner.get("actions")
        if not isinstance(acts, list) or not lo <= len(acts) <= hi:
            problems.append((f"{oprop}.actions", f"Size must be between {lo} and {hi}"))
            return
        for i, act in enumerate(acts):
            problems.extend(validate_action(act, f"{oprop}.actions[{i}]", label_required=True))

    if kind == "buttons":
        actions(template, prop, 1, 4)
    elif kind == "confirm":
        actions(template, prop, 2, 2)
    else:
        columns = template.get("columns")
        if not isinstance(columns, list) or not 1 <= len(columns) <= 10:
            problems.append((f"{prop}.columns", "Size must be between 1 and 10"))
            return problems
        for i, column in enumerate(columns):
            cprop = f"{prop}.columns[{i}]"
            if not isinstance(column, dict):
                problems.append((cprop, "Must be an object"))
            elif kind == "carousel":
                actions(column, cprop, 1, 3)
            else:
                problems += validate_action(
                    column.get("action"), f"{cprop}.action", label_required=False, label_max=label_max
                )
    if isinstance(template.get("defaultAction"), dict):
        problems += validate_action(template["defaultAction"], f"{prop}.defaultAction", label_required=False)
    return problems


def validate_message(message: Any, prop: str) -> Problems:
    """Check one message object against LINE's documented limits."""
    if not isinstance(message, dict):
        return [(prop, "Must be a message object")]
    problems: Problems = []
    kind = message.get("type")
    if kind not in MESSAGE_TYPES:
        return [(f"{prop}.type", f"Invalid message type: {kind!r}")]
    if kind in ("text", "textV2"):
        _check_len(problems, f"{prop}.text", message.get("text"), 1, MAX_TEXT)
    elif kind == "sticker":
        for name in ("packageId", "stickerId"):
            if not _is_str(message.get(name)):
                problems.append((f"{prop}.{name}", "Must be specified"))
    elif kind in ("image", "video"):
        _check_https(problems, f"{prop}.originalContentUrl", message.get("originalContentUrl"))
        _check_https(problems, f"{prop}.previewImageUrl", message.get("previewImageUrl"))
    elif kind == "audio":
        _check_https(problems, f"{prop}.originalContentUrl", message.get("originalContentUrl"))
        if not isinstance(message.get("duration"), int):
            problems.append((f"{prop}.duration", "Must be specified"))
    elif kind == "location":
        _check_len(problems, f"{prop}.title", message.get("title"), 1, 100)
        _check_len(problems, f"{prop}.address", message.get("address"), 1, 100)
        for name in ("latitude", "longitude"):
            if not isinstance(message.get(name), int | float):
                problems.append((f"{prop}.{name}", "Must be a number"))
    elif kind == "imagemap":
        _check_https(problems, f"{prop}.baseUrl", message.get("baseUrl"))
        _check_len(problems, f"{prop}.altText", message.get("altText"), 1, MAX_ALT_TEXT)
        if not isinstance(message.get("baseSize"), dict):
            problems.append((f"{prop}.baseSize", "Must be specified"))
        acts = message.get("actions")
        if not isinstance(acts, list) or len(acts) > 50:
            problems.append((f"{prop}.actions", "Size must be between 0 and 50"))
    elif kind == "template":
        _check_len(problems, f"{prop}.altText", message.get("altText"), 1, MAX_ALT_TEXT)
        problems += _validate_template(message.get("template"), f"{prop}.template")
    elif kind == "flex":
        _check_len(problems, f"{prop}.altText", message.get("altText"), 1, MAX_ALT_TEXT)
        problems += _validate_flex_container(message.get("contents"), f"{prop}.contents")
    elif kind == "coupon" and not _is_str(message.get("couponId")):
        problems.append((f"{prop}.couponId", "Must be specified"))
    if message.get("quickReply") is not None:
        problems += _validate_quick_reply(message["quickReply"], f"{prop}.quickReply")
    return problems


def validate_messages(messages: Any, prop: str = "messages") -> Problems:
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        size = len(messages) if isinstance(messages, list) else "none"
        return [(prop, f"Size must be between 1 and {MAX_MESSAGES} (got {size})")]
    problems: Problems = []
    for i, message in enumerate(messages):
        problems += validate_message(message, f"{prop}[{i}]")
    return problems


def validate_rich_menu(menu: Any) -> Problems:
    if not isinstance(menu, dict):
        return [("", "Must be a rich menu object")]
    problems: Problems = []
    size = menu.get("size")
    if not isinstance(size, dict) or size.get("width") != RICH_MENU_WIDTH or size.get("height") not in RICH_MENU_HEIGHTS:
        problems.append(("size", f"Must be {RICH_MENU_WIDTH}x1686 or {RICH_MENU_WIDTH}x843 (got {size!r})"))
    if not isinstance(menu.get("selected"), bool):
        problems.append(("selected", "Must be specified"))
    _check_len(problems, "name", menu.get("name"), 1, MAX_RICH_MENU_NAME, graphemes=True)
    _check_len(problems, "chatBarText", menu.get("chatBarText"), 1, MAX_CHAT_BAR_TEXT, graphemes=True)
    areas = menu.get("areas")
    if not isinstance(areas, list) or not 1 <= len(areas) <= MAX_RICH_MENU_AREAS:
        size_ = len(areas) if isinstance(areas, list) else "none"
        problems.append(("areas", f"Size must be between 1 and {MAX_RICH_MENU_AREAS} (got {size_})"))
        return problems
    for i, area in enumerate(areas):
        aprop = f"areas[{i}]"
        if not isinstance(area, dict):
            problems.append((aprop, "Must be an object"))
            continue
        bounds = area.get("bounds")
        if not isinstance(bounds, dict) or not all(isinstance(bounds.get(k), int) for k in ("x", "y", "width", "height")):
            problems.append((f"{aprop}.bounds", "x, y, width and height must be integers"))
        elif bounds["x"] < 0 or bounds["y"] < 0 or bounds["width"] < 1 or bounds["height"] < 1:
            problems.append((f"{aprop}.bounds", "Out of range"))
        problems += validate_action(area.get("action"), f"{aprop}.action", label_required=False)
    return problems


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(mime type, width, height) of a PNG or JPEG, or None when it is neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return "image/jpeg", width, height
            i += 2 + length
    return None


# --- the fake server ---------------------------------------------------------------------------
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CALL = web.RequestKey("call", Call)


class FakeLineApi:
    """In-process stand-in for api.line.me and api-data.line.me (see the module docstring)."""

    def __init__(
        self,
        access_token: str = "test-token",
        *,
        rate_limits: Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
    ) -> None:
        self.access_token = access_token
        self.rate_limits = dict(rate_limits or {})
        self.clock = clock
        self.host = host
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []
        self.violations: list[str] = []
        self.refused: list[Call] = []
        self.server_errors: list[Exception] = []
        self.push_count = 0
        self.multicast_recipients = 0
        self.profiles: dict[str, dict[str, str]] = {}
        self.rich_menus: dict[str, dict[str, Any]] = {}
        self.rich_menu_images: dict[str, tuple[str, bytes]] = {}
        self.default_rich_menu_id: str | None = None
        self._reply_tokens: dict[str, _ReplyToken] = {}
        self._retry_keys: dict[str, _Accepted] = {}
        self._failures: list[_Failure] = []
        self._windows: dict[str, deque[float]] = {}
        self._message_seq = 600_000_000_000_000_000
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # lifecycle
    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeLineApi already started")
        runner = web.AppRunner(self._build_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeLineApi not started")
        return f"http://{self.host}:{self._port}"

    # test controls
    def issue_reply_token(self, user_id: str, ttl: float = 60.0) -> str:
        """A single-use reply token for `user_id` (or a group/room id), valid for `ttl` seconds of `clock`."""
        token = secrets.token_hex(16)
        self._reply_tokens[token] = _ReplyToken(user_id, self.clock() + ttl)
        return token

    def set_profile(
        self,
        user_id: str,
        display_name: str,
        *,
        picture_url: str | None = None,
        language: str | None = "th",
        status_message: str | None = None,
    ) -> None:
        profile = {"userId": user_id, "displayName": display_name}
        if picture_url is not None:
            profile["pictureUrl"] = picture_url
        if status_message is not None:
            profile["statusMessage"] = status_message
        if language is not None:
            profile["language"] = language
        self.profiles[user_id] = profile

    def fail_next(
        self, path_suffix: str, status: int, times: int = 1, retry_after: float | str | None = None
    ) -> None:
        """Answer the next `times` requests whose path ends with `path_suffix` with `status`."""
        self._failures.append(_Failure(path_suffix, status, times, retry_after))

    # inspection
    def calls_to(self, path_suffix: str) -> list[Call]:
        return [c for c in self.calls if c.path.endswith(path_suffix)]

    def sent_to(self, user_id: str) -> list[dict[str, Any]]:
        """Every message accepted for `user_id`, in order: replies (by token owner), pushes, multicasts."""
        return [m for d in self.deliveries if d.to == user_id for m in d.messages]

    # app
    def _build_app(self) -> web.Application:
        @web.middleware
        async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._handle(request, handler)

        app = web.Application(middlewares=[middleware], client_max_size=4 * MAX_RICH_MENU_IMAGE)
        routes = [
            ("POST", "/v2/bot/message/reply", self._reply),
            ("POST", "/v2/bot/message/push", self._push),
            ("POST", "/v2/bot/message/multicast", self._multicast),
            ("GET", "/v2/bot/profile/{userId}", self._profile),
            ("POST", "/v2/bot/chat/loading/start", self._loading),
            ("POST", "/v2/bot/richmenu", self._create_rich_menu),
            ("POST", "/v2/bot/richmenu/validate", self._validate_rich_menu),
            ("GET", "/v2/bot/richmenu/list", self._list_rich_menus),
            ("POST", "/v2/bot/richmenu/{richMenuId}/content", self._upload_rich_menu_image),
            ("GET", "/v2/bot/richmenu/{richMenuId}/content", self._download_rich_menu_image),
            ("GET", "/v2/bot/richmenu/{richMenuId}", self._get_rich_menu),
            ("DELETE", "/v2/bot/richmenu/{richMenuId}", self._delete_rich_menu),
            ("POST", "/v2/bot/user/all/richmenu/{richMenuId}", self._set_default_rich_menu),
            ("GET", "/v2/bot/user/all/richmenu", self._get_default_rich_menu),
            ("DELETE", "/v2/bot/user/all/richmenu", self._clear_default_rich_menu),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        return app

    async def _handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        raw = await request.read()
        parsed: Any = None
        if raw and "json" in request.headers.get("Content-Type", ""):
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        request_id = str(uuid.uuid4())
        call = Call(
            method=request.method,
            path=request.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=parsed,
            body=raw,
            at=self.clock(),
            request_id=request_id,
        )
        self.calls.append(call)
        request[CALL] = call
        try:
            response = await self._gate(request, handler, call)
        except ApiError as error:
            body: dict[str, Any] = {"message": error.message}
            if error.details:
                body["details"] = error.details
            body.update(error.extra)
            response = web.json_response(body, status=error.status, headers=error.headers)
        except web.HTTPException as error:  # unknown path or method
            response = web.json_response({"message": error.reason}, status=error.status)
        except Exception as error:  # a bug in the fake: answer 500 and keep it for the test to see
            self.server_errors.append(error)
            response = web.json_response({"message": f"fake LINE API error: {error!r}"}, status=500)
        response.headers["X-Line-Request-Id"] = request_id
        call.status = response.status
        return response

    async def _gate(self, request: web.Request, handler: Handler, call: Call) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            raise ApiError(401, UNAUTHORIZED)
        for failure in self._failures:
            if failure.remaining > 0 and request.path.endswith(failure.path_suffix):
                failure.remaining -= 1
                headers = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
                message = RATE_LIMITED if failure.status == 429 else f"Injected failure {failure.status}"
                raise ApiError(failure.status, message, headers=headers)
        self._check_rate(request, call)
        return await handler(request)

    def _check_rate(self, request: web.Request, call: Call) -> None:
        info = request.match_info.route.resource
        canonical = info.canonical if info is not None else request.path
        for key, limit in self.rate_limits.items():
            if key not in (request.path, canonical):
                continue
            window = self._windows.setdefault(key, deque())
            now = self.clock()
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                self.refused.append(call)
                raise ApiError(429, RATE_LIMITED)
            window.append(now)

    # helpers
    def _refuse(self, request: web.Request, problems: Iterable[tuple[str, str]], status: int = 400) -> ApiError:
        details = [{"message": message, "property": prop} for prop, message in problems]
        for d in details:
            self.violations.append(f"{request.method} {request.path}: {d['property']}: {d['message']}")
        return ApiError(status, f"The request body has {len(details)} error(s)", details)

    def _json_object(self, request: web.Request) -> dict[str, Any]:
        call = request[CALL]
        if not isinstance(call.json, dict):
            raise self._refuse(request, [("", "The request body must be a JSON object")])
        return call.json

    def _sent_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, str]]:
        sent = []
        for message in messages:
            self._message_seq += 1
            entry = {"id": str(self._message_seq)}
            if message.get("type") in QUOTABLE_TYPES:
                entry["quoteToken"] = secrets.token_urlsafe(24)
            sent.append(entry)
        return sent

    def _retry_key(self, request: web.Request) -> str | None:
        key = request.headers.get("X-Line-Retry-Key")
        if key is None:
            return None
        if not _UUID.match(key):
            raise self._refuse(request, [("X-Line-Retry-Key", "The retry key must be a UUID")])
        accepted = self._retry_keys.get(key)
        if accepted is not None:
            extra = {} if accepted.sent_messages is None else {"sentMessages": accepted.sent_messages}
            raise ApiError(
                409,
                "The retry key is already accepted",
                headers={"x-line-accepted-request-id": accepted.request_id},
                extra=extra,
            )
        return key

    # messaging
    async def _reply(self, request: web.Request) -> web.Response:
        body = self._json_object(request)
        problems = validate_messages(body.get("messages"))
        if not _is_str(body.get("replyToken")):
            problems.insert(0, ("replyToken", "Must be specified"))
        if problems:
            raise self._refuse(request, problems)
        token = self._reply_tokens.get(body["replyToken"])
        if token is None or token.used or self.clock() >= token.expires_at:
            raise ApiError(400, "Invalid reply token")
        token.used = True
        call = request[CALL]
        self.deliveries.append(Delivery("reply", token.user_id, body["messages"], call.at, call.request_id))
        return web.json_response({"sentMessages": self._sent_messages(body["messages"])})

    async def _push(self, request: web.Request) -> web.Response:
        key = self._retry_key(request)
        body = self._json_object(request)
        problems = validate_messages(body.get("messages"))
        if not _is_str(body.get("to")) or not body["to"]:
            problems.insert(0, ("to", "Must be specified"))
        if problems:
            raise self._refuse(request, problems)
        call = request[CALL]
        sent = self._sent_messages(body["messages"])
        if key is not None:
            self._retry_keys[key] = _Accepted(call.request_id, sent)
        self.push_count += 1
        self.deliveries.append(Delivery("push", body["to"], body["messages"], call.at, call.request_id, key))
        return web.json_response({"sentMessages": sent})

    async def _multicast(self, request: web.Request) -> web.Response:
        key = self._retry_key(request)
        body = self._json_object(request)
        problems = validate_messages(body.get("messages"))
        to = body.get("to")
        if not isinstance(to, list) or not 1 <= len(to) <= MAX_MULTICAST or not all(_is_str(u) for u in to):
            size = len(to) if isinstance(to, list) else "none"
            problems.insert(0, ("to", f"Size must be between 1 and {MAX_MULTICAST} user ids (got {size})"))
        if problems:
            raise self._refuse(request, problems)
        call = request[CALL]
        if key is not None:
            self._retry_keys[key] = _Accepted(call.request_id, None)
        self.multicast_recipients += len(to)
        for user_id in to:
            self.deliveries.append(Delivery("multicast", user_id, body["messages"], call.at, call.request_id, key))
        return web.json_response({})

    async def _profile(self, request: web.Request) -> web.Response:
        profile = self.profiles.get(request.match_info["userId"])
        if profile is None:
            raise ApiError(404, "Not found")
        return web.json_response(profile)

    async def _loading(self, request: web.Request) -> web.Response:
        body = self._json_object(request)
        problems: Problems = []
        if not _is_str(body.get("chatId")) or not body["chatId"]:
            problems.append(("chatId", "Must be specified"))
        seconds = body.get("loadingSeconds", 20)
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            problems.append(("loadingSeconds", "Must be a multiple of 5 between 5 and 60"))
        if problems:
            raise self._refuse(request, problems)
        return web.json_response({}, status=202)

    # rich menus
    def _menu(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        menu_id = request.match_info["richMenuId"]
        menu = self.rich_menus.get(menu_id)
        if menu is None:
            raise ApiError(404, "Not found")
        return menu_id, menu

    async def _create_rich_menu(self, request: web.Request) -> web.Response:
        body = self._json_object(request)
        problems = validate_rich_menu(body)
        if problems:
            raise self._refuse(request, problems)
        menu_id = f"richmenu-{secrets.token_hex(16)}"
        self.rich_menus[menu_id] = {"richMenuId": menu_id, **body}
        return web.json_response({"richMenuId": menu_id})

    async def _validate_rich_menu(self, request: web.Request) -> web.Response:
        problems = validate_rich_menu(self._json_object(request))
        if problems:
            raise self._refuse(request, problems)
        return web.json_response({})

    async def _list_rich_menus(self, request: web.Request) -> web.Response:
        return web.json_response({"richmenus": list(self.rich_menus.values())})

    async def _get_rich_menu(self, request: web.Request) -> web.Response:
        return web.json_response(self._menu(request)[1])

    async def _delete_rich_menu(self, request: web.Request) -> web.Response:
        menu_id, _ = self._menu(request)
        del self.rich_menus[menu_id]
        self.rich_menu_images.pop(menu_id, None)
        if self.default_rich_menu_id == menu_id:
            self.default_rich_menu_id = None
        return web.json_response({})

    async def _upload_rich_menu_image(self, request: web.Request) -> web.Response:
        menu_id, menu = self._menu(request)
        call = request[CALL]
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        problems: Problems = []
        if content_type not in ("image/png", "image/jpeg"):
            problems.append(("Content-Type", f"Must be image/png or image/jpeg (got {content_type or 'none'})"))
        if len(call.body) > MAX_RICH_MENU_IMAGE:
            problems.append(("body", f"Image must be at most {MAX_RICH_MENU_IMAGE} bytes (got {len(call.body)})"))
        info = image_size(call.body)
        if info is None:
            problems.append(("body", "Not a PNG or JPEG image"))
        else:
            mime, width, height = info
            if content_type in ("image/png", "image/jpeg") and mime != content_type:
                problems.append(("Content-Type", f"Says {content_type} but the image is {mime}"))
            size = menu["size"]
            if (width, height) != (size["width"], size["height"]):
                problems.append(("body", f"Image is {width}x{height}, the rich menu is {size['width']}x{size['height']}"))
        if problems:
            raise self._refuse(request, problems)
        if menu_id in self.rich_menu_images:
            raise ApiError(400, "An image has already been uploaded to the richmenu")
        self.rich_menu_images[menu_id] = (content_type, call.body)
        return web.json_response({})

    async def _download_rich_menu_image(self, request: web.Request) -> web.Response:
        menu_id, _ = self._menu(request)
        if menu_id not in self.rich_menu_images:
            raise ApiError(404, "Not found")
        content_type, data = self.rich_menu_images[menu_id]
        return web.Response(body=data, content_type=content_type)

    async def _set_default_rich_menu(self, request: web.Request) -> web.Response:
        menu_id, _ = self._menu(request)
        if menu_id not in self.rich_menu_images:
            raise ApiError(400, "must upload richmenu image before applying it to user")
        self.default_rich_menu_id = menu_id
        return web.json_response({})

    async def _get_default_rich_menu(self, request: web.Request) -> web.Response:
        if self.default_rich_menu_id is None:
            raise ApiError(404, "no default richmenu")
        return web.json_response({"richMenuId": self.default_rich_menu_id})

    async def _clear_default_rich_menu(self, request: web.Request) -> web.Response:
        self.default_rich_menu_id = None
        return web.json_response({})


__all__ = [
    "ApiError",
    "Call",
    "Delivery",
    "FakeLineApi",
    "grapheme_len",
    "image_size",
    "utf16_len",
    "validate_action",
    "validate_message",
    "validate_messages",
    "validate_rich_menu",
]
