"""The coordinators' charts drawn from real reports: every Thai glyph present, sizes as expected.

Set PMQA_CHART_DIR to keep the PNGs for a look (e.g. PMQA_CHART_DIR=/tmp/charts pytest tests/bot/…).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from bot.charts import BAR_MAX_HEIGHT_PX
from bot.media import chart_png
from conversations.model import Chart
from conversations.reporting import (
    BAR_LIMIT,
    AgencyRound,
    Respondent,
    RoundReport,
    agency_summary_replies,
    officer_chart,
    province_summary_replies,
)
from criteria import default_bank
from tests.bot.test_charts import assert_no_missing_glyphs, png_size, recorded_warnings

BANK = default_bank()
NAMES = [
    "สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัดแม่ฮ่องสอน",
    "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัดแม่ฮ่องสอน",
    "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดแม่ฮ่องสอน",
    "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดแม่ฮ่องสอน",
    "สำนักงานสาธารณสุขจังหวัดแม่ฮ่องสอน",
    "สำนักงานเกษตรและสหกรณ์จังหวัดแม่ฮ่องสอน",
    "สำนักงานพาณิชย์จังหวัดแม่ฮ่องสอน",
    "สำนักงานแรงงานจังหวัดแม่ฮ่องสอน",
    "สำนักงานการท่องเที่ยวและกีฬาจังหวัดแม่ฮ่องสอน",
    "สำนักงานโยธาธิการและผังเมืองจังหวัดแม่ฮ่องสอน",
    "สำนักงานศึกษาธิการจังหวัดแม่ฮ่องสอน",
    "สำนักงานคลังจังหวัดแม่ฮ่องสอน",
]


def _answers(seed: int) -> dict[str, str]:
    """A varied but deterministic answer set: Basic levels by item and seed, a few Advances, results."""
    answers: dict[str, str] = {}
    for n, item in enumerate(BANK.items):
        for question in item.questions:
            if question.level == "result":
                answers[question.id] = ("150", "300", "400")[(n + seed) % 3]
            elif question.level == "basic":
                answers[question.id] = str((n * 7 + seed) % 4)
            elif question.level == "advance" and answers.get(f"Q{item.id}B") == "3":
                answers[question.id] = str((n + seed) % 4)
    return answers


def province(count: int = len(NAMES), *, previous: bool = True) -> RoundReport:
    agencies = [AgencyRound(1, "MSN", "สำนักงานจังหวัดแม่ฮ่องสอน", None, 0, 0, ())]
    for n in range(count):
        people = tuple(Respondent(100 * n + k, f"ผู้ตอบ {k}", None, _answers(n + k), k == 0) for k in range(n % 4))
        agencies.append(AgencyRound(n + 2, f"MSN-{n:04d}", f"{NAMES[n % len(NAMES)]}{'' if n < 12 else n}", 1, 1,
                                    5, people))
    before = {n + 2: _answers(n + 5) for n in range(count)} if previous else {}
    return RoundReport(3, "รอบประเมิน ปีงบประมาณ 2570", date(2026, 11, 1), date(2027, 3, 31), "MSN",
                       "สำนักงานจังหวัดแม่ฮ่องสอน", tuple(agencies), before,
                       "รอบประเมิน ปีงบประมาณ 2569" if previous else None)


def _draw(chart: Chart | None, name: str) -> tuple[int, int]:
    assert chart is not None
    with recorded_warnings() as caught:
        png = chart_png(chart)
    assert_no_missing_glyphs(caught)
    if folder := os.environ.get("PMQA_CHART_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.png").write_bytes(png)
    return png_size(png)


def test_the_province_bars_and_radar_of_twelve_agencies_with_long_names() -> None:
    table, categories = province_summary_replies(BANK, province())
    assert table.chart is not None and table.chart.kind == "bar"
    assert len(table.chart.labels) == 9, "agencies without answers have no bar"
    width, height = _draw(table.chart, "province-bars")
    assert width == 1000 and 500 < height < 1500
    assert categories.chart is not None and len(categories.chart.series) == 2
    assert _draw(categories.chart, "province-radar") == (1000, 1000)


def test_the_agency_radar_against_the_province_average_and_the_previous_round() -> None:
    (reply,) = agency_summary_replies(BANK, province(), 5)
    assert reply.chart is not None and len(reply.chart.series) == 3
    assert _draw(reply.chart, "agency-radar") == (1000, 1000)


def test_the_officer_radar_in_their_three_categories() -> None:
    agency = province().agencies[4]
    chart = officer_chart(BANK, _answers(1), agency, (1, 5, 7))
    assert chart is not None and len(chart.labels) == 3
    assert _draw(chart, "officer-radar") == (1000, 1000)


def test_a_country_draws_only_the_weakest_agencies() -> None:
    table, _ = province_summary_replies(BANK, province(2500, previous=False))
    assert table.chart is not None and len(table.chart.labels) == BAR_LIMIT
    width, height = _draw(table.chart, "country-bars")
    assert width == 1000 and height <= BAR_MAX_HEIGHT_PX


def test_an_officers_own_summary_carries_its_radar_from_three_categories() -> None:
    from conversations.model import CategoryLine, SummaryCard
    from conversations.render import own_radar

    def card(numbers: range) -> SummaryCard:
        return SummaryCard("สรุป", None, 300, "พื้นฐาน", 2.4,
                           tuple(CategoryLine(n, BANK.category(n).short_name, 300, "ระดับพื้นฐาน") for n in numbers),
                           (), "", BANK.disclaimer, True)

    chart = own_radar(card(range(1, 8)))
    assert chart is not None and len(chart.labels) == 7
    assert png_size(chart_png(chart)) == (1000, 1000)
    assert own_radar(card(range(1, 3))) is None, "two categories make no radar"


def test_an_unknown_chart_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="pie"):
        chart_png(Chart("pie", "x", ("a",), (("s", (1.0,)),)))
