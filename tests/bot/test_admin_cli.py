"""The admin commands, run in-process against a SQLite file in a temporary working directory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.admin_cli import parse_categories, parse_closing_date
from bot.cli import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMQA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}")
    return tmp_path


def _rows(workdir: Path, query: str) -> list[tuple]:
    with sqlite3.connect(workdir / "admin.db") as conn:
        return conn.execute(query).fetchall()


def test_org_round_and_invite_commands_build_a_province(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "revision 0008" in capsys.readouterr().out
    assert main(["org", "add", "--code", "PROV", "--name", "สำนักงานจังหวัดน่าน"]) == 0
    assert main(["org", "add", "--code", "AGRI", "--name", "สำนักงานเกษตรจังหวัดน่าน", "--parent", "PROV"]) == 0
    assert main(["round", "open", "--name", "รอบ 2570", "--closes", "2570-03-31", "--org", "PROV"]) == 0
    capsys.readouterr()
    # The province's round applies to AGRI: a round of its own would take over and hide AGRI's answers.
    assert main(["round", "open", "--name", "รอบเกษตร", "--closes", "2570-03-31", "--org", "AGRI"]) == 2
    assert 'round 1 "รอบ 2570" of PROV is still open' in capsys.readouterr().err
    assert main(["invite", "create", "--org", "AGRI", "--role", "coordinator", "--uses", "3", "--days", "7",
                 "--categories", "7,1"]) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert _rows(workdir, "SELECT code, parent_id IS NOT NULL FROM agencies ORDER BY id") == [("PROV", 0), ("AGRI", 1)]
    assert _rows(workdir, "SELECT name, closes_on FROM rounds") == [("รอบ 2570", "2027-03-31")], "พ.ศ. 2570 = 2027"
    (stored,) = _rows(workdir, "SELECT code, role, max_uses, categories FROM invites")
    assert stored == (code.replace("-", ""), "coordinator", 3, "1,7"), "the code alone is on the last line"


def test_mistakes_exit_2_with_a_clear_message(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "add", "--code", "A", "--name", "หน่วยงาน ก"]) == 0
    assert main(["org", "add", "--code", "A", "--name", "ซ้ำ"]) == 2
    assert main(["org", "add", "--code", "B", "--name", "x", "--parent", "NOPE"]) == 2
    assert main(["invite", "create", "--org", "NOPE"]) == 2
    assert main(["invite", "create", "--org", "A", "--categories", "9"]) == 2
    assert main(["round", "open", "--name", "r", "--closes", "31/12/2026"]) == 2
    assert main(["round", "open", "--name", "r", "--closes", "2020-01-01"]) == 2
    err = capsys.readouterr().err
    for expected in ("already exists", "no agency with code 'NOPE'", "categories are numbers 1–7",
                     "must be YYYY-MM-DD", "already past"):
        assert expected in err


def test_dates_accept_both_eras_and_categories_are_checked() -> None:
    assert parse_closing_date("2569-09-30").isoformat() == "2026-09-30"
    assert parse_closing_date("2026-09-30").isoformat() == "2026-09-30"
    assert parse_categories("7, 1,1") == (1, 7)
    assert parse_categories(None) is None
    with pytest.raises(ValueError):
        parse_categories("0,8")
