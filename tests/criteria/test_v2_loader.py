"""Bank version 2 loads with the instrument's shape; a broken bank is refused naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from criteria import default_bank
from criteria.v2 import DEFAULT_V2_DIR, BankV2, BankV2Error, default_bank_v2, load_bank_v2
from criteria.v2.model import ACTION_MAX, EVIDENCE_MAX, LABEL_MAX, PRACTICE_HELP_MAX, PRACTICE_TEXT_MAX
from tests.criteria.v2_bank import (
    CATEGORY_FILES,
    INSTRUMENT,
    edit,
    practice_ids,
    synthetic_bank,
)


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(BankV2Error) as caught:
        load_bank_v2(folder)
    return caught.value.problems


def broken(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    return problems_of(edit(synthetic_bank(tmp_path / "bank"), file, old, new))


# Shape -----------------------------------------------------------------------------------

def test_the_structure_is_the_instruments(bank_v2: BankV2) -> None:
    assert [c.number for c in bank_v2.categories] == [1, 2, 3, 4, 5, 6, 7]
    assert [len(c.items) for c in bank_v2.categories] == [4, 4, 4, 4, 4, 4, 6]
    assert len(bank_v2.practices) == 160
    for item_id, counts in INSTRUMENT.items():
        item = bank_v2.lookup.process_items[item_id]
        assert tuple(len(lv.practices) for lv in item.levels) == counts, item_id
        assert [p.id for p in item.practices] == practice_ids(item_id)
    levels = list(bank_v2.lookup.level_of.values())
    assert (levels.count("basic"), levels.count("advance"), levels.count("significance")) == (60, 53, 47)


def test_levels_answers_and_index_are_data(bank_v2: BankV2) -> None:
    bank = bank_v2
    assert [(b.key, b.name, b.min_score, b.points) for b in bank.levels] == [
        ("below", "ยังไม่ผ่านระดับพื้นฐาน", 0, 0),
        ("basic", "ระดับพื้นฐาน", 300, 300),
        ("advance", "ระดับก้าวหน้า", 400, 100),
        ("significance", "ระดับพัฒนาจนเกิดผล", 500, 100),
    ]
    assert [(a.code, a.label) for a in bank.root.answers] == [
        ("done", "ทำแล้ว"), ("not_done", "ยังไม่ได้ทำ"), ("unsure", "ไม่แน่ใจ"),
    ]
    assert "ประมาณ" in bank.root.index_label
    assert bank.root.not_entered == "ยังไม่ได้กรอก"
    assert all(len(o.label) <= LABEL_MAX for o in bank.root.answers)
    assert bank.root.estimate is not None
    assert all(len(o.label) <= LABEL_MAX for o in bank.root.estimate.options)


def test_category_7_holds_the_example_indicators(bank_v2: BankV2) -> None:
    examples = {i.id: [(e.id, e.direction, e.target) for e in i.examples] for i in bank_v2.results.items}
    assert examples == {
        "7.1": [("RM1", "higher", 85), ("RM2", "higher", 85)],
        "7.2": [("RM3", "higher", 85)],
        "7.3": [("RM4", "higher", 90), ("RM5", "higher", 90)],
        "7.4": [("RM6", "higher", 60), ("RM7", "higher", 85)],
        "7.5": [("RM8", "higher", 96)],
        "7.6": [("RM9", "higher", 80), ("RM10", "higher", 80)],
    }
    assert bank_v2.results.years == 3
    assert all(e.unit and e.name for i in bank_v2.results.items for e in i.examples)


def test_version_1_stays_the_default_and_loadable() -> None:
    bank = default_bank()
    assert len(bank.questions) == 78
    assert bank.questions[0].id == "Q1.1B"


def test_the_shipped_texts_fit_a_phone() -> None:
    bank = default_bank_v2()
    for practice in bank.practices:
        assert len(practice.text) <= PRACTICE_TEXT_MAX
        assert len(practice.help) <= PRACTICE_HELP_MAX
        assert len(practice.action) <= ACTION_MAX
        assert all(len(e) <= EVIDENCE_MAX for e in practice.evidence)
    assert all(len(c.short_name) <= LABEL_MAX for c in bank.categories)


def test_the_shipped_folder_is_the_default() -> None:
    assert DEFAULT_V2_DIR.name == "v2"
    assert (DEFAULT_V2_DIR / "bank.toml").exists()
    assert (DEFAULT_V2_DIR / "category-7.toml").exists()


# Refusals -------------------------------------------------------------------------------

def test_a_level_without_practices(tmp_path: Path) -> None:
    folder = synthetic_bank(tmp_path / "bank")
    path = folder / "category-3.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[[items.levels.practices]]\nid = \"3.1-A1\"")
    end = text.index("[[items.levels]]", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = problems_of(folder)
    assert any(p.startswith("category-3.toml: items[3.1].levels[advance].practices: Field required") for p in problems)


def test_a_practice_without_an_action(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-2.toml", 'action = "เริ่มทำแนวทาง 2.2-A1"\n', "")
    assert problems == ["category-2.toml: items[2.2].levels[advance].practices[2.2-A1].action: Field required"]


def test_a_practice_with_an_empty_text(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-5.toml", 'text = "หน่วยงานทำแนวทาง 5.4-S2 แล้ว"', 'text = "  "')
    assert problems == [
        "category-5.toml: items[5.4].levels[significance].practices[5.4-S2].text: Value error, must not be empty"
    ]


def test_a_text_too_long(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-1.toml", 'text = "หน่วยงานทำแนวทาง 1.1-B1 แล้ว"', f'text = "{"ก" * 121}"')
    assert len(problems) == 1
    assert problems[0].startswith("category-1.toml: items[1.1].levels[basic].practices[1.1-B1].text: ")
    assert "120" in problems[0]


def test_a_duplicate_practice_id(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-4.toml", 'id = "4.2-B2"', 'id = "4.2-B1"')
    assert "category-4.toml: items[4.2].levels[basic].practices[4.2-B1].id: duplicate practice id (also in category-4.toml)" in problems


def test_an_id_of_the_wrong_item_or_level(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-6.toml", 'id = "6.1-A2"', 'id = "6.1-S3"')
    assert problems == [
        "category-6.toml: items[6.1].levels[advance].practices[6.1-S3].id: expected '6.1-A#' for a advance practice "
        "of item 6.1"
    ]
    problems = broken(tmp_path / "other", "category-6.toml", 'id = "6.2-B3"', 'id = "6.3-B3"')
    assert any("items[6.2].levels[basic].practices[6.3-B3].id: expected '6.2-B#'" in p for p in problems)


def test_practices_numbered_out_of_order(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-1.toml", 'id = "1.4-B3"', 'id = "1.4-B5"')
    assert problems == [
        "category-1.toml: items[1.4].levels[basic].practices[1.4-B5].id: expected '1.4-B3' "
        "(practices are numbered 1, 2, … in order)"
    ]


def test_a_missing_level(tmp_path: Path) -> None:
    folder = synthetic_bank(tmp_path / "bank")
    path = folder / "category-3.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[[items.levels]]\nlevel = "significance"\nintent = "ความหมายของระดับ S"\n\n[[items.levels.practices]]\nid = "3.2-S1"')
    end = text.index("[[items]]", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = problems_of(folder)
    assert "category-3.toml: items[3.2].levels: need basic, advance and significance once each, in that order (found basic, advance)" in problems
    assert "bank.toml: expected.significance: the files hold 46 significance practices, not 47" in problems


def test_counts_that_differ_from_the_instrument(tmp_path: Path) -> None:
    problems = broken(tmp_path, "bank.toml", "advance = 53", "advance = 54")
    assert problems == ["bank.toml: expected.advance: the files hold 53 advance practices, not 54"]


def test_points_that_disagree_with_the_bands(tmp_path: Path) -> None:
    problems = broken(tmp_path, "bank.toml", "min_score = 400\npoints = 100", "min_score = 400\npoints = 150")
    assert any(p.startswith("bank.toml: levels[advance].points: the points up to this level add up to 450") for p in problems)


def test_a_missing_category_file_and_a_bad_kind(tmp_path: Path) -> None:
    folder = synthetic_bank(tmp_path / "bank")
    (folder / "category-5.toml").unlink()
    edit(folder, "category-2.toml", 'kind = "process"', 'kind = "proces"')
    problems = problems_of(folder)
    assert any(p.startswith("category-5.toml: file not found") for p in problems)
    assert "category-2.toml: kind: must be \"process\" or \"results\", found 'proces'" in problems


def test_an_item_in_the_wrong_category_and_a_duplicate_item(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-2.toml", 'id = "2.4"\ntitle', 'id = "2.3"\ntitle')
    assert any(p.startswith("category-2.toml: items[2.3].id: duplicate item id") for p in problems)


def test_a_bad_indicator_example(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-7.toml", 'direction = "higher"\ntarget = 96', 'direction = "up"\ntarget = 96')
    assert len(problems) == 1
    assert problems[0].startswith("category-7.toml: items[7.5].examples[RM8].direction: Input should be 'higher' or 'lower'")


def test_not_valid_toml_names_the_file(tmp_path: Path) -> None:
    problems = broken(tmp_path, "category-4.toml", "number = 4", "number = = 4")
    assert len(problems) == 1
    assert problems[0].startswith("category-4.toml: not valid TOML")


def test_a_broken_root_names_bank_toml(tmp_path: Path) -> None:
    problems = broken(tmp_path, "bank.toml", 'label = "ทำแล้ว"', f'label = "{"ท" * 21}"')
    assert any(p.startswith("bank.toml: answers[done].label: String should have at most 20 characters") for p in problems)


def test_a_level_with_an_empty_list_of_practices(tmp_path: Path) -> None:
    folder = synthetic_bank(tmp_path / "bank")
    path = folder / "category-3.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[[items.levels.practices]]\nid = \"3.1-A1\"")
    end = text.index("[[items.levels]]", start)
    path.write_text(text[:start] + "practices = []\n\n" + text[end:], encoding="utf-8")
    problems = problems_of(folder)
    assert "category-3.toml: items[3.1].levels[advance].practices: a level needs at least one practice" in problems


SHIPPED_CATEGORIES = [name for name in CATEGORY_FILES if (DEFAULT_V2_DIR / name).exists()]


@pytest.mark.parametrize("name", SHIPPED_CATEGORIES)
def test_each_shipped_category_file_loads_in_a_full_bank(tmp_path: Path, name: str) -> None:
    """Each writer's file on its own: put into a synthetic bank, it must pass every check."""
    folder = synthetic_bank(tmp_path / "bank")
    shutil.copy(DEFAULT_V2_DIR / name, folder / name)
    bank = load_bank_v2(folder)
    number = int(name.removeprefix("category-").removesuffix(".toml"))
    for item in bank.process[number - 1].items:
        assert [p.id for p in item.practices] == practice_ids(item.id)
    for practice in bank.practices:
        if practice.id.startswith(f"{number}."):
            assert not practice.text.startswith("หน่วยงานทำแนวทาง")  # the writer's text, not the placeholder
