"""Charts as PNG bytes: the category radar, a province's agencies as bars, and the LINE rich menu image.

Every public function is a pure function of its data: no I/O apart from reading the bundled fonts once.
Thai needs a Thai font and text shaping (matplotlib >= 3.11 lays text out with libraqm), so the Sarabun
files shipped in `bot/assets/fonts` (SIL OFL 1.1, see OFL.txt there) are registered explicitly with
`addfont()`: a font installed after matplotlib built its font cache would silently render boxes.

Only the object API is used (`Figure` + `FigureCanvasAgg`, never pyplot).  The font family, sizes and
colours are applied with `matplotlib.rc_context` while a chart is built and saved, so importing this
module changes nothing global.  `rc_context` itself swaps the process-wide rcParams, so renders are
serialised by a lock.  A chart takes about 50–120 ms (half a second for 60 agencies' bars) on a small
server, so callers in an event loop should use `asyncio.to_thread`.
"""

from __future__ import annotations

import functools
import io
import math
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from fontTools.ttLib import TTFont
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Patch, Polygon, Rectangle, Wedge
from matplotlib.projections.polar import PolarAxes
from PIL import Image

from criteria import shown

__all__ = [
    "DEFAULT_LEVELS",
    "FAMILY",
    "FONT_FILES",
    "RICH_MENU_SIZE",
    "bar_png",
    "radar_png",
    "register_fonts",
    "rich_menu_areas",
    "rich_menu_png",
    "text_width",
    "wrap_text",
]

FONTS_DIR = Path(__file__).parent / "assets" / "fonts"
FONT_FILES = (FONTS_DIR / "Sarabun-Regular.ttf", FONTS_DIR / "Sarabun-Bold.ttf")
FAMILY = "Sarabun"
FALLBACK = "DejaVu Sans"  # matplotlib's own font: Latin, digits and symbols Sarabun lacks

UNANSWERED = "ยังไม่ได้ตอบ"  # a category nobody answered: not a score of 0 (conversations.texts.UNANSWERED)
DEFAULT_LEVELS: tuple[tuple[float, str], ...] = ((300, "พื้นฐาน"), (400, "ก้าวหน้า"), (500, "โดดเด่น"))
RICH_MENU_SIZE = (2500, 843)
RICH_MENU_MAX_AREAS = 20  # LINE's limit of tappable areas per rich menu

# A calm government-blue palette.  Blue and orange stay distinguishable with the common colour-vision
# deficiencies; the level bands run light to dark blue, with amber for "not yet basic".
INK = "#1F2A37"
MUTED = "#5B6675"
GRID = "#D5DDE7"
NAVY = "#163E73"
BLUE = "#1F5AA6"
ORANGE = "#D9822B"
PAPER = "#FFFFFF"
SERIES_COLOURS = (BLUE, ORANGE, "#2E8B57", "#7A4EA3")
BAND_BELOW = "#E3A646"
BAND_COLOURS = ("#9DC2E8", "#4F8BCB", NAVY)  # one per level, lowest first
RING_FILLS = ("#F1F6FC", "#E3EDF8", "#D4E3F3")

_STYLE: dict[Any, Any] = {  # keys typed loosely: matplotlib's stubs want literals
    "font.family": [FAMILY, FALLBACK],
    "font.size": 14,
    "axes.unicode_minus": False,
    "text.color": INK,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "figure.facecolor": PAPER,
    "savefig.facecolor": PAPER,
    "path.simplify": True,
}
_DPI = 100

