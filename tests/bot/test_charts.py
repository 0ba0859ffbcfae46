"""Charts: PNG bytes of the right size, drawn with the bundled Sarabun, with no missing Thai glyphs."""

from __future__ import annotations

import io
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from PIL import Image

from bot import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from font")
STRESS = "น้ำ ที่ ผู้ใหญ่ ปั้น ญี่ปุ่น ฟ้า ฤๅษี"

CATEGORIES = [
    "1 การนำองค์การ", "2 การวางแผนยุทธศาสตร์", "3 ผู้รับบริการ", "4 ข้อมูลและความรู้",
    "5 บุคลากร", "6 ระบบปฏิบัติการ", "7 ผลลัพธ์",
]
AGENCIES = [
    "สำนักงานสาธารณสุขจังหวัดเชียงใหม่",
    "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัดเชียงใหม่",
    "สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัดเชียงใหม่",
    "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดเชียงใหม่",
    "ที่ทำการปกครองจังหวัดเชียงใหม่",
    "สำนักงานท่องเที่ยวและกีฬาจังหวัดเชียงใหม่",
    "สำนักงานเกษตรจังหวัดเชียงใหม่",
    "สำนักงานพาณิชย์จังหวัดเชียงใหม่",
    "สำนักงานแรงงานจังหวัดเชียงใหม่",
    "สำนักงานจังหวัดเชียงใหม่",
]
MENU = ["ทำต่อ", "ความคืบหน้า", "สรุปผล", "ช่วยเหลือ"]


@contextmanager
def recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def assert_no_missing_glyphs(caught: list[warnings.WarningMessage]) -> None:
    missing = [str(w.message) for w in caught if MISSING_GLYPH.search(str(w.message))]
    assert not missing, missing[:3]
    assert not caught, [str(w.message) for w in caught]


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


# -- fonts ---------------------------------------------------------------------------------------------


def test_register_fonts_is_idempotent_and_names_the_family() -> None:
    assert charts.register_fonts() == "Sarabun"
    assert charts.register_fonts() == "Sarabun"
    bundled = {str(path) for path in charts.FONT_FILES}
    entries = [e for e in font_manager.fontManager.ttflist if e.fname in bundled]
    assert {e.fname for e in entries} == bundled
    assert len(entries) == len({(e.fname, e.name, e.weight) for e in entries})  # no duplicates


@pytest.mark.parametrize(("weight", "file"), [("normal", "Sarabun-Regular.ttf"), ("bold", "Sarabun-Bold.ttf")])
def test_the_family_resolves_to_the_bundled_files(weight: str, file: str) -> None:
    charts.register_fonts()
    found = font_manager.findfont(FontProperties(family="Sarabun", weight=weight), fallback_to_default=False)
    assert found == str(charts.FONTS_DIR / file)


def test_the_licence_ships_with_the_fonts() -> None:
    text = (charts.FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "Copyright 2018 The Sarabun Project Authors" in text


def test_without_the_thai_font_matplotlib_warns_of_missing_glyphs() -> None:
    """The control: the glyph check below can fail, so its silence means something."""
    fig = Figure(figsize=(4, 1), dpi=50)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, f"ควบคุม {STRESS}", fontproperties=FontProperties(family="DejaVu Sans"))
    with recorded_warnings() as caught:
        canvas.draw()
    missing = [str(w.message) for w in caught if MISSING_GLYPH.search(str(w.message))]
    assert missing and all("DejaVu Sans" in m for m in missing)


def test_rendering_leaves_global_rc_params_alone() -> None:
    before = list(matplotlib.rcParams["font.family"])
    charts.rich_menu_png(MENU[:1], width=800, height=270)
    assert list(matplotlib.rcParams["font.family"]) == before


# -- radar ---------------------------------------------------------------------------------------------


def test_radar_with_two_series_and_the_stress_words_has_every_glyph() -> None:
    series = [
        ("หน่วยงานของท่าน", [356, 312, 420, 275, 398, 330, 460]),
        ("ค่าเฉลี่ยจังหวัด", [330, 340, 350, 300, 360, 320, 380]),
    ]
    with recorded_warnings() as caught:
        data = charts.radar_png(CATEGORIES, series, title=f"ผลการประเมิน PMQA 4.0 {STRESS}")
    assert_no_missing_glyphs(caught)
    assert png_size(data) == (1000, 1000)


