"""`pmqa-bot criteria check` and `pmqa-bot score` with bank version 2, run in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from criteria.loader import DEFAULT_BANK_DIR
from criteria.v2 import BankV2
from tests.criteria.v2_bank import edit, practice_ids

EXIT_USAGE = 2


def write_json(tmp_path: Path, data: Any, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], path: Path, bank: Path) -> dict[str, Any]:
    assert main(["score", str(path), "--json", "--bank", str(bank)]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


# criteria check ----------------------------------------------------------------------------

V2_COUNTS = [
    "categories: 7\n",
    "items: 30 (24 process, 6 results)\n",
    "practices: 160 (basic 60, advance 53, significance 47)\n",
    "actions: 160\n",
    "levels: ยังไม่ผ่านระดับพื้นฐาน 0, ระดับพื้นฐาน 300, ระดับก้าวหน้า 400, ระดับพัฒนาจนเกิดผล 500\n",
    "category 7 example indicators: 10 (7.1: RM1 RM2, 7.2: RM3, 7.3: RM4 RM5, 7.4: RM6 RM7, 7.5: RM8, 7.6: RM9 RM10)\n",
]


def test_check_of_a_v2_folder_prints_its_counts(bank_v2_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "check", "--bank", str(bank_v2_dir)]) == 0
    captured = capsys.readouterr()
    assert "bank format 2, version 2570.1: OK" in captured.out
    for line in V2_COUNTS:
        assert line in captured.out
    assert "questions:" not in captured.out  # version 1's counts are not printed for a v2 folder
    assert captured.err == ""


def test_check_without_a_folder_checks_both_shipped_banks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "check"]) == 0
    out = capsys.readouterr().out
    assert "questions: 78\n" in out  # version 1, still the default everywhere
    for line in V2_COUNTS:
        assert line in out


def test_check_refuses_a_broken_v2_bank(synthetic_v2_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(synthetic_v2_dir, folder)
    edit(folder, "category-4.toml", 'action = "เริ่มทำแนวทาง 4.3-S2"\n', "")
    assert main(["criteria", "check", "--bank", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "OK" not in captured.out
    assert "category-4.toml: items[4.3].levels[significance].practices[4.3-S2].action: Field required" in captured.err


def test_check_of_a_v1_folder_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "check", "--bank", str(DEFAULT_BANK_DIR)]) == 0
    out = capsys.readouterr().out
    assert "questions: 78\n" in out
    assert "practices:" not in out


# score: one respondent ------------------------------------------------------------------------

def test_score_json_of_one_respondent(bank_v2_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers: dict[str, Any] = {pid: True for pid in practice_ids("2.3")}
    answers["2.3-S2"] = False
    answers["2.3-S3"] = "unsure"  # 2.3: B 3/3, A 2/2, S 1/3 → 433.3
    answers["1.1-B1"] = True
    answers["7.1"] = [{"direction": "higher", "target": 85, "actual": 80},
                      {"direction": "lower", "target": 10, "actual": 8}]
    answers["7.2"] = [{"direction": "higher", "target": 85, "values": {"2566": 95, "2567": 60, "2568": 70}}]
    report = run_json(capsys, write_json(tmp_path, answers), bank_v2_dir)

    assert report["items"]["2.3"]["score"] == pytest.approx(1300 / 3)
    assert report["items"]["2.3"]["level"] == "ระดับก้าวหน้า"
    assert report["items"]["2.3"]["practices"] == {
        "basic": {"done": 3, "total": 3}, "advance": {"done": 2, "total": 2}, "significance": {"done": 1, "total": 3},
    }
    assert report["items"]["1.1"]["score"] == pytest.approx(100)
    assert report["items"]["7.1"] == {
        "category": 7, "title": report["items"]["7.1"]["title"], "score": (282 + 500) / 2,
        "level": "ระดับพื้นฐาน", "level_key": "basic", "status": "scored", "indicators": [282, 500],
    }
    assert report["items"]["7.2"]["score"] == 247  # only the latest year (2568) counts
    assert report["items"]["7.3"]["status"] == "not_entered"
    cat1, cat2, cat7 = 100 / 4, 1300 / 3 / 4, ((282 + 500) / 2 + 247) / 6
    assert report["categories"]["1"]["score"] == pytest.approx(cat1)
    assert report["categories"]["2"]["score"] == pytest.approx(cat2)
    assert report["categories"]["7"]["score"] == pytest.approx(cat7)
    assert set(report["categories"]) == {"1", "2", "3", "4", "5", "6", "7"}
    assert report["overall"]["score"] == pytest.approx((cat1 + cat2 + cat7) / 7)
    assert report["overall"]["index"] == pytest.approx((cat1 + cat2 + cat7) / 7 / 500 * 4)
    assert "ประมาณ" in report["overall"]["index_label"]
    assert (report["answered"], report["unsure"]) == (9, 1)
    assert report["confidence"] == pytest.approx(8 / 9)
    assert report["actions"][0]["points"] == round(300 / 4 / 7, 2)
    assert report["actions"][0]["practice"] in {"2.4-B1", "3.1-B1", "3.2-B1"}
    assert report["splits"] == []


def test_score_text_of_one_respondent(bank_v2_dir: Path, bank_v2: BankV2, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    answers = {pid: True for pid in practice_ids("1.1")}
    answers["3.1-B1"] = False
    assert main(["score", str(write_json(tmp_path, answers)), "--bank", str(bank_v2_dir)]) == 0
    out = capsys.readouterr().out
    assert "ผู้ตอบ 1 คน" in out
    assert f"   1.1 {bank_v2.lookup.process_items['1.1'].title}: 500 (ระดับพัฒนาจนเกิดผล)" in out
    assert "หมวด 1 " in out and ": 125 จาก 500 (ยังไม่ผ่านระดับพื้นฐาน)" in out
    assert "ยังไม่ได้กรอก (นับเป็น 0)" in out
    assert "ระดับระบบราชการ 4.0 (ประมาณจากการประเมินตนเอง): 0.1 จาก 4" in out
    action = bank_v2.practice("2.4-B1").action  # type: ignore[union-attr]
    assert f"1. [2.4 · 2.4-B1] {action} (+10.7 คะแนน)" in out
    assert out.rstrip().endswith(bank_v2.root.disclaimer)


# score: several respondents -------------------------------------------------------------------

def test_score_of_several_respondents_uses_the_majority(bank_v2_dir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    basic = practice_ids("1.2")[:3]
    advance = practice_ids("1.2")[3:6]
    full = {p: True for p in basic}
    respondents = [
        {**full, **{p: True for p in advance}},
        {**full, **{p: True for p in advance}},
        {**full, advance[0]: True, advance[1]: False, advance[2]: False},
        {basic[0]: True, basic[1]: False, basic[2]: False, **{p: True for p in advance}},
        {basic[0]: True, basic[1]: False, basic[2]: "unsure"},
    ]
    path = write_json(tmp_path, respondents)
    report = run_json(capsys, path, bank_v2_dir)
    assert report["respondents"] == 5
    assert report["items"]["1.2"]["score"] == pytest.approx(300 + 100 / 3)
    assert report["items"]["1.2"]["level_key"] == "basic"
    splits = {s["practice"]: s for s in report["splits"]}
    assert splits["1.2-A2"] == {"practice": "1.2-A2", "done": 2, "not_done": 1, "unsure": 0, "gated_out": 2,
                                "respondents": 5, "agency_done": False}
    assert (report["answered"], report["unsure"]) == (3 * 6 + 6 + 3, 1)

    assert main(["score", str(path), "--bank", str(bank_v2_dir)]) == 0
    out = capsys.readouterr().out
    assert "ผู้ตอบ 5 คน" in out
    assert "แนวทางที่ผู้ตอบเห็นต่างกัน (ควรหารือ):" in out
    assert "- 1.2-A2: ทำแล้ว 2 · ยังไม่ได้ทำ 1 · ไม่แน่ใจ 0 · ยังไม่ถึงระดับนี้ 2 → นับว่ายังไม่ได้ทำ" in out


def test_differing_results_are_flagged(bank_v2_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = {"1.1-B1": True, "7.1": [{"direction": "higher", "target": 85, "actual": 80}]}
    second = {"1.1-B1": True, "7.1": [{"direction": "higher", "target": 85, "actual": 90}]}
    report = run_json(capsys, write_json(tmp_path, [first, second]), bank_v2_dir)
    assert report["items"]["7.1"]["score"] == 282  # the first respondent's values
    assert report["result_conflicts"] == ["7.1"]


# score: input errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"1.1-B1": True, "1.1-B9": True}, "unknown practice or result item id '1.1-B9'"),
        ({"1.1-B1": True, "Q1.1B": "3"}, "version-1 ids"),
        ({"1.1-B1": 1}, "1.1-B1: 1 is not an answer (true, false or \"unsure\")"),
        ({"1.1-B1": "yes"}, "1.1-B1: 'yes' is not an answer"),
        ({"1.1-B1": None}, "1.1-B1: None is not an answer"),
        ({"7.1": [{"direction": "up", "target": 85, "actual": 80}]}, "7.1[1].direction: 'up' is not"),
        ({"7.1": [{"direction": "higher", "target": 0, "actual": 80}]}, "7.1[1].target: 0 must be above 0"),
        ({"7.1": [{"direction": "higher", "target": "85", "actual": 80}]}, "7.1[1].target: '85' is not a number"),
        ({"7.1": [{"direction": "higher", "target": 85}]}, "7.1[1]: give either actual"),
        ({"7.1": [{"direction": "higher", "target": 85, "actual": -1}]}, "7.1[1]: a value cannot be negative"),
        ({"7.1": [{"direction": "higher", "target": 85, "values": [1, 2, 3, 4]}]}, "give 1 to 3 fiscal years, found 4"),
        ({"7.1": [{"direction": "higher", "target": 85, "actual": 80, "goal": 1}]}, "unknown field goal"),
        ({"7.1": [{"direction": "higher", "target": 85, "values": {"68": 80}}]}, "'68' is not a fiscal year"),
        ({"7.1": "999"}, "7.1: '999' is neither a list of indicators nor an estimate code"),
        ({"7.9": "300"}, "unknown practice or result item id '7.9'"),
    ],
)
def test_bad_input_is_a_usage_error(bank_v2_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    data: dict[str, Any], message: str) -> None:
    assert main(["score", str(write_json(tmp_path, data)), "--bank", str(bank_v2_dir)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_a_bad_respondent_is_named(bank_v2_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path, [{"1.1-B1": True}, {"1.1-B1": "maybe"}])
    assert main(["score", str(path), "--bank", str(bank_v2_dir)]) == EXIT_USAGE
    assert "respondent 2: 1.1-B1: 'maybe' is not an answer" in capsys.readouterr().err


@pytest.mark.parametrize(("value", "score"), [("ทำแล้ว", 100), ("ยังไม่ได้ทำ", 0), ("ไม่แน่ใจ", 0), ("Unsure", 0)])
def test_thai_answer_words_are_accepted(bank_v2_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        value: str, score: float) -> None:
    report = run_json(capsys, write_json(tmp_path, {"1.1-B1": value}), bank_v2_dir)
    assert report["items"]["1.1"]["score"] == pytest.approx(score)


def test_an_estimate_is_marked_as_such(bank_v2_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path, {"7.4": "เกินเป้าเล็กน้อย", "7.5": "ไม่แน่ใจ"})
    report = run_json(capsys, path, bank_v2_dir)
    assert (report["items"]["7.4"]["status"], report["items"]["7.4"]["score"]) == ("estimate", 400)
    assert (report["items"]["7.5"]["status"], report["items"]["7.5"]["score"]) == ("estimate", 0)
    assert main(["score", str(path), "--bank", str(bank_v2_dir)]) == 0
    out = capsys.readouterr().out
    assert "ค่าประมาณ" in out
    assert "คะแนนหมวด 7 นี้เป็นค่าประมาณ" in out


def test_v1_files_keep_their_v1_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(write_json(tmp_path, {"Q1.1B": "3"})), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert isinstance(report["categories"], list)  # version 1's shape, unchanged
    assert report["bank"]["version"] == "2569.1"