_fonts_lock = threading.Lock()
_render_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Add the bundled Sarabun files to matplotlib's font manager (once) and return the family name.

    Charts then ask for the family list ["Sarabun", "DejaVu Sans"] (in an rc context while drawing):
    matplotlib falls back glyph by glyph, so Thai comes from Sarabun and any symbol it lacks from DejaVu.
    """
    global _registered
    with _fonts_lock:
        if not _registered:
            known = {entry.fname for entry in font_manager.fontManager.ttflist}
            for path in FONT_FILES:
                if str(path) not in known:
                    font_manager.fontManager.addfont(str(path))
            _registered = True
    return FAMILY


# ---------------------------------------------------------------------------------------------------------
# Rendering and text fitting


def _render(width_px: int, height_px: int, draw: Callable[[Figure], None]) -> bytes:
    """Draw a width × height px figure and encode it as a 256-colour PNG.

    Charts are flat colours plus anti-aliasing, so a palette without dithering looks the same as full
    RGBA at about a third of the bytes (and encodes faster), which matters on a phone's data plan.
    """
    register_fonts()
    with _render_lock, rc_context(_STYLE):
        fig = Figure(figsize=(width_px / _DPI, height_px / _DPI), dpi=_DPI)
        canvas = FigureCanvasAgg(fig)
        draw(fig)
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        palette = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    palette.save(buf, format="PNG", dpi=(_DPI, _DPI))
    return buf.getvalue()


def _pt(px: float) -> float:
    """Pixels to points at the charts' dpi."""
    return px * 72 / _DPI


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, int], int]:
    """Advance widths (font units) by code point, and units per em, of the bundled regular or bold file."""
    with TTFont(FONT_FILES[bold]) as font:
        hmtx = font["hmtx"]
        return {code: hmtx[glyph][0] for code, glyph in font.getBestCmap().items()}, font["head"].unitsPerEm


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in pixels of one line of `text` at `size` points, from Sarabun's advance widths.

    Each advance is rounded up to a whole pixel, as hinted rendering does, which keeps the estimate
    within about 5 % of the drawn width and rarely below it; Thai marks have no advance.  Shaping a
    line with the renderer gives the exact width but costs about a millisecond, and fitting a name
    takes several tries.  Characters Sarabun lacks count as 0.6 em.
    """
    advances, units = _advances(bold)
    scale = size * _DPI / 72 / units
    return float(sum(math.ceil(advances.get(ord(c), 0.6 * units) * scale) for c in text))


def _measure(size: float, weight: str = "normal") -> Callable[[str], float]:
    return functools.partial(text_width, size=size, bold=weight == "bold")


# Thai is written without spaces between words.  A line may break at a space, before one of these
# common words of agency and category names, or, as a last resort, between two character clusters.
_BREAK_BEFORE = (
    "จังหวัด", "และ", "สำนักงาน", "ยุทธศาสตร์", "ปฏิบัติ", "สาธารณสุข", "ทรัพยากร", "สิ่งแวดล้อม",
    "ส่งเสริม", "พัฒนา", "ป้องกัน", "บรรเทา", "สาธารณภัย", "ท้องถิ่น", "อุตสาหกรรม", "พาณิชย์",
    "แรงงาน", "สวัสดิการ", "คุ้มครอง", "เกษตร", "สหกรณ์", "ประมง", "ปศุสัตว์", "ท่องเที่ยว",
    "กีฬา", "ศึกษาธิการ", "ความรู้", "ความมั่นคง", "ยุติธรรม", "ที่ดิน", "โยธาธิการ", "ผังเมือง",
    "ธรรมชาติ", "คลัง", "สรรพากร", "พลังงาน", "วัฒนธรรม", "ขนส่ง", "ทางหลวง", "ชนบท", "ชลประทาน",
    "สถิติ", "ประชาสัมพันธ์", "(",
)
_FOLLOWING_VOWELS = frozenset("\u0e30\u0e32\u0e33\u0e45")  # ะ า ำ ๅ: written after, belong to the syllable
_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")  # เ แ โ ใ ไ: written before their consonant
ELLIPSIS = "…"


def _cluster_breaks(text: str) -> list[int]:
    """Indices where `text` can be cut without splitting a character from its marks or vowels."""
    cuts = []
    for i in range(1, len(text)):
        here, before = text[i], text[i - 1]
        if unicodedata.category(here) == "Mn" or here in _FOLLOWING_VOWELS or before in _LEADING_VOWELS:
            continue
        cuts.append(i)
    return cuts


def _word_breaks(text: str) -> list[int]:
    cuts = {i + 1 for i, c in enumerate(text) if c == " "}
    for word in _BREAK_BEFORE:
        start = text.find(word, 1)
        while start > 0:
            cuts.add(start)
            start = text.find(word, start + 1)
    return sorted(cut for cut in cuts if 0 < cut < len(text))


def _longest_prefix(text: str, width: Callable[[str], float], max_px: float, suffix: str = "") -> int | None:
    """The last cluster break whose prefix (plus `suffix`) fits, by bisection: a longer prefix is never
    narrower.  None if not even the first cluster fits."""
    cuts = _cluster_breaks(text)
    low, high = 0, len(cuts)
    while low < high:
        middle = (low + high) // 2
        if width(text[: cuts[middle]].rstrip() + suffix) <= max_px:
            low = middle + 1
        else:
            high = middle
    return cuts[low - 1] if low else None


def _truncate(text: str, width: Callable[[str], float], max_px: float) -> str:
    if width(text) <= max_px:
        return text
    cut = _longest_prefix(text, width, max_px, ELLIPSIS)
    return ELLIPSIS if cut is None else text[:cut].rstrip() + ELLIPSIS


def _choose_break(line: str, longest: int, width: Callable[[str], float], max_px: float, *, next_is_last: bool) -> int:
    """Where to end a line whose longest fitting prefix ends at `longest`.

    Before the last line, the latest word break that lets the rest fit wins, then the longest prefix if
    that lets it fit: nothing gets cut off.  Otherwise the latest word break that leaves the line at least
    half full wins, and failing that the longest prefix.
    """
    words = [cut for cut in reversed(_word_breaks(line)) if cut <= longest]

    def rest_fits(cut: int) -> bool:
        return width(line[cut:].lstrip()) <= max_px

    if next_is_last:
        for cut in words:
            if rest_fits(cut):
                return cut
        if rest_fits(longest):
            return longest
    return next((cut for cut in words if cut >= longest / 2), longest)


def wrap_text(text: str, width: Callable[[str], float], max_px: float, max_lines: int = 2) -> list[str]:
    """Break `text` into at most `max_lines` lines no wider than `max_px`; shorten the last with "…".

    Explicit newlines in `text` are kept.  Breaks prefer spaces and the start of a known word, and fall
    back to a break between character clusters (see `_choose_break`); marks never leave their letter.
    """
    lines: list[str] = []
    paragraphs = [p.strip() for p in text.split("\n")]
    for index, paragraph in enumerate(paragraphs):
        rest = paragraph
        while rest and len(lines) < max_lines - 1 and width(rest) > max_px:
            longest = _longest_prefix(rest, width, max_px)
            if longest is None:
                break
            cut = _choose_break(rest, longest, width, max_px, next_is_last=len(lines) == max_lines - 2)
            lines.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip()
        if len(lines) == max_lines - 1:  # the last line takes everything left, shortened
            rest = " ".join(p for p in [rest, *paragraphs[index + 1 :]] if p)
            if rest:
                lines.append(_truncate(rest, width, max_px))
            break
        if rest:
            lines.append(_truncate(rest, width, max_px))
    return lines or [""]


def _score_text(value: float) -> str:
    return shown.points(value)


def _check_finite(values: Sequence[float], what: str) -> list[float]:
    checked = [float(v) for v in values]
    if not all(math.isfinite(v) for v in checked):
        raise ValueError(f"{what}: every value must be a finite number")
    return checked


def _check_levels(levels: Sequence[tuple[float, str]]) -> None:
    thresholds = [t for t, _ in levels]
    if not 1 <= len(levels) <= len(BAND_COLOURS) or thresholds != sorted(set(thresholds)):
        raise ValueError(f"levels: one to {len(BAND_COLOURS)} (threshold, name) pairs, thresholds ascending")


def _level_colour(value: float, levels: Sequence[tuple[float, str]]) -> str:
    colour = BAND_BELOW
    for (threshold, _), band in zip(levels, BAND_COLOURS, strict=False):
        if value >= threshold:
            colour = band
    return colour


def _title_lines(title: str, width_px: float, size: float) -> list[str]:
    return wrap_text(title, _measure(size, "bold"), width_px * 0.92)


def _draw_title(fig: Figure, lines: list[str], *, top_px: float, size: float) -> None:
    """A bold title centred at the top of the figure."""
    fig.text(
        0.5, 1 - top_px / fig.bbox.height, "\n".join(lines),
        ha="center", va="top", fontsize=size, fontweight="bold", color=NAVY, linespacing=1.25,
    )


# ---------------------------------------------------------------------------------------------------------
# Radar


def radar_png(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    max_value: float = 500,
    levels: Sequence[tuple[float, str]] = DEFAULT_LEVELS,
) -> bytes:
    """A square (1000 × 1000 px) radar of category scores with level rings and a legend below.

    `series` holds one to four (name, values) pairs, one value per label; the first is drawn filled and
    its scores are written at the points.  Values are clipped to 0…`max_value`.  A None value (a category
    nobody answered) is drawn at the centre and labelled "ยังไม่ได้ตอบ" instead of a score of 0.
    """
    if len(labels) < 3:
        raise ValueError("a radar needs at least three labels")
    _check_levels(levels)
    if not 1 <= len(series) <= len(SERIES_COLOURS):
        raise ValueError(f"a radar shows one to {len(SERIES_COLOURS)} series")
    data = []
    missing: set[int] = set()  # the first series' categories without answers
    for index, (name, values) in enumerate(series):
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        if index == 0:
            missing = {n for n, v in enumerate(values) if v is None}
        present = _check_finite([0.0 if v is None else v for v in values], name)
        data.append((name, [min(max(v, 0.0), max_value) for v in present]))

    def draw(fig: Figure) -> None:
        lines = _title_lines(title, fig.bbox.width, _pt(44))
        _draw_title(fig, lines, top_px=28, size=_pt(44))
        _draw_radar(fig, list(labels), data, max_value, levels, len(lines), missing)

    return _render(1000, 1000, draw)


_RADAR_RADIUS_PX = 290
_RADAR_LABEL_GAP_PX = 22


def _draw_radar(
    fig: Figure,
    labels: list[str],
    data: list[tuple[str, list[float]]],
    max_value: float,
    levels: Sequence[tuple[float, str]],
    title_lines: int,
    missing: set[int] | None = None,
) -> None:
    side = 2 * _RADAR_RADIUS_PX / fig.bbox.width
    centre_y = 0.48 if title_lines == 1 else 0.45
    ax = fig.add_axes((0.5 - side / 2, centre_y - side / 2, side, side), projection="polar")
    assert isinstance(ax, PolarAxes)
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, max_value)
    ax.set_facecolor("none")
    ax.spines["polar"].set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)

    angles = [2 * math.pi * i / len(labels) for i in range(len(labels))]
    _radar_grid(ax, angles, data, max_value, levels)
    handles = _radar_series(ax, angles, data, max_value, missing or set())
    _radar_labels(ax, angles, labels, max_value, fig.bbox.width)
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.012), ncol=min(len(handles), 2),
               frameon=False, fontsize=_pt(26), handlelength=2.6, columnspacing=2.0)


def _radar_grid(
    ax: PolarAxes,
    angles: list[float],
    data: list[tuple[str, list[float]]],
    max_value: float,
    levels: Sequence[tuple[float, str]],
) -> None:
    """Shaded level bands, rings every 100 (the level rings stronger), spokes, and the scale's labels."""
    full = [2 * math.pi * i / 180 for i in range(181)]
    bounds = [0.0, *[t for t, _ in levels if t <= max_value]]
    for low, high, fill in zip(bounds, bounds[1:], (PAPER, *RING_FILLS), strict=False):
        ax.fill_between(full, low, high, color=fill, zorder=0, linewidth=0)
    names = {t: name for t, name in levels if t <= max_value}
    step = 100 if max_value >= 300 else max_value / 5
    rings = sorted({step * i for i in range(1, int(max_value / step + 1e-9) + 1)} | set(names))
    for ring in rings:
        strong = ring in names
        ax.plot(full, [ring] * len(full), color="#9FB3CB" if strong else GRID, linewidth=1.6 if strong else 1.0,
                zorder=1, clip_on=False)
    for angle in angles:
        ax.plot([angle, angle], [0, max_value], color=GRID, linewidth=1.0, zorder=1)
    # The scale's labels go along a gap between two spokes that runs close to vertical (so the
    # horizontal labels of neighbouring rings stack without touching), where the data is lowest.
    n = len(angles)
    mids = [(i + 0.5) * 2 * math.pi / n for i in range(n)]
    upright = [i for i in range(n) if abs(math.cos(mids[i])) >= math.cos(math.radians(35))] or list(range(n))
    gap = min(upright, key=lambda i: max(max(v[i], v[(i + 1) % n]) for _, v in data))
    label_angle = (gap + 0.5) * 2 * math.pi / n
    for ring in rings:
        text = _score_text(ring) + (f" {names[ring]}" if ring in names else "")
        ax.text(label_angle, ring, text, fontsize=_pt(19), color=MUTED, ha="center", va="center", zorder=9,
                bbox={"boxstyle": "round,pad=0.18", "facecolor": PAPER, "edgecolor": "none", "alpha": 0.8})


