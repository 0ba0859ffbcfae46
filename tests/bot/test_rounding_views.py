"""Issue 11: the same figure reads the same in the chat, the chart, the dashboard and the export."""

from __future__ import annotations

from openpyxl import Workbook

from bot import charts, export
from bot.dashboard.data import Line
from bot.dashboard.pages import _templates
from conversations import reporting
from conversations.reporting import AgencyRow

SHARE, SCORE = 0.775, 141.7  # shown as 78 % and 142 everywhere (77 % and 141.7 before)


def test_a_share_and_a_score_read_the_same_in_every_view() -> None:
    row = AgencyRow(1, "A1", "หน่วยงาน", 0, 4, 4, 1, SHARE, SCORE, "ยังไม่ถึงระดับพื้นฐาน")
    chat_percent = reporting._percent(SHARE)
    chat_points = reporting._points(SCORE)
    assert (chat_percent, chat_points) == ("78", "142")
    assert str(Line(row, None).percent) == chat_percent  # dashboard overview
    assert _templates.filters["points"](SCORE) == chat_points  # dashboard pages
    assert charts._score_text(SCORE) == chat_points  # the PNG's labels
    sheet = Workbook(write_only=True).create_sheet()
    cell = export._number(sheet, SCORE, export._SCORE)
    assert cell is not None and str(cell.value) == chat_points and cell.number_format == "0"
