"""`pmqa-bot line rich-menu`: the menu under the chat with the main actions, drawn by the bot."""

from __future__ import annotations

import asyncio

from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)

from bot.settings import Settings
from conversations import texts as t
from conversations.parsing import command_data

MENU = (
    (t.BTN_RESUME, "resume"),
    (t.BTN_PROGRESS, "progress"),
    (t.MENU_SUMMARY, "summary"),
    (t.BTN_HELP, "help"),
)
TIMEOUT = 30.0


def menu_request(width: int, height: int, areas: list[tuple[int, int, int, int]]) -> RichMenuRequest:
    return RichMenuRequest(
        size=RichMenuSize(width=width, height=height),
        selected=True,
        name="PMQA 4.0 main menu",
        chatBarText=t.MENU_BAR,
        areas=[
            RichMenuArea(bounds=RichMenuBounds(x=x, y=y, width=w, height=h),
                         action=PostbackAction(label=label, data=command_data(command), display_text=label))
            for (label, command), (x, y, w, h) in zip(MENU, areas, strict=True)
        ],
    )


async def create_rich_menu(settings: Settings) -> str:
    from bot.charts import RICH_MENU_SIZE, rich_menu_areas, rich_menu_png

    width, height = RICH_MENU_SIZE
    areas = rich_menu_areas(len(MENU), width, height)
    image = await asyncio.to_thread(rich_menu_png, [label for label, _ in MENU], width=width, height=height)
    configuration = Configuration(host=settings.line_api_base_url, access_token=settings.line_channel_access_token)
    async with AsyncApiClient(configuration) as client:
        api = AsyncMessagingApi(client)
        created = await api.create_rich_menu(menu_request(width, height, areas), _request_timeout=TIMEOUT)
        menu_id = str(created.rich_menu_id)
        # The SDK sends bytes as JSON unless told the content type.
        await AsyncMessagingApiBlob(client).set_rich_menu_image(
            menu_id, image, _headers={"Content-Type": "image/png"}, _request_timeout=TIMEOUT)
        await api.set_default_rich_menu(menu_id, _request_timeout=TIMEOUT)
    return menu_id