def _radar_series(
    ax: PolarAxes, angles: list[float], data: list[tuple[str, list[float]]], max_value: float,
    missing: set[int] | None = None,
) -> list[Line2D]:
    """The first series filled, with its scores at the points; the others dashed.  Returns legend handles."""
    closed = [*angles, angles[0]]
    handles = []
    for index, (name, values) in enumerate(data):
        colour, first = SERIES_COLOURS[index], index == 0
        dashes: Literal["-", "--"] = "-" if first else "--"
        ax.plot(closed, [*values, values[0]], color=colour, linestyle=dashes, marker="o",
                linewidth=3.2 if first else 2.6, markersize=8 if first else 6, zorder=4 + len(data) - index,
                clip_on=False)
        if first:
            ax.fill(closed, [*values, values[0]], color=colour, alpha=0.18, zorder=3)
        handles.append(Line2D([], [], color=colour, linestyle=dashes, marker="o", linewidth=3, markersize=8,
                              label=name))
    for index, (angle, value) in enumerate(zip(angles, data[0][1], strict=True)):
        if missing and index in missing:
            ax.annotate(UNANSWERED, (angle, max_value * 0.12), ha="center", va="center", fontsize=_pt(20),
                        color=MUTED, zorder=8,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": PAPER, "edgecolor": "none", "alpha": 0.85})
            continue
        # Outside the point, or inside it near the rim where the category label is.
        offset = _outward(angle, 20 if value < 0.8 * max_value else -22)
        ax.annotate(_score_text(value), (angle, value), xytext=offset, textcoords="offset points",
                    ha="center", va="center", fontsize=_pt(22), fontweight="bold", color=BLUE, zorder=8,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": PAPER, "edgecolor": "none", "alpha": 0.8})
    return handles


def _radar_labels(
    ax: PolarAxes, angles: list[float], labels: list[str], max_value: float, size_px: float
) -> None:
    """Category labels outside the circle, aligned away from it and wrapped to fit the figure."""
    label_size = _pt(26)
    width = _measure(label_size, "bold")
    radius = max_value * (1 + _RADAR_LABEL_GAP_PX / _RADAR_RADIUS_PX)
    for angle, label in zip(angles, labels, strict=True):
        dx, dy = math.sin(angle), math.cos(angle)
        ha = "left" if dx > 0.15 else "right" if dx < -0.15 else "center"
        va = "bottom" if dy > 0.5 else "top" if dy < -0.5 else "center"
        anchor_px = size_px / 2 + dx * (_RADAR_RADIUS_PX + _RADAR_LABEL_GAP_PX)
        room = {"left": size_px - 12 - anchor_px, "right": anchor_px - 12}.get(ha, size_px * 0.6)
        ax.text(angle, radius, "\n".join(wrap_text(label, width, room)), ha=ha, va=va, fontsize=label_size,
                fontweight="bold", color=INK, linespacing=1.1, multialignment="center" if ha == "center" else ha)


def _outward(angle: float, distance: float) -> tuple[float, float]:
    """An offset (points) pointing away from the centre of a clockwise, top-zero polar axes."""
    return distance * math.sin(angle), distance * math.cos(angle)


# ---------------------------------------------------------------------------------------------------------
# Bars

BAR_WIDTH_PX = 1000
BAR_MAX_HEIGHT_PX = 4000  # Telegram photos allow width + height <= 10000 and a 20:1 ratio
_BAR_ROW_PX = 58
_BAR_NAME_PX = 390  # the name column
_BAR_TITLE_TOP_PX = 18
_BAR_TOP_TICKS_FROM = 15  # more rows than this also get the scale along the top
_BAR_FOOTER_PX = 64


def bar_png(
    names: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    average: float | None = None,
    max_value: float = 500,
    levels: Sequence[tuple[float, str]] = DEFAULT_LEVELS,
) -> bytes:
    """Horizontal bars, one per agency, top to bottom in the given order, coloured by level band.

    The image is 1000 px wide; its height grows with the number of rows up to 4000 px, after which rows
    and text get smaller.  Long names are wrapped to two lines and shortened with "…".  A key of the
    bands (below the first level, then each of `levels`) sits under the title; the average, if given,
    is a dashed line labelled "ค่าเฉลี่ย".  Values are clipped to 0…`max_value`.
    """
    if not names:
        raise ValueError("no agencies to chart")
    _check_levels(levels)
    if len(names) != len(values):
        raise ValueError(f"{len(names)} names but {len(values)} values")
    scores = [min(max(v, 0.0), max_value) for v in _check_finite(values, "values")]
    if average is not None:
        average = min(max(_check_finite([average], "average")[0], 0.0), max_value)
    count = len(names)
    title_size = _pt(36)
    lines = _title_lines(title, BAR_WIDTH_PX, title_size)
    key_top = _BAR_TITLE_TOP_PX + len(lines) * 36 * 1.3 + 10
    top_ticks = count > _BAR_TOP_TICKS_FROM
    header = key_top + 44 + (54 if average is not None else 10) + (32 if top_ticks else 0)
    row = min(_BAR_ROW_PX, (BAR_MAX_HEIGHT_PX - header - _BAR_FOOTER_PX) / count)

    def draw(fig: Figure) -> None:
        _draw_title(fig, lines, top_px=_BAR_TITLE_TOP_PX, size=title_size)
        _band_key(fig, levels, max_value, top_px=key_top)
        _draw_bars(fig, list(names), scores, average, max_value, levels, header, row)

    return _render(BAR_WIDTH_PX, round(header + row * count + _BAR_FOOTER_PX), draw)


def _band_key(fig: Figure, levels: Sequence[tuple[float, str]], max_value: float, *, top_px: float) -> None:
    """A one-line key of the colour bands under the title: "ต่ำกว่า 300", "พื้นฐาน 300–399", …"""
    thresholds = [t for t, _ in levels]
    labels = [f"ต่ำกว่า {_score_text(thresholds[0])}"]
    for index, (threshold, name) in enumerate(levels):
        upper = thresholds[index + 1] - 1 if index + 1 < len(levels) else max_value
        span = f"{_score_text(threshold)}–{_score_text(upper)}" if upper > threshold else _score_text(threshold)
        labels.append(f"{name} {span}")
    colours = [BAND_BELOW, *BAND_COLOURS[: len(levels)]]
    handles = [Patch(facecolor=c, edgecolor="none", label=t) for c, t in zip(colours, labels, strict=True)]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1 - top_px / fig.bbox.height),
               ncol=len(handles), frameon=False, fontsize=_pt(21), handlelength=1.1, handleheight=1.1,
               columnspacing=1.4, handletextpad=0.5)