def test_radar_with_one_series_clips_out_of_range_scores() -> None:
    with recorded_warnings() as caught:
        data = charts.radar_png(CATEGORIES, [("หน่วยงานของท่าน", [0, 500, 620, -5, 499.6, 250, 300])],
                                title="ผลการประเมินตนเอง")
    assert_no_missing_glyphs(caught)
    assert png_size(data) == (1000, 1000)


@pytest.mark.parametrize(
    ("labels", "series", "message"),
    [
        (CATEGORIES, [("ก", [1, 2, 3])], "has 3 values for 7 labels"),
        (CATEGORIES[:2], [("ก", [1, 2])], "at least three labels"),
        (CATEGORIES, [], "one to 4 series"),
        (CATEGORIES, [("ก", [float("nan")] * 7)], "finite"),
    ],
)
def test_radar_rejects_bad_data(labels: list[str], series: list[tuple[str, list[float]]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        charts.radar_png(labels, series, title="x")


# -- bars ----------------------------------------------------------------------------------------------


def test_bars_for_ten_agencies_with_an_average() -> None:
    scores = [356, 312, 275, 330, 460, 500, 398, 250, 380, 420]
    with recorded_warnings() as caught:
        data = charts.bar_png(AGENCIES, scores, title=f"คะแนนรวมหน่วยงาน จังหวัดเชียงใหม่ {STRESS}", average=368)
    assert_no_missing_glyphs(caught)
    width, height = png_size(data)
    assert width == 1000 and 600 < height < 1000


def test_bars_for_sixty_agencies_grow_but_stay_capped() -> None:
    names = [f"{AGENCIES[i % len(AGENCIES)]} {i + 1}" for i in range(60)]
    scores = [150 + (i * 37) % 351 for i in range(60)]
    with recorded_warnings() as caught:
        data = charts.bar_png(names, scores, title="คะแนนรวม 60 หน่วยงาน", average=340)
    assert_no_missing_glyphs(caught)
    width, height = png_size(data)
    assert width == 1000 and 3000 < height <= charts.BAR_MAX_HEIGHT_PX
    many = charts.bar_png([f"หน่วยงาน {i}" for i in range(150)], [300] * 150, title="150 หน่วยงาน")
    assert png_size(many) == (1000, charts.BAR_MAX_HEIGHT_PX)


@pytest.mark.parametrize(
    ("names", "values", "message"),
    [([], [], "no agencies"), (["ก", "ข"], [1], "2 names but 1 values"), (["ก"], [float("inf")], "finite")],
)
def test_bars_reject_bad_data(names: list[str], values: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        charts.bar_png(names, values, title="x")


@pytest.mark.parametrize("levels", [(), ((400, "ข"), (300, "ก")), tuple((t, "ก") for t in (100, 200, 300, 400))])
def test_levels_must_be_ascending_and_fit_the_palette(levels: tuple[tuple[float, str], ...]) -> None:
    with pytest.raises(ValueError, match="thresholds ascending"):
        charts.bar_png(["ก"], [1], title="x", levels=levels)
    with pytest.raises(ValueError, match="thresholds ascending"):
        charts.radar_png(CATEGORIES, [("ก", [1] * 7)], title="x", levels=levels)


# -- rich menu -----------------------------------------------------------------------------------------


def test_rich_menu_is_exactly_the_size_line_wants_and_under_a_megabyte() -> None:
    with recorded_warnings() as caught:
        data = charts.rich_menu_png(MENU)
    assert_no_missing_glyphs(caught)
    assert png_size(data) == charts.RICH_MENU_SIZE == (2500, 843)
    assert len(data) <= 1024 * 1024


def test_rich_menu_other_sizes_and_counts() -> None:
    data = charts.rich_menu_png([*MENU, "ตั้งค่า", "เชิญเพื่อนร่วมงาน"], width=1200, height=810)
    assert png_size(data) == (1200, 810)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 20])
def test_rich_menu_areas_tile_the_whole_image(count: int) -> None:
    width, height = charts.RICH_MENU_SIZE
    areas = charts.rich_menu_areas(count, width, height)
    assert len(areas) == count
    assert sum(w * h for _, _, w, h in areas) == width * height
    for x, y, w, h in areas:
        assert 0 <= x < x + w <= width and 0 <= y < y + h <= height
    for i, (x, y, w, h) in enumerate(areas):  # no two overlap, so with the sum above they tile the image
        for x2, y2, w2, h2 in areas[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    assert charts.rich_menu_areas(4, width, height) == [(0, 0, 625, 843), (625, 0, 625, 843),
                                                        (1250, 0, 625, 843), (1875, 0, 625, 843)]


@pytest.mark.parametrize("count", [0, 21])
def test_rich_menu_areas_reject_counts_line_does_not_allow(count: int) -> None:
    with pytest.raises(ValueError, match="1 to 20 tiles"):
        charts.rich_menu_areas(count)


# -- text fitting and threads -------------------------------------------------------------------------


def by_letters(text: str) -> float:
    """A stand-in width: one unit per spacing character; Thai marks take no room, as in the font."""
    return float(sum(unicodedata.category(c) != "Mn" for c in text))


@pytest.mark.parametrize(
    ("text", "max_px", "lines"),
    [
        ("การวางแผนยุทธศาสตร์", 10, ["การวางแผน", "ยุทธศาสตร์"]),
        ("สำนักงานพาณิชย์จังหวัดเชียงใหม่", 14, ["สำนักงานพาณิชย์", "จังหวัดเชียงใหม่"]),
        ("ระบบปฏิบัติการ", 9, ["ระบบ", "ปฏิบัติการ"]),
        ("abc def ghi", 20, ["abc def ghi"]),
        ("ก\nข\nค", 5, ["ก", "ข ค"]),
        ("ผู้ใหญ่ญี่ปุ่นน้ำฟ้าผู้ใหญ่", 5, ["ผู้ใหญ่ญี่", "ปุ่นน้ำ…"]),
    ],
)
def test_wrap_text_breaks_at_words_and_shortens_the_last_line(text: str, max_px: float, lines: list[str]) -> None:
    assert charts.wrap_text(text, by_letters, max_px) == lines


def test_wrap_text_never_separates_a_mark_or_vowel_from_its_letter() -> None:
    marks_and_vowels = set("ะาำๅ") | {chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F))}
    for max_px in range(2, 12):
        lines = charts.wrap_text(STRESS.replace(" ", "") * 2, by_letters, max_px, max_lines=6)
        assert "".join(lines).replace("…", "") in STRESS.replace(" ", "") * 2
        for line in (line.rstrip("…") for line in lines):
            assert not line or (line[0] not in marks_and_vowels and line[-1] not in "เแโใไ"), lines


def test_text_width_estimate_is_close_to_the_drawn_width() -> None:
    charts.register_fonts()
    fig = Figure(dpi=100)
    renderer = FigureCanvasAgg(fig).get_renderer()
    for text in (STRESS, AGENCIES[1], "PMQA 4.0 ค่าเฉลี่ย 368"):
        for bold in (False, True):
            prop = FontProperties(family=["Sarabun", "DejaVu Sans"], size=15, weight="bold" if bold else "normal")
            drawn, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
            assert charts.text_width(text, 15, bold=bold) == pytest.approx(drawn, rel=0.06)


def test_charts_drawn_in_threads_match_the_serial_ones() -> None:
    def radar() -> bytes:
        return charts.radar_png(CATEGORIES, [("หน่วยงาน", [300, 310, 320, 330, 340, 350, 360])], title="ก")

    def bars() -> bytes:
        return charts.bar_png(AGENCIES[:3], [250, 350, 450], title="ข", average=350)

    expected = {"radar": radar(), "bars": bars()}
    results: list[tuple[str, bytes]] = []
    threads = [threading.Thread(target=lambda k=k, f=f: results.append((k, f())))
               for k, f in [("radar", radar), ("bars", bars)] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert all(data == expected[kind] for kind, data in results)
