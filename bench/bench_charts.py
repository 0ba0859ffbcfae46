"""Time the chart renderers (PNG bytes out) with realistic Thai data.

Run:  python bench/bench_charts.py [--repeat 10]

Prints the median wall time per call (ms) over `repeat` calls after one warm-up call (which registers
the fonts and fills matplotlib's caches), and the PNG size.  Not a test: the figures depend on the
machine.  Renders are serialised by a lock in bot.charts, so these are also the per-render costs a
server pays in `asyncio.to_thread`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from bot.charts import bar_png, radar_png, rich_menu_png

CATEGORIES = [
    "1 การนำองค์การ", "2 การวางแผนยุทธศาสตร์", "3 ผู้รับบริการ", "4 ข้อมูลและความรู้",
    "5 บุคลากร", "6 ระบบปฏิบัติการ", "7 ผลลัพธ์",
]
OFFICES = [
    "สำนักงานสาธารณสุขจังหวัด", "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัด", "สำนักงานจังหวัด",
    "สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัด", "สำนักงานเกษตรจังหวัด", "ที่ทำการปกครองจังหวัด",
    "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด", "สำนักงานท่องเที่ยวและกีฬาจังหวัด",
    "สำนักงานพาณิชย์จังหวัด", "สำนักงานแรงงานจังหวัด", "สำนักงานสถิติจังหวัด", "สำนักงานประชาสัมพันธ์จังหวัด",
]


def agencies(count: int, seed: int = 2569) -> tuple[list[str], list[float]]:
    """`count` agency names of Chiang Mai (numbered after the first dozen) and random scores."""
    rng = random.Random(seed)
    names = [OFFICES[i % len(OFFICES)] + "เชียงใหม่" + (f" {i + 1}" if i >= len(OFFICES) else "") for i in range(count)]
    return names, [rng.uniform(150, 500) for _ in range(count)]


def median_ms(call: Callable[[], bytes], repeat: int) -> tuple[float, int]:
    size = len(call())  # warm up
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        rounds.append(time.perf_counter() - start)
    return statistics.median(rounds) * 1e3, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed calls (the median is reported)")
    args = parser.parse_args()

    two_series = [
        ("หน่วยงานของท่าน", [356, 312, 420, 275, 398, 330, 460]),
        ("ค่าเฉลี่ยจังหวัด", [330, 340, 350, 300, 360, 320, 380]),
    ]
    ten, sixty = agencies(10), agencies(60)
    cases: list[tuple[str, Callable[[], bytes]]] = [
        ("radar_png, 7 categories × 2 series", lambda: radar_png(CATEGORIES, two_series, title="ผลการประเมิน PMQA 4.0")),
        ("bar_png, 10 agencies", lambda: bar_png(*ten, title="คะแนนรวม จังหวัดเชียงใหม่", average=350)),
        ("bar_png, 60 agencies", lambda: bar_png(*sixty, title="คะแนนรวม จังหวัดเชียงใหม่", average=350)),
        ("rich_menu_png, 4 tiles 2500×843", lambda: rich_menu_png(["ทำต่อ", "ความคืบหน้า", "สรุปผล", "ช่วยเหลือ"])),
    ]
    print(f"median of {args.repeat} calls after one warm-up (time.perf_counter)")
    width = max(len(name) for name, _ in cases)
    for name, call in cases:
        ms, size = median_ms(call, args.repeat)
        print(f"  {name:<{width}}  {ms:7.1f} ms/call  {size / 1024:6.0f} KiB")


if __name__ == "__main__":
    main()