def _draw_bars(
    fig: Figure,
    names: list[str],
    scores: list[float],
    average: float | None,
    max_value: float,
    levels: Sequence[tuple[float, str]],
    header: float,
    row: float,
) -> None:
    ax = _bar_axes(fig, len(names), max_value, header)
    # The text follows the row height: two lines of a name must fit one row.
    size = _pt(min(21.0, row / 2.55))
    width = _measure(size)
    ax.barh(range(len(names)), scores, height=0.68, color=[_level_colour(s, levels) for s in scores], zorder=2)
    for index, (name, score) in enumerate(zip(names, scores, strict=True)):
        ax.annotate("\n".join(wrap_text(name, width, _BAR_NAME_PX)), (0, index), xycoords=ax.get_yaxis_transform(),
                    xytext=(-9, 0), textcoords="offset points", ha="right", va="center", fontsize=size, color=INK,
                    linespacing=1.05)
        ax.annotate(_score_text(score), (score, index), xytext=(4, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=size, fontweight="bold", color=INK, zorder=4,
                    bbox={"boxstyle": "round,pad=0.1", "facecolor": PAPER, "edgecolor": "none", "alpha": 0.85})
    if average is not None:
        ax.axvline(average, color=INK, linewidth=2.0, linestyle=(0, (6, 4)), zorder=3)
        above = (34 if len(names) > _BAR_TOP_TICKS_FROM else 8) * 72 / _DPI  # clear of the top scale
        ax.annotate(f"ค่าเฉลี่ย {_score_text(average)}", (average, 1.0), xycoords=ax.get_xaxis_transform(),
                    xytext=(0, above), textcoords="offset points", ha="center", va="bottom", fontsize=_pt(20),
                    fontweight="bold", color=INK, annotation_clip=False,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": PAPER, "edgecolor": INK, "linewidth": 1.2})


def _bar_axes(fig: Figure, count: int, max_value: float, header: float) -> Axes:
    """The bars' axes right of the name column: rows top to bottom, a light vertical grid every 100."""
    width_px, height_px = fig.bbox.width, fig.bbox.height
    left_px, right_px = _BAR_NAME_PX + 24, 30
    ax = fig.add_axes((left_px / width_px, _BAR_FOOTER_PX / height_px, 1 - (left_px + right_px) / width_px,
                       1 - (header + _BAR_FOOTER_PX) / height_px))
    ax.set_xlim(0, max_value * 1.1)  # room for the score after a full bar
    ax.set_ylim(count - 0.5, -0.5)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    if max_value >= 300:
        ax.set_xticks(range(0, int(max_value) + 1, 100))
    ax.tick_params(axis="x", labelsize=_pt(19), length=0, pad=6, labeltop=count > _BAR_TOP_TICKS_FROM)
    ax.set_yticks([])
    ax.grid(axis="x", color=GRID, linewidth=1.0, zorder=0)
    ax.set_axisbelow(True)
    return ax


# ---------------------------------------------------------------------------------------------------------
# LINE rich menu


def rich_menu_areas(count: int, width: int = RICH_MENU_SIZE[0], height: int = RICH_MENU_SIZE[1]) -> list[
    tuple[int, int, int, int]
]:
    """(x, y, w, h) of each tile, left to right then top to bottom; together they cover the whole image.

    Up to four tiles make one row; more make two rows, the first row taking the extra tile.
    """
    if not 1 <= count <= RICH_MENU_MAX_AREAS:
        raise ValueError(f"a rich menu has 1 to {RICH_MENU_MAX_AREAS} tiles, not {count}")
    if width <= 0 or height <= 0:
        raise ValueError("the rich menu size must be positive")
    rows = [count] if count <= 4 else [math.ceil(count / 2), count // 2]
    areas = []
    for r, tiles in enumerate(rows):
        y0, y1 = round(r * height / len(rows)), round((r + 1) * height / len(rows))
        for c in range(tiles):
            x0, x1 = round(c * width / tiles), round((c + 1) * width / tiles)
            areas.append((x0, y0, x1 - x0, y1 - y0))
    return areas


def rich_menu_png(labels: Sequence[str], *, width: int = RICH_MENU_SIZE[0], height: int = RICH_MENU_SIZE[1]) -> bytes:
    """The rich menu image: one tile per label with an icon and a large label, exactly width × height px.

    Icons are chosen by label ("ทำต่อ", "ความคืบหน้า", "สรุปผล", "ช่วยเหลือ"); other labels get a dot.
    The tiles match `rich_menu_areas(len(labels), width, height)`.
    """
    areas = rich_menu_areas(len(labels), width, height)

    def draw(fig: Figure) -> None:
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)  # pixel coordinates, y down, one unit per pixel
        ax.set_axis_off()
        ax.add_patch(Rectangle((0, 0), width, height, facecolor="#E8EEF6", edgecolor="none"))
        gap = max(8, round(min(width, height) * 0.022))
        size = min(_label_size(label, w - 2 * gap, h - 2 * gap) for label, (_, _, w, h) in
                   zip(labels, areas, strict=True))
        for index, (label, area) in enumerate(zip(labels, areas, strict=True)):
            _draw_tile(ax, label, area, gap, size, primary=index == 0)

    return _render(width, height, draw)


def _label_size(label: str, inner_w: float, inner_h: float) -> float:
    """The largest label size (points) up to a sixth of the tile's height that fits its width."""
    size = _pt(min(inner_h * 0.16, inner_w * 0.2))
    while size > 8 and _measure(size, "bold")(label) > inner_w * 0.86:
        size *= 0.95
    return size


def _draw_tile(ax: Axes, label: str, area: tuple[int, int, int, int], gap: int, size: float, *,
               primary: bool) -> None:
    x, y, w, h = area
    inner_w, inner_h = w - 2 * gap, h - 2 * gap
    ax.add_patch(FancyBboxPatch((x + gap, y + gap), inner_w, inner_h,
                                boxstyle=f"round,pad=0,rounding_size={gap * 2}",
                                facecolor=NAVY if primary else BLUE, edgecolor="none"))
    # The label takes the lower third, the icon sits above it.
    ax.text(x + w / 2, y + gap + inner_h * 0.78, label, ha="center", va="center", fontsize=size,
            fontweight="bold", color=PAPER)
    icon = min(inner_w * 0.5, inner_h * 0.42)
    _ICONS.get(label, _icon_dot)(ax, x + w / 2, y + gap + inner_h * 0.38, icon)


def _icon_play(ax: Axes, cx: float, cy: float, s: float) -> None:
    """Continue: a play triangle in a ring."""
    ax.add_patch(Circle((cx, cy), s / 2, facecolor="none", edgecolor=PAPER, linewidth=_pt(s * 0.05)))
    t = s * 0.22
    ax.add_patch(Polygon([(cx - t * 0.75, cy - t), (cx - t * 0.75, cy + t), (cx + t * 1.05, cy)],
                         closed=True, facecolor=PAPER, edgecolor=PAPER, linewidth=_pt(s * 0.02), joinstyle="round"))


def _icon_progress(ax: Axes, cx: float, cy: float, s: float) -> None:
    """Progress: a ring two-thirds full."""
    r, band = s / 2, s * 0.13
    ax.add_patch(Wedge((cx, cy), r, 0, 360, width=band, facecolor=PAPER, alpha=0.3, edgecolor="none"))
    # y points down, so angles run clockwise on screen: start at the top (270°) and go round.
    ax.add_patch(Wedge((cx, cy), r, 270, 270 + 240, width=band, facecolor=PAPER, edgecolor="none"))


def _icon_summary(ax: Axes, cx: float, cy: float, s: float) -> None:
    """Summary: ascending bars on a base line."""
    bar_w, base = s * 0.2, cy + s * 0.42
    for i, frac in enumerate((0.38, 0.62, 0.86)):
        bx = cx - s * 0.4 + i * s * 0.3
        ax.add_patch(FancyBboxPatch((bx, base - s * frac), bar_w, s * frac, facecolor=PAPER, edgecolor="none",
                                    boxstyle=f"round,pad=0,rounding_size={s * 0.04}"))
    ax.plot([cx - s * 0.5, cx + s * 0.5], [base + s * 0.06] * 2, color=PAPER, linewidth=_pt(s * 0.04),
            solid_capstyle="round")


def _icon_help(ax: Axes, cx: float, cy: float, s: float) -> None:
    """Help: a question mark in a ring."""
    ax.add_patch(Circle((cx, cy), s / 2, facecolor="none", edgecolor=PAPER, linewidth=_pt(s * 0.05)))
    ax.text(cx, cy, "?", ha="center", va="center_baseline", fontsize=_pt(s * 0.62), fontweight="bold",
            color=PAPER)


def _icon_dot(ax: Axes, cx: float, cy: float, s: float) -> None:
    ax.add_patch(Circle((cx, cy), s * 0.22, facecolor=PAPER, edgecolor="none"))


_ICONS: dict[str, Callable[[Axes, float, float, float], None]] = {
    "ทำต่อ": _icon_play,
    "ความคืบหน้า": _icon_progress,
    "สรุปผล": _icon_summary,
    "ช่วยเหลือ": _icon_help,
}
