"""Version-2 bank fixtures: the instrument's counts from the brief, and a synthetic bank folder.

INSTRUMENT is read off shared/pmqa4-practices.md §3 by hand (practices per item and level), not
from the code, so it is the oracle for the shipped bank's structure.  `synthetic_bank` writes a
full bank with that structure and placeholder Thai into a folder: tests that need 160 practices
use it until the writers' category files exist, and broken-fixture tests edit it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from criteria.v2 import DEFAULT_V2_DIR

# item → (Basic, Advance, Significance) practice counts, brief §3
INSTRUMENT: dict[str, tuple[int, int, int]] = {
    "1.1": (3, 1, 1), "1.2": (3, 3, 3), "1.3": (3, 2, 1), "1.4": (4, 2, 2),
    "2.1": (4, 2, 1), "2.2": (2, 1, 2), "2.3": (3, 2, 3), "2.4": (1, 3, 3),
    "3.1": (1, 1, 1), "3.2": (1, 1, 1), "3.3": (3, 1, 2), "3.4": (3, 2, 2),
    "4.1": (3, 2, 2), "4.2": (2, 2, 2), "4.3": (2, 2, 2), "4.4": (2, 3, 1),
    "5.1": (2, 3, 3), "5.2": (4, 4, 2), "5.3": (2, 3, 3), "5.4": (3, 2, 2),
    "6.1": (2, 2, 2), "6.2": (3, 4, 2), "6.3": (2, 2, 2), "6.4": (2, 3, 2),
}
LEVELS = (("basic", "B"), ("advance", "A"), ("significance", "S"))
CATEGORY_FILES = [f"category-{n}.toml" for n in range(1, 7)]


def practice_ids(item: str) -> list[str]:
    return [f"{item}-{code}{n}" for (_, code), count in zip(LEVELS, INSTRUMENT[item], strict=True)
            for n in range(1, count + 1)]


def category_toml(number: int, counts: dict[str, tuple[int, int, int]] = INSTRUMENT) -> str:
    lines = [
        f"number = {number}",
        f'name = "หมวดทดสอบ {number}"',
        f'short_name = "หมวด {number}"',
        f'name_en = "Category {number}"',
        'kind = "process"',
    ]
    for item, per_level in counts.items():
        if not item.startswith(f"{number}."):
            continue
        lines += ["", "[[items]]", f'id = "{item}"', f'title = "ข้อ {item}"', 'gov40 = "citizen"']
        for (level, code), count in zip(LEVELS, per_level, strict=True):
            lines += ["", "[[items.levels]]", f'level = "{level}"', f'intent = "ความหมายของระดับ {code}"']
            for n in range(1, count + 1):
                pid = f"{item}-{code}{n}"
                lines += [
                    "", "[[items.levels.practices]]", f'id = "{pid}"',
                    f'text = "หน่วยงานทำแนวทาง {pid} แล้ว"', f'help = "สิ่งที่นับว่าทำแล้วสำหรับ {pid}"',
                    'evidence = ["รายงานการประชุม", "คำสั่งแต่งตั้ง"]', f'action = "เริ่มทำแนวทาง {pid}"',
                ]
    return "\n".join(lines) + "\n"


def synthetic_bank(folder: Path) -> Path:
    """A full version-2 bank: the shipped bank.toml and category-7.toml, synthetic categories 1–6."""
    folder.mkdir(parents=True)
    shutil.copy(DEFAULT_V2_DIR / "bank.toml", folder / "bank.toml")
    shutil.copy(DEFAULT_V2_DIR / "category-7.toml", folder / "category-7.toml")
    for number in range(1, 7):
        (folder / f"category-{number}.toml").write_text(category_toml(number), encoding="utf-8")
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> Path:
    """Replace `old` by `new` once in `file`; fails when `old` is missing so a fixture cannot go stale."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture is stale: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder
