"""The shipped bank loads with the expected shape, and a broken bank is refused with a message
that names the file and the field (content editors fix the TOML, not the code)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from criteria import BankError, default_bank, load_bank
from criteria.loader import DEFAULT_BANK_DIR
from criteria.model import LABEL_MAX


def broken_bank(tmp_path: Path, file: str, old: str, new: str, *, name: str = "bank") -> Path:
    """Copy the shipped bank to a fresh folder and replace `old` by `new` once in `file`.

    Fails if `old` is not in the file, so a fixture cannot silently go stale when the
    shipped bank is edited.  Each call needs its own folder because `load_bank` is cached
    on the path.
    """
    folder = tmp_path / name
    assert not folder.exists(), "use a distinct name: load_bank is cached on the path"
    shutil.copytree(DEFAULT_BANK_DIR, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"fixture is stale: {old!r} not found in {file}"
    changed = text.replace(old, new, 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    return folder


def shipped(file: str) -> str:
    return (DEFAULT_BANK_DIR / file).read_text(encoding="utf-8")


def question_block(file: str, question_id: str) -> str:
    """The `[[items.questions]]` table of one question, as it is written in the shipped file."""
    text = shipped(file)
    match = re.search(
        r'\[\[items\.questions\]\]\nid = "' + re.escape(question_id) + r'"\n.*?(?=\n\[\[|\n# -|\Z)', text, re.S
    )
    assert match, f"{question_id} not found in {file}"
    return match.group(0)


def field_line(file: str, question_id: str, key: str) -> str:
    """The `key = "…"` line of one question, with its newline."""
    block = question_block(file, question_id)
    match = re.search(rf"^{key} = .*\n", block, re.M)
    assert match, f"{question_id} has no {key} line"
    return match.group(0)


# The shipped bank -------------------------------------------------------------------

def test_shipped_bank_counts() -> None:
    bank = default_bank()
    assert len(bank.categories) == 7
    assert [c.number for c in bank.categories] == [1, 2, 3, 4, 5, 6, 7]
    assert [c.kind for c in bank.categories] == ["process"] * 6 + ["results"]
    assert len(bank.items) == 30
    assert [len(c.items) for c in bank.categories] == [4, 4, 4, 4, 4, 4, 6]
    assert len(bank.questions) == 78
    levels = [q.level for q in bank.questions]
    assert levels.count("basic") == levels.count("advance") == levels.count("significance") == 24
    assert levels.count("result") == 6
    assert len({q.id for q in bank.questions}) == 78


def test_shipped_bank_question_order_and_ids() -> None:
    bank = default_bank()
    assert bank.questions[0].id == "Q1.1B"
    assert [q.id for q in bank.questions[:3]] == ["Q1.1B", "Q1.1A", "Q1.1S"]
    assert bank.questions[-1].id == "Q7.6R"
    for item in bank.items:
        for question in item.questions:
            assert question.id.startswith(f"Q{item.id}")
            assert bank.item_of(question.id) is item


def test_every_question_has_an_action() -> None:
    bank = default_bank()
    for question in bank.questions:
        assert question.action.strip(), question.id
        assert question.text.strip(), question.id


def test_every_scale_label_fits_a_button() -> None:
    bank = default_bank()
    labels = [o.label for scale in bank.scales.values() for o in scale.options]
    assert labels
    assert all(0 < len(label) <= LABEL_MAX == 20 for label in labels), [x for x in labels if len(x) > 20]
    assert all(len(c.short_name) <= 20 for c in bank.categories)


def test_every_level_has_a_scale() -> None:
    bank = default_bank()
    for question in bank.questions:
        assert bank.scale_for(question).name == ("result5" if question.level == "result" else "deploy4")


def test_loading_twice_returns_the_cached_object() -> None:
    assert load_bank(DEFAULT_BANK_DIR) is load_bank(DEFAULT_BANK_DIR)
    assert default_bank() is default_bank()
    assert default_bank() is load_bank(DEFAULT_BANK_DIR)


def test_a_faithful_copy_loads(tmp_path: Path) -> None:
    folder = broken_bank(tmp_path, "bank.toml", 'version = "2569.1"', 'version = "test.1"')
    bank = load_bank(folder)
    assert bank.version == "test.1"
    assert len(bank.questions) == 78


# Broken banks ----------------------------------------------------------------------
# (case id, file edited, old text, new text, file named in the message, field named in the message)

BROKEN = [
    pytest.param(
        "category-2.toml", 'id = "Q2.1B"', 'id = "Q1.1B"',
        "category-2.toml", "items[2.1].questions[Q1.1B].id: duplicate question id",
        id="duplicate-question-id",
    ),
    pytest.param(
        "category-1.toml", 'id = "Q1.2A"\n', "",
        "category-1.toml", "items[1.2].questions[1].id: Field required",
        id="missing-question-id",
    ),
    pytest.param(
        "category-3.toml", question_block("category-3.toml", "Q3.2A"), "",
        "category-3.toml", "items[3.2].questions: needs exactly one 'advance' question, found 0",
        id="item-without-advance",
    ),
    pytest.param(
        "category-4.toml", field_line("category-4.toml", "Q4.1B", "action"), 'action = ""\n',
        "category-4.toml", "items[4.1].questions[Q4.1B].action",
        id="empty-action",
    ),
    pytest.param(
        "category-5.toml", field_line("category-5.toml", "Q5.2A", "action"), "",
        "category-5.toml", "items[5.2].questions[Q5.2A].action: Field required",
        id="question-without-action",
    ),
    pytest.param(
        "category-6.toml",
        field_line("category-6.toml", "Q6.1B", "text"), 'text = "   "\n',
        "category-6.toml", "items[6.1].questions[Q6.1B].text",
        id="empty-thai-text",
    ),
    pytest.param(
        "bank.toml", 'label = "ยังไม่มี"', 'label = "ยังไม่มีการดำเนินการเรื่องนี้เลย"',
        "bank.toml", "scales.deploy4.options[0].label",
        id="label-over-20",
    ),
    pytest.param(
        "bank.toml", 'for_level = ["result"]', "for_level = []",
        "category-7.toml", "items[7.1].questions[Q7.1R].level: unknown scale",
        id="no-scale-for-result",
    ),
    pytest.param(
        "bank.toml", 'for_level = ["result"]', 'for_level = ["results"]',
        "bank.toml", "scales.result5.for_level[0]",
        id="scale-level-not-a-level",
    ),
    pytest.param(
        "category-1.toml", 'level = "advance"', 'level = "advanced"',
        "category-1.toml", "items[1.1].questions[Q1.1A].level",
        id="question-level-not-a-level",
    ),
    pytest.param(
        "bank.toml", "weight_total = 7", "weight_total = 8",
        "bank.toml", "weights: add up to 7, not weight_total = 8",
        id="weights-do-not-add-up",
    ),
    pytest.param(
        "bank.toml", '"7" = 1\n', '"7" = 2\n',
        "bank.toml", "weights: add up to 8, not weight_total = 7",
        id="weight-changed-not-total",
    ),
    pytest.param(
        "category-2.toml", "number = 2", "number = = 2",
        "category-2.toml", "not valid TOML",
        id="invalid-toml",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "named_file", "named_field"), BROKEN)
def test_broken_bank_is_refused_naming_file_and_field(
    tmp_path: Path, request: pytest.FixtureRequest, file: str, old: str, new: str, named_file: str, named_field: str
) -> None:
    folder = broken_bank(tmp_path, file, old, new, name=request.node.callspec.id)
    with pytest.raises(BankError) as caught:
        load_bank(folder)
    message = str(caught.value)
    assert f"{named_file}: " in message
    assert named_field in message
    assert any(p.startswith(f"{named_file}: ") and named_field in p for p in caught.value.problems)


def test_missing_category_file_is_named(tmp_path: Path) -> None:
    folder = broken_bank(tmp_path, "bank.toml", 'version = "2569.1"', 'version = "2569.1"  # copy')
    (folder / "category-3.toml").unlink()
    with pytest.raises(BankError, match=r"category-3\.toml: file not found"):
        load_bank(folder)


def test_missing_root_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(BankError, match=r"bank\.toml: file not found"):
        load_bank(folder)


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    folder = broken_bank(tmp_path, "bank.toml", "weight_total = 7", "weight_total = 9")
    path = folder / "category-2.toml"
    text = path.read_text(encoding="utf-8")
    assert 'id = "Q2.1B"' in text
    path.write_text(text.replace('id = "Q2.1B"', 'id = "Q1.1B"', 1), encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(folder)
    problems = caught.value.problems
    assert any(p.startswith("bank.toml: weights:") for p in problems)
    assert any(p.startswith("category-2.toml: items[2.1].questions[Q1.1B].id: duplicate") for p in problems)
